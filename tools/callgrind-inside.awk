# tools/callgrind-inside.awk: what one shared object costs in a callgrind
# profile, callees included.
#
#   awk -v object=mod_cors.so [-v depth=N] -f tools/callgrind-inside.awk \
#       callgrind.out
#
# prints one line: "<total> <inside> <entries> <nested> <unsure>", where
#   total    the profile's total instructions (its summary: line);
#   inside   what runs on behalf of the object: the inclusive cost of every
#            call from code outside it into a function of it (whatever the
#            functions are called: hooks, filters, directive handlers),
#            less its own calls to ap_pass_brigade and ap_get_brigade (in
#            a filter, the rest of the chain: work the request costs with
#            or without the module; any call back into the object from
#            there is counted again).  Calls through a helper, such as
#            ap_discard_request_body, stay counted: the object chose them;
#   entries  how many calls into the object were counted;
#   nested   calls into the object left out because the object was already
#            running further up the caller's stack (its fixups invoking its
#            own handler, a callback from apr_table_do): the outer call's
#            inclusive cost has them already;
#   unsure   calls whose caller chain was cut at the --separate-callers
#            depth (give it as -v depth=N), so a nesting could be missed.
# With -v list=1 it also prints "entry <cost> <callee>" for each counted
# call into the object and "pass <cost> <callee>" for each call
# subtracted, to compare with callgrind_annotate --inclusive=yes.
#
# Telling nested calls needs the callers of each function: profile with
# valgrind --tool=callgrind --separate-callers=N, so that a function's name
# is "f'caller'caller's caller'..." up to N callers.  Without it every call
# into the object is counted.  A caller is recognised as the object's by
# name, so this assumes the object's functions have symbols.
#
# Callgrind format (valgrind docs, "Callgrind Format Specification"):
# "ob=" and "fn=" name the object and function of the following cost
# lines; a call is "cob=" (the callee's object, only written when it is
# not the caller's), "cfi=", "cfn=", "calls=<count> <target>", then one
# cost line "<position> <inclusive cost>".  Names may be compressed:
# "(id) name" defines id, a later "(id)" alone refers to it; objects and
# cob= share one table, fn= and cfn= another.  Written for mawk too.

function uncompress(kind, spec,    id, rest) {
    if (spec !~ /^\([0-9]+\)/) {
        return spec
    }
    id = substr(spec, 2, index(spec, ")") - 2)
    rest = substr(spec, index(spec, ")") + 1)
    sub(/^ /, "", rest)
    if (rest != "") {
        names[kind, id] = rest
    }
    return names[kind, id]
}

# Whether an object path is the one measured: match the file name, so a
# path given as ".libs/mod_cors.so" or "mod_cors.so" both work.
function is_object(path,    n) {
    n = length(object_base)
    return length(path) >= n && substr(path, length(path) - n + 1) \
           == object_base && (length(path) == n \
           || substr(path, length(path) - n, 1) == "/")
}

function base_name(name) {
    sub(/'.*/, "", name)
    return name
}

# Whose work the code at the top of a caller chain is: "in" if the object
# runs further up (the caller was called, maybe through other functions,
# by the object), "out" if the chain first reaches a call the object made
# to ap_pass_brigade or ap_get_brigade, or the root.  chain is
# "caller'its caller'...", nearest first; a bare number is callgrind's
# recursion mark ("f'2").
function region(chain,    n, c, j, k) {
    n = split(chain, c, "'")
    if (depth != "" && n > depth) {
        chain_cut = 1
    }
    for (j = 1; j <= n; j++) {
        if (c[j] ~ /^[0-9]+$/) {
            continue
        }
        if (j > 1 && (c[j] in object_function)) {
            return "in"
        }
        if (c[j] in pass_function) {
            for (k = j + 1; k <= n && c[k] ~ /^[0-9]+$/; k++) {
            }
            if (k <= n && (c[k] in object_function)) {
                return "out"
            }
        }
    }
    return "out"
}

BEGIN {
    if (object == "") {
        print "callgrind-inside.awk: set -v object=NAME.so" > "/dev/stderr"
        exit 2
    }
    object_base = object
    sub(/.*\//, "", object_base)
    in_call = 0
    callee_object = ""
    total = ""
    arcs = 0
    pass_function["ap_pass_brigade"] = 1
    pass_function["ap_get_brigade"] = 1
}

/^events:/ {
    if ($2 != "Ir" || NF != 2) {
        print "callgrind-inside.awk: expected only the Ir event, got: " \
              $0 > "/dev/stderr"
        bad = 1
        exit 2
    }
    next
}
/^positions:/ {
    if ($2 != "line" || NF != 2) {
        print "callgrind-inside.awk: expected positions: line, got: " \
              $0 > "/dev/stderr"
        bad = 1
        exit 2
    }
    next
}
/^summary:/ { total = $2; next }
/^totals:/  { if (total == "") total = $2; next }
/^ob=/ { current_object = uncompress("ob", substr($0, 4)); next }
/^fn=/ {
    caller = uncompress("fn", substr($0, 4))
    caller_object = current_object
    if (is_object(caller_object)) {
        object_function[base_name(caller)] = 1
    }
    next
}
/^cob=/ { callee_object = uncompress("ob", substr($0, 5)); next }
/^cfn=/ { callee = uncompress("fn", substr($0, 5)); next }
/^calls=/ { in_call = 1; next }
/^[0-9+*-]/ {
    if (!in_call) {
        next
    }
    in_call = 0
    if (callee_object == "") {
        callee_object = caller_object
    }
    if (!is_object(caller_object) && is_object(callee_object)) {
        arcs++
        arc_kind[arcs] = "entry"
    }
    else if (is_object(caller_object) \
             && (base_name(callee) in pass_function)) {
        arcs++
        arc_kind[arcs] = "pass"
    }
    else {
        callee_object = ""
        next
    }
    arc_cost[arcs] = $2
    arc_caller[arcs] = caller
    arc_callee[arcs] = callee
    callee_object = ""
    next
}

END {
    if (bad) {
        exit 2
    }
    if (total == "") {
        print "callgrind-inside.awk: no summary: line (not a callgrind " \
              "profile?)" > "/dev/stderr"
        exit 2
    }
    inside = 0
    counted = 0
    nested = 0
    unsure = 0
    for (i = 1; i <= arcs; i++) {
        chain_cut = 0
        if (arc_kind[i] == "entry") {
            # a call into the object from outside it: counted unless the
            # object was running already
            if (region(arc_caller[i]) == "in") {
                nested++
                continue
            }
            counted++
            sign = 1
        }
        else {
            # the object passing a brigade on
            region(arc_caller[i])
            sign = -1
        }
        unsure += chain_cut
        inside += sign * arc_cost[i]
        if (list) {
            printf "%s %.0f %s\n", (sign > 0 ? "entry" : "pass"), arc_cost[i],
                   arc_callee[i]
        }
    }
    printf "%.0f %.0f %d %d %d\n", total, inside, counted, nested, unsure
}
