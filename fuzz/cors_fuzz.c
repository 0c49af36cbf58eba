/* fuzz/cors_fuzz.c: a libFuzzer target for mod_cors's parsing and
 * matching (make fuzz).  It links cors_match.c, the part of the module
 * that needs no running httpd, and feeds each
 * input to every function that reads client bytes, as an Origin, an
 * Access-Control-Request-Headers value or a configured regex.
 *
 * Besides "does not crash" (AddressSanitizer, UndefinedBehaviorSanitizer),
 * it checks the properties the module's security rests on:
 * - serializing a parsed origin never makes it longer, and is stable;
 * - an Origin is allowed only if it is already in serialized form, so the
 *   value reflected in Access-Control-Allow-Origin is always one a browser
 *   would send, never a variant of it;
 * - cors_match_pattern, the shortcut for origins a subdomain pattern
 *   allows, finds only the entry cors_match_origin finds;
 * - cors_quick_origin, the shortcut for well-formed origins, accepts
 *   exactly the http and https origins (IPv6 literals aside) the full
 *   parser accepts and serialization leaves unchanged, with the same
 *   parts and label count: it decides nothing the parser would not;
 * - "null" is never allowed through "*";
 * - a policy of exact origins allows exactly its listed strings;
 * - every name of an Access-Control-Request-Headers value that is echoed
 *   or refused is a token, echoed in lowercase, and the refused ones are
 *   those the list does not allow; no more than CORS_MAX_REQUEST_HEADERS
 *   names are read;
 * - cors_check_request_headers and cors_method_allowed give exactly what
 *   plain reference versions of them give (ref_request_headers,
 *   ref_method_allowed), against lists looked up both ways (scanned
 *   keys, hash), with "*", and without a list.
 *
 * Each input is copied to a malloc() block of its own, of its exact
 * length, so that AddressSanitizer sees a read past its end (in a pool it
 * would land in the next allocation).
 */

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_lib.h"
#include "apr_strings.h"

#include "httpd.h"
#include "cors_match.h"

/* The fuzzed policy has no CorsAllowOriginMatch regex, so httpd's regex
 * wrapper is never called; this stands in for it at link time. */
AP_DECLARE(int) ap_regexec(const ap_regex_t *preg, const char *string,
                           apr_size_t nmatch, ap_regmatch_t *pmatch,
                           int eflags)
{
    abort();
}

static apr_pool_t *fuzz_pool;
static cors_origin_policy listed_policy, any_policy, exact_policy;
static cors_token_list allowed_headers;
/* CorsAllowHeaders with the keys scanned (a few names), with the hash
 * (more than CORS_EXACT_SCAN_MAX), and "*" with a name; CorsAllowMethods
 * scanned and hashed */
static cors_token_list scanned_headers, scanned_headers2, hashed_headers;
static cors_token_list star_headers;
static cors_token_list scanned_methods, hashed_methods;
/* mod_cors's default CorsAllowMethods: GET, HEAD and POST, no hash */
static const cors_token_list default_methods = { NULL, NULL, "GET, HEAD, POST", 0 };

static void fuzz_policy(cors_origin_policy *policy, int any)
{
    static const char *const keys[] = {
        "https://a.example", "http://127.0.0.1:8080", "https://[::1]:8443",
        "http://localhost:*", "https://*.example.com",
        "https://*.example.com:*", "https://*.example.org:8443",
        "http://*.example.net", "https://www.site.example", "null", NULL
    };
    int i;

    policy->exact = apr_hash_make_custom(fuzz_pool, cors_key_hash);
    policy->patterns = apr_hash_make_custom(fuzz_pool, cors_key_hash);
    policy->pattern_kinds = 0;
    policy->exact_list = NULL;      /* the hash only; t/ covers the scan */
    policy->listed = apr_array_make(fuzz_pool, 8, sizeof(const char *));
    policy->regexes = apr_array_make(fuzz_pool, 1, sizeof(cors_origin_regex));
    policy->any = any;
    for (i = 0; keys[i] && !(any && !strcmp(keys[i], "null")); i++) {
        if (strchr(keys[i], '*')) {
            cors_add_pattern(policy, keys[i], keys[i]);
        }
        else {
            apr_hash_set(policy->exact, keys[i], APR_HASH_KEY_STRING,
                         keys[i]);
        }
        *(const char **)apr_array_push(policy->listed) = keys[i];
    }
}

/* Exact origins only, in serialized form, as CorsAllowOrigin stores them */
static const char *const exact_origins[] = {
    "https://a.example", "http://127.0.0.1:8080", "https://[::1]:8443",
    "https://www.site.example", "http://localhost", NULL
};

static void fuzz_exact_policy(void)
{
    int i;

    exact_policy.exact = apr_hash_make(fuzz_pool);
    exact_policy.patterns = apr_hash_make(fuzz_pool);
    exact_policy.listed = apr_array_make(fuzz_pool, 8, sizeof(const char *));
    exact_policy.regexes = apr_array_make(fuzz_pool, 1,
                                          sizeof(cors_origin_regex));
    for (i = 0; exact_origins[i]; i++) {
        apr_hash_set(exact_policy.exact, exact_origins[i],
                     APR_HASH_KEY_STRING, exact_origins[i]);
        *(const char **)apr_array_push(exact_policy.listed) =
            exact_origins[i];
    }
}

/* A token list as cors_add_tokens builds it: names (lowercased when
 * lowercase) in the hash, and in keys while there are few enough to be
 * scanned (keys NULL: the hash alone, as when more were listed). */
static void fuzz_token_list(cors_token_list *list, const char *const *names,
                            int lowercase, int wildcard)
{
    int i;

    list->names = apr_hash_make(fuzz_pool);
    list->keys = apr_array_make(fuzz_pool, 4, sizeof(cors_exact_origin));
    list->wildcard = wildcard;
    list->joined = "(fuzz)";
    for (i = 0; names[i]; i++) {
        char *key = apr_pstrdup(fuzz_pool, names[i]), *c;
        cors_exact_origin *e;

        for (c = key; lowercase && *c; c++) {
            *c = apr_tolower(*c);
        }
        apr_hash_set(list->names, key, APR_HASH_KEY_STRING, names[i]);
        e = apr_array_push(list->keys);
        e->key = key;
        e->len = strlen(key);
        e->entry = names[i];
    }
    if (list->keys->nelts > CORS_EXACT_SCAN_MAX) {
        list->keys = NULL;
    }
}

static void fuzz_setup(void)
{
    static const char *const few_headers[] = {
        "Content-Type", "Authorization", "X-Requested-With", "A", NULL
    };
    static const char *const many_headers[] = {
        "Content-Type", "Authorization", "X-Requested-With", "A", "ab",
        "X-Custom-Header-Of-Some-Length", "If-Match", "X-Demo", NULL
    };
    /* keys of 2, 3, 6 and 27 bytes, one the start of another */
    static const char *const few_headers2[] = {
        "ab", "ABC", "X-Demo", "Accept-Language-Of-Length27", NULL
    };
    static const char *const star_and_one[] = { "X-Demo", NULL };
    static const char *const few_methods[] = {
        "PUT", "DELETE", "patch", "PROPFIND", NULL
    };
    static const char *const many_methods[] = {
        "PUT", "DELETE", "patch", "PROPFIND", "MKCOL", "X", "OPTIONS",
        NULL
    };

    apr_initialize();
    apr_pool_create(&fuzz_pool, NULL);
    fuzz_policy(&listed_policy, 0);
    fuzz_policy(&any_policy, 1);
    fuzz_exact_policy();
    allowed_headers.names = apr_hash_make(fuzz_pool);
    apr_hash_set(allowed_headers.names, "content-type", APR_HASH_KEY_STRING,
                 "Content-Type");
    apr_hash_set(allowed_headers.names, "x-demo", APR_HASH_KEY_STRING,
                 "X-Demo");
    allowed_headers.joined = "Content-Type, X-Demo";
    fuzz_token_list(&scanned_headers, few_headers, 1, 0);
    fuzz_token_list(&scanned_headers2, few_headers2, 1, 0);
    fuzz_token_list(&hashed_headers, many_headers, 1, 0);
    fuzz_token_list(&star_headers, star_and_one, 1, 1);
    fuzz_token_list(&scanned_methods, few_methods, 0, 0);
    fuzz_token_list(&hashed_methods, many_methods, 0, 0);
}

/* Parses in both modes and checks what serializing does. */
static void fuzz_parse(apr_pool_t *p, const char *input)
{
    cors_origin_parts parts, again;
    apr_size_t len = strlen(input);
    char *out, *out2;
    int patterns;

    for (patterns = 0; patterns <= 1; patterns++) {
        if (cors_parse_origin(input, patterns, &parts) != NULL) {
            continue;
        }
        out = apr_palloc(p, len + 1);
        cors_serialize_origin(&parts, out);
        assert(strlen(out) <= len);
        assert(cors_parse_origin(out, patterns, &again) == NULL);
        out2 = apr_palloc(p, len + 1);
        cors_serialize_origin(&again, out2);
        assert(!strcmp(out, out2));
    }
}

/* cors_quick_origin accepts an input if and only if the full parser
 * does, serializing leaves it unchanged, and it is http or https with a
 * host name; then its parts are the parser's. */
static void fuzz_quick(apr_pool_t *p, const char *input)
{
    cors_origin_parts quick, full;
    apr_size_t len = strlen(input), i;
    int labels = cors_quick_origin(input, len, &quick), expected = 0;
    char *out;

    if (cors_parse_origin(input, 0, &full) == NULL
        && ((full.scheme_len == 4 && !memcmp(full.scheme, "http", 4))
            || (full.scheme_len == 5 && !memcmp(full.scheme, "https", 5)))
        && full.host[0] != '[') {
        out = apr_palloc(p, len + 1);
        cors_serialize_origin(&full, out);
        if (!strcmp(out, input)) {
            expected = 1;
            for (i = 0; i < full.host_len; i++) {
                expected += (full.host[i] == '.');
            }
        }
    }
    assert(labels == expected);
    if (!labels) {
        return;
    }
    assert(quick.scheme == full.scheme);
    assert(quick.scheme_len == full.scheme_len);
    assert(quick.host == full.host && quick.host_len == full.host_len);
    assert(quick.port == full.port && quick.port_len == full.port_len);
    assert(!quick.host_wildcard && !quick.port_wildcard);
}

/* Matches against both policies; allowed means serialized form. */
static void fuzz_match(apr_pool_t *p, const char *input)
{
    const cors_origin_policy *policies[] = { &listed_policy, &any_policy };
    cors_origin_parts parts;
    const char *why, *entry;
    char *out;
    int i;

    for (i = 0; i < 2; i++) {
        cors_match m = cors_match_origin(policies[i], input, &why, &entry);
        const char *by_pattern = cors_match_pattern(policies[i], input,
                                                    strlen(input));

        /* the shortcut mod_cors takes for an Origin no exact entry lists
         * finds only what the full match finds */
        if (by_pattern) {
            assert(m == CORS_MATCH_LISTED);
            assert(entry == by_pattern
                   || apr_hash_get(policies[i]->exact, input,
                                   APR_HASH_KEY_STRING));
        }

        if (m == CORS_MATCH_MALFORMED) {
            assert(why != NULL);
            cors_near_miss(p, policies[i], input);
        }
        else if (m == CORS_MATCH_NONE) {
            cors_near_miss(p, policies[i], input);
        }
        else if (strcmp(input, "null") != 0) {
            assert(cors_parse_origin(input, 0, &parts) == NULL);
            out = apr_palloc(p, strlen(input) + 1);
            cors_serialize_origin(&parts, out);
            assert(!strcmp(out, input));
        }
        else {
            assert(m == CORS_MATCH_LISTED && i == 0);
        }
    }
}

/* The exact policy allows the input if and only if it is listed. */
static void fuzz_exact(const char *input)
{
    const char *why, *entry;
    cors_match m = cors_match_origin(&exact_policy, input, &why, &entry);
    int i, listed = 0;

    for (i = 0; exact_origins[i]; i++) {
        listed = listed || !strcmp(input, exact_origins[i]);
    }
    assert((m == CORS_MATCH_LISTED) == listed);
    assert(m != CORS_MATCH_ANY);
    if (listed) {
        assert(!strcmp(entry, input));
    }
    else {
        /* mod_cors's refusal decided in advance tells these two apart
         * with cors_origin_well_formed() alone */
        assert((m == CORS_MATCH_NONE) == cors_origin_well_formed(input));
    }
}

/* Checks a ", "-joined list: every element is a lowercase token.  Returns
 * the number of elements. */
static int fuzz_check_names(apr_pool_t *p, const char *joined)
{
    char *copy = apr_pstrdup(p, joined), *name, *next;
    int n = 0;

    for (name = copy; name; name = next) {
        next = strstr(name, ", ");
        if (next) {
            *next = '\0';
            next += 2;
        }
        assert(cors_is_token(name));
        for (; *name; name++) {
            assert(!apr_isupper(*name));
        }
        n++;
    }
    return n;
}

/* Is name (lowercase) one of the ", "-joined names? */
static int fuzz_in_names(apr_pool_t *p, const char *joined, const char *name)
{
    const char *padded = apr_pstrcat(p, ", ", joined, ", ", NULL);

    return strstr(padded, apr_pstrcat(p, ", ", name, ", ", NULL)) != NULL;
}

/* cors_check_request_headers, asked for the echo and the detail.  Every
 * name echoed is a token, lowercase, and the echo lists all the names the
 * value has (no more than the cap); a refusal names only tokens (cut to
 * CORS_DETAIL_NAME_LEN, with "...") the list does not allow, and an
 * allowed value has every name allowed. */
static void fuzz_request_headers(apr_pool_t *p, const cors_token_list *list,
                                 const char *value)
{
    cors_headers_check check;
    cors_headers_result result;
    char *detail, *name, *next, *more;

    result = cors_check_request_headers(p, list, value, 1, 1, &check);
    assert(check.count <= CORS_MAX_REQUEST_HEADERS + 1);
    if (result == CORS_HEADERS_TOO_MANY) {
        assert(check.count == CORS_MAX_REQUEST_HEADERS + 1);
        return;
    }
    assert(check.count <= CORS_MAX_REQUEST_HEADERS);
    if (result == CORS_HEADERS_MALFORMED) {
        return;
    }
    /* every name read is in the echo, a lowercase token */
    assert(check.echo);
    if (check.count) {
        assert(fuzz_check_names(p, check.echo) == check.count);
    }
    else {
        assert(*check.echo == '\0');
    }
    if (result == CORS_HEADERS_ALLOWED) {
        return;
    }
    assert(result == CORS_HEADERS_REFUSED && check.detail && *check.detail);
    detail = apr_pstrdup(p, check.detail);
    /* " and N more" is the last " and ": a refused name may be "and" */
    for (more = NULL, next = detail; (next = strstr(next, " and "));
         next++) {
        more = next;
    }
    if (more) {
        *more = '\0';
    }
    for (name = detail; name; name = next) {
        apr_size_t n;

        next = strstr(name, ", ");
        if (next) {
            *next = '\0';
            next += 2;
        }
        assert(cors_is_token(name));
        n = strlen(name);
        if (n > 3 && !strcmp(name + n - 3, "...")) {
            continue;   /* cut: the start of a longer name */
        }
        assert(fuzz_in_names(p, check.echo, name));
        assert(!apr_hash_get(list->names, name, APR_HASH_KEY_STRING));
    }
}

/* "%.*s%s": a name for the detail, cut to CORS_DETAIL_NAME_LEN bytes */
static const char *ref_cut(apr_pool_t *p, const char *name, apr_size_t n)
{
    return apr_psprintf(p, "%.*s%s",
                        (int)(n < CORS_DETAIL_NAME_LEN ? n
                              : CORS_DETAIL_NAME_LEN),
                        name, n > CORS_DETAIL_NAME_LEN ? "..." : "");
}

/* What cors_check_request_headers is to give, written plainly: split on
 * ',', trim SP and HTAB, drop empty elements; more than the cap is too
 * many whatever the names are; else the names in order, the first that is
 * not a token malformed; each lowercased, echoed, looked up (a "*" covers
 * all but Authorization); the first few refused ones named. */
static cors_headers_result ref_request_headers(apr_pool_t *p,
                                               const cors_token_list *list,
                                               const char *value,
                                               int want_echo,
                                               int want_detail,
                                               cors_headers_check *check)
{
    apr_array_header_t *starts = apr_array_make(p, 8, sizeof(char *));
    apr_array_header_t *lens = apr_array_make(p, 8, sizeof(apr_size_t));
    const char *s = value, *echo = "", *detail = "";
    int i, refused = 0;

    for (;;) {
        const char *end = strchr(s, ','), *a = s, *b;

        b = end ? end : s + strlen(s);
        while (a < b && (*a == ' ' || *a == '\t')) {
            a++;
        }
        while (b > a && (b[-1] == ' ' || b[-1] == '\t')) {
            b--;
        }
        if (b > a) {
            *(const char **)apr_array_push(starts) = a;
            *(apr_size_t *)apr_array_push(lens) = (apr_size_t)(b - a);
        }
        if (!end) {
            break;
        }
        s = end + 1;
    }
    if (starts->nelts > CORS_MAX_REQUEST_HEADERS) {
        check->echo = NULL;
        check->count = CORS_MAX_REQUEST_HEADERS + 1;
        check->detail = want_detail
            ? apr_psprintf(p, "it lists more than %d names",
                           CORS_MAX_REQUEST_HEADERS)
            : NULL;
        return CORS_HEADERS_TOO_MANY;
    }
    check->echo = want_echo ? echo : NULL;
    check->detail = want_detail ? detail : NULL;
    for (i = 0; i < starts->nelts; i++) {
        const char *name = ((const char **)starts->elts)[i];
        apr_size_t j, n = ((apr_size_t *)lens->elts)[i];
        char *lower = apr_pstrmemdup(p, name, n);
        int allowed;

        check->count = i + 1;
        for (j = 0; j < n; j++) {
            if (!cors_is_tchar((unsigned char)name[j])) {
                if (want_detail) {
                    check->detail = ref_cut(p, name, n);
                }
                return CORS_HEADERS_MALFORMED;
            }
            lower[j] = apr_tolower(lower[j]);
        }
        echo = i ? apr_pstrcat(p, echo, ", ", lower, NULL) : lower;
        if (want_echo) {
            check->echo = echo;
        }
        allowed = list
            && (apr_hash_get(list->names, lower, APR_HASH_KEY_STRING)
                || (list->wildcard && strcmp(lower, "authorization")));
        if (!allowed) {
            if (refused < CORS_DETAIL_NAMES) {
                detail = apr_pstrcat(p, detail, refused ? ", " : "",
                                     ref_cut(p, lower, n), NULL);
            }
            refused++;
        }
    }
    check->count = starts->nelts;
    if (refused > CORS_DETAIL_NAMES) {
        detail = apr_psprintf(p, "%s and %d more", detail,
                              refused - CORS_DETAIL_NAMES);
    }
    if (want_detail) {
        check->detail = detail;
    }
    return refused ? CORS_HEADERS_REFUSED : CORS_HEADERS_ALLOWED;
}

static int same_string(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* cors_check_request_headers against ref_request_headers, with every
 * list and every combination of echo and detail asked for */
static void fuzz_request_headers_ref(apr_pool_t *p, const char *value)
{
    const cors_token_list *lists[] = {
        &allowed_headers, &scanned_headers, &scanned_headers2,
        &hashed_headers, &star_headers, NULL
    };
    int i, want;

    for (i = 0; i < (int)(sizeof(lists) / sizeof(lists[0])); i++) {
        for (want = 0; want < 4; want++) {
            cors_headers_check got, ref;
            cors_headers_result got_result, ref_result;

            got_result = cors_check_request_headers(p, lists[i], value,
                                                    want & 1, want & 2,
                                                    &got);
            ref_result = ref_request_headers(p, lists[i], value, want & 1,
                                             want & 2, &ref);
            assert(got_result == ref_result);
            assert(got.count == ref.count);
            assert(same_string(got.echo, ref.echo));
            assert(same_string(got.detail, ref.detail));
        }
    }
}

/* What cors_method_allowed is to give: GET, HEAD and POST always (they
 * are CORS-safelisted), else "*" or the name listed, case-sensitive. */
static int ref_method_allowed(const cors_token_list *list,
                              const char *method)
{
    return !strcmp(method, "GET") || !strcmp(method, "HEAD")
           || !strcmp(method, "POST") || list->wildcard
           || (list->names
               && apr_hash_get(list->names, method, APR_HASH_KEY_STRING));
}

static void fuzz_method_allowed(const char *method)
{
    const cors_token_list *lists[] = {
        &default_methods, &scanned_methods, &hashed_methods
    };
    int i;

    for (i = 0; i < 3; i++) {
        assert(cors_method_allowed(lists[i], method)
               == ref_method_allowed(lists[i], method));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    char *input;
    size_t len;

    if (!fuzz_pool) {
        fuzz_setup();
    }
    apr_pool_create(&p, fuzz_pool);
    /* a header value ends at the first NUL, as httpd's do; a block of its
     * own, so that a read past its end is caught */
    len = strnlen((const char *)data, size);
    input = malloc(len + 1);
    memcpy(input, data, len);
    input[len] = '\0';

    fuzz_parse(p, input);
    fuzz_quick(p, input);
    fuzz_match(p, input);
    fuzz_exact(input);
    fuzz_request_headers(p, &allowed_headers, input);
    fuzz_request_headers_ref(p, input);
    fuzz_method_allowed(input);
    cors_is_token(input);
    cors_regex_advice(input);

    free(input);
    apr_pool_destroy(p);
    return 0;
}
