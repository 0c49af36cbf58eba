/* fuzz/cors_fuzz_conf.c: a libFuzzer target (make fuzz) for the parsing
 * that still lives in mod_cors.c: the token lists of CorsAllowMethods,
 * CorsAllowHeaders and CorsExposeHeaders (cors_add_tokens), the origin
 * lists of CorsAllowOrigin (set_cors_allow_origin), and the
 * Access-Control-Expose-Headers value built from a response's header
 * names for "CorsExposeHeaders *" with credentials
 * (cors_exposed_response_names).
 *
 * These functions are static and take a cmd_parms or a request_rec, so
 * this file includes mod_cors.c and hands them stand-ins that carry only
 * the pools and tables they use; the fuzzer is linked with unresolved
 * httpd symbols left at zero, so a call into httpd other than
 * ap_str_tolower (defined below) crashes the fuzzer instead of passing
 * unnoticed.  The calls are in fuzz_tokens(), fuzz_origins() and
 * fuzz_exposed(): when those functions move to cors_match.c (README,
 * "Fuzzing"), only these three change.
 *
 * The input is lines: the first byte picks what is fuzzed, the first line
 * gives the directive arguments (one per '\t'-separated field), the other
 * lines are request values.  Properties:
 * - a token list that was accepted holds only tokens (lowercase keys for
 *   header names), and its joined form lists each name once ("*" may
 *   repeat);
 * - every name echoed or refused by cors_check_request_headers against an
 *   accepted list is a token;
 * - a CorsAllowOrigin policy of exact origins allows exactly its listed
 *   (serialized) strings, and an accepted list never allows what it did
 *   not list;
 * - the exposed names are the response's names, each once, minus the
 *   safelisted and CORS ones.
 */

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../mod_cors.c"

/* httpd's, from server/util.c */
AP_DECLARE(void) ap_str_tolower(char *str)
{
    for (; *str; str++) {
        *str = apr_tolower(*str);
    }
}

static apr_pool_t *fuzz_pool;
static const command_rec fuzz_cmd = { "CorsFuzz" };

static cmd_parms *fuzz_cmd_parms(apr_pool_t *p)
{
    cmd_parms *cmd = apr_pcalloc(p, sizeof(*cmd));

    cmd->pool = p;
    cmd->temp_pool = p;
    cmd->cmd = &fuzz_cmd;
    return cmd;
}

/* Splits s at sep in place into at most max fields; returns how many. */
static int fuzz_split(char *s, char sep, char **fields, int max)
{
    int n = 0;

    while (s && n < max) {
        char *end = strchr(s, sep);

        fields[n++] = s;
        if (end) {
            *end++ = '\0';
        }
        s = end;
    }
    return n;
}

/* Is name, compared as the list compares, among joined's ", " names? */
static int fuzz_joined_has(apr_pool_t *p, const char *joined,
                           const char *name)
{
    const char *padded = apr_pstrcat(p, ", ", joined, ", ", NULL);

    return strstr(padded, apr_pstrcat(p, ", ", name, ", ", NULL)) != NULL;
}

/* Each ", "-separated element of joined is a token; returns how many. */
static int fuzz_all_tokens(apr_pool_t *p, const char *joined)
{
    char *s = apr_pstrdup(p, joined), *next;
    int n = 0;

    for (; s; s = next) {
        next = strstr(s, ", ");
        if (next) {
            *next = '\0';
            next += 2;
        }
        assert(cors_is_token(s));
        n++;
    }
    return n;
}

/* How many elements of a ", "-joined list are "*" */
static int fuzz_count_stars(apr_pool_t *p, const char *joined)
{
    const char *padded = apr_pstrcat(p, ", ", joined, ", ", NULL);
    int n = 0;

    for (; (padded = strstr(padded, ", *, ")) != NULL; padded += 3) {
        n++;
    }
    return n;
}

/* CorsAllowHeaders / CorsAllowMethods lines, then preflight values. */
static void fuzz_tokens(apr_pool_t *p, char **args, int nargs,
                        char **values, int nvalues, int lowercase)
{
    cmd_parms *cmd = fuzz_cmd_parms(p);
    cors_dir_conf *conf = create_cors_dir_config(p, NULL);
    cors_token_list *list = NULL;
    apr_hash_index_t *hi;
    int i, names = 0;

    for (i = 0; i < nargs; i++) {
        if (cors_add_tokens(cmd, conf,
                            lowercase ? CORS_SET_HEADERS : CORS_SET_METHODS,
                            &list, args[i], lowercase) != NULL) {
            return;
        }
    }
    if (!list) {
        return;
    }
    for (hi = apr_hash_first(p, list->names); hi; hi = apr_hash_next(hi)) {
        const char *key = apr_hash_this_key(hi);
        const char *name = apr_hash_this_val(hi);

        assert(cors_is_token(key) && cors_is_token(name));
        if (lowercase) {
            char *lower = apr_pstrdup(p, name);

            ap_str_tolower(lower);
            assert(!strcmp(lower, key));
        }
        assert(list->joined && fuzz_joined_has(p, list->joined, name));
        names++;
    }
    if (list->joined) {
        /* each name once, "*" included */
        assert(fuzz_all_tokens(p, list->joined)
               == names + fuzz_count_stars(p, list->joined));
        assert(fuzz_count_stars(p, list->joined) == list->wildcard);
    }
    else {
        assert(names == 0 && !list->wildcard);
    }
    for (i = 0; lowercase && i < nvalues; i++) {
        cors_headers_check check;
        cors_headers_result result;

        result = cors_check_request_headers(p, list, values[i], 1, 0,
                                            &check);
        if ((result == CORS_HEADERS_ALLOWED
             || result == CORS_HEADERS_REFUSED) && check.count) {
            assert(fuzz_all_tokens(p, check.echo) == check.count);
        }
    }
    for (i = 0; !lowercase && i < nvalues; i++) {
        if (cors_is_token(values[i])
            && apr_hash_get(list->names, values[i], APR_HASH_KEY_STRING)) {
            assert(cors_method_allowed(list, values[i]));
        }
    }
}

/* CorsAllowOrigin lines, then Origin values. */
static void fuzz_origins(apr_pool_t *p, char **args, int nargs,
                         char **values, int nvalues)
{
    cmd_parms *cmd = fuzz_cmd_parms(p);
    cors_dir_conf *conf = create_cors_dir_config(p, NULL);
    const cors_origin_policy *policy;
    int i, j, exact = 1;

    for (i = 0; i < nargs; i++) {
        if (set_cors_allow_origin(cmd, conf, args[i]) != NULL) {
            return;
        }
    }
    policy = conf->policy;
    if (!policy) {
        return;
    }
    for (i = 0; i < policy->listed->nelts; i++) {
        const char *entry = APR_ARRAY_IDX(policy->listed, i, const char *);

        exact = exact && !strchr(entry, '*') && strcmp(entry, "null");
    }
    /* every listed origin is allowed as written in the list */
    for (i = 0; i < policy->listed->nelts; i++) {
        const char *entry = APR_ARRAY_IDX(policy->listed, i, const char *);
        const char *why, *found;

        if (strcmp(entry, "*") && !strchr(entry, '*')) {
            assert(cors_match_origin(policy, entry, &why, &found)
                   == CORS_MATCH_LISTED);
        }
    }
    /* and with only exact origins, nothing else is */
    for (j = 0; exact && j < nvalues; j++) {
        const char *why, *found;
        cors_match m = cors_match_origin(policy, values[j], &why, &found);
        int listed = 0;

        for (i = 0; i < policy->listed->nelts; i++) {
            listed = listed || !strcmp(values[j],
                                       APR_ARRAY_IDX(policy->listed, i,
                                                     const char *));
        }
        assert((m == CORS_MATCH_LISTED) == listed);
    }
}

/* A response's header names (values[]), then the exposed names. */
static void fuzz_exposed(apr_pool_t *p, char **values, int nvalues)
{
    request_rec *r = apr_pcalloc(p, sizeof(*r));
    const char *names;
    int i;

    r->pool = p;
    r->headers_out = apr_table_make(p, 8);
    r->err_headers_out = apr_table_make(p, 2);
    for (i = 0; i < nvalues; i++) {
        /* httpd keeps only non-empty names; a CGI script or a proxied
         * backend may send any other bytes before the ':' */
        if (!*values[i]) {
            continue;
        }
        apr_table_addn((i & 1) ? r->err_headers_out : r->headers_out,
                       values[i], "v");
    }
    names = cors_exposed_response_names(r);
    if (!names) {
        return;
    }
    fuzz_all_tokens(p, names);
    /* each exposed name is one of the response's, not safelisted, once */
    {
        char *copy = apr_pstrdup(p, names), *s, *next;
        apr_hash_t *seen = apr_hash_make(p);

        for (s = copy; s; s = next) {
            char *lower;

            next = strstr(s, ", ");
            if (next) {
                *next = '\0';
                next += 2;
            }
            assert(apr_table_get(r->headers_out, s)
                   || apr_table_get(r->err_headers_out, s));
            assert(!cors_is_safelisted_response_header(s));
            assert(strncasecmp(s, "Access-Control-", 15) != 0);
            lower = apr_pstrdup(p, s);
            ap_str_tolower(lower);
            assert(!apr_hash_get(seen, lower, APR_HASH_KEY_STRING));
            apr_hash_set(seen, lower, APR_HASH_KEY_STRING, lower);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    char *input, *lines[64], *args[16];
    int nlines, nargs;
    size_t len;
    unsigned char mode;

    if (size < 1) {
        return 0;
    }
    if (!fuzz_pool) {
        apr_initialize();
        apr_pool_create(&fuzz_pool, NULL);
        /* as mod_cors's pre_config does: wildcards are checked against
         * the public suffix list */
        cors_psl = psl_latest(NULL);
    }
    apr_pool_create(&p, fuzz_pool);
    mode = data[0];
    len = strnlen((const char *)data + 1, size - 1);
    input = malloc(len + 1);
    memcpy(input, data + 1, len);
    input[len] = '\0';

    nlines = fuzz_split(input, '\n', lines, 64);
    nargs = fuzz_split(lines[0], '\t', args, 16);
    switch (mode % 4) {
    case 0:
        fuzz_tokens(p, args, nargs, lines + 1, nlines - 1, 1);
        break;
    case 1:
        fuzz_tokens(p, args, nargs, lines + 1, nlines - 1, 0);
        break;
    case 2:
        fuzz_origins(p, args, nargs, lines + 1, nlines - 1);
        break;
    default:
        fuzz_exposed(p, lines, nlines);
        break;
    }

    free(input);
    apr_pool_destroy(p);
    return 0;
}
