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
 * - "null" is never allowed through "*".
 */

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
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
static cors_origin_policy listed_policy, any_policy;
static cors_token_list allowed_headers;
/* mod_cors's default CorsAllowMethods: GET, HEAD and POST, no hash */
static const cors_token_list default_methods = { NULL, NULL, "GET, HEAD, POST", 0 };

static void fuzz_policy(cors_origin_policy *policy, int any)
{
    static const char *const keys[] = {
        "https://a.example", "http://127.0.0.1:8080", "https://[::1]:8443",
        "http://localhost:*", "https://*.example.com",
        "https://*.example.com:*", "https://www.site.example", "null", NULL
    };
    int i;

    policy->exact = apr_hash_make(fuzz_pool);
    policy->patterns = apr_hash_make(fuzz_pool);
    policy->exact_list = NULL;      /* the hash only; t/ covers the scan */
    policy->listed = apr_array_make(fuzz_pool, 8, sizeof(const char *));
    policy->regexes = apr_array_make(fuzz_pool, 1, sizeof(cors_origin_regex));
    policy->any = any;
    for (i = 0; keys[i] && !(any && !strcmp(keys[i], "null")); i++) {
        apr_hash_set(strchr(keys[i], '*') ? policy->patterns : policy->exact,
                     keys[i], APR_HASH_KEY_STRING, keys[i]);
        *(const char **)apr_array_push(policy->listed) = keys[i];
    }
}

static void fuzz_setup(void)
{
    apr_initialize();
    apr_pool_create(&fuzz_pool, NULL);
    fuzz_policy(&listed_policy, 0);
    fuzz_policy(&any_policy, 1);
    allowed_headers.names = apr_hash_make(fuzz_pool);
    apr_hash_set(allowed_headers.names, "content-type", APR_HASH_KEY_STRING,
                 "Content-Type");
    apr_hash_set(allowed_headers.names, "x-demo", APR_HASH_KEY_STRING,
                 "X-Demo");
    allowed_headers.joined = "Content-Type, X-Demo";
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *input;
    cors_headers_check check;

    if (!fuzz_pool) {
        fuzz_setup();
    }
    apr_pool_create(&p, fuzz_pool);
    /* a header value ends at the first NUL, as httpd's do */
    input = apr_pstrmemdup(p, (const char *)data, size);

    fuzz_parse(p, input);
    fuzz_match(p, input);
    cors_check_request_headers(p, &allowed_headers, input, 1, 1, &check);
    cors_method_allowed(&default_methods, input);
    cors_is_token(input);
    cors_regex_advice(input);

    apr_pool_destroy(p);
    return 0;
}
