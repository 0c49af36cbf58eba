/* Copyright 2026 the mod_cors authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/*
 * cors_match.h: mod_cors's parsing and matching of origins and tokens.
 * They need only APR and, for CorsAllowOriginMatch, ap_regexec (no
 * request_rec, no running server), so they are tested and fuzzed on their
 * own (fuzz/cors_fuzz.c).
 */

#ifndef CORS_MATCH_H
#define CORS_MATCH_H

#include "apr_hash.h"
#include "apr_tables.h"
#include "ap_regex.h"

/* Longer Origin values are refused unread: a 253-byte host name with a
 * scheme and port fits with room to spare. */
#define CORS_ORIGIN_MAX_LEN 512

/* Up to this many exact origins are compared one by one; longer lists
 * are looked up in the hash. */
#define CORS_EXACT_SCAN_MAX 4

typedef struct {
    const char *key;            /* serialized origin, or "null" */
    apr_size_t len;
    const char *entry;          /* as configured */
} cors_exact_origin;

/* One origin policy: CorsAllowOrigin and CorsAllowOriginMatch lines of
 * one scope.  An inner scope replaces it whole. */
typedef struct {
    /* Exact origins, serialized, and "null" -> the configured text.  A
     * key is by construction a serialized origin, so an Origin is looked
     * up here as sent, before any parsing: a hit needs none. */
    apr_hash_t *exact;
    /* the same, as an array of cors_exact_origin, for short lists:
     * comparing a few strings costs less than hashing one */
    apr_array_header_t *exact_list;
    /* Pattern keys -> the configured text: "http://localhost:*" any port,
     * "https:" "//" "*.example.com" (and with ":*") for subdomains.  A
     * request looks up a handful of keys built from its Origin, so the
     * cost does not grow with the list. */
    apr_hash_t *patterns;
    /* The "*.<parent>" patterns with no port or a given one, by scheme
     * ([0] http, [1] https), keyed by ".<parent>" or ".<parent>:<port>":
     * the bytes an Origin they allow ends with, looked up there without
     * building a key.  NULL while there are none. */
    apr_hash_t *subdomains[2];
    /* which kinds of key patterns has (CORS_PATTERN_*), so a request looks
     * up only keys that can be there; 0: not known, try every kind */
    unsigned int pattern_kinds;
    /* CorsAllowOrigin values, normalized, in order, for the log and the
     * cors-info page */
    apr_array_header_t *listed;
    /* CorsAllowOriginMatch: cors_origin_regex, tried in order */
    apr_array_header_t *regexes;
    /* "*" was listed */
    int any;
    /* where "null" and the first http:// origin were listed, or NULL:
     * the start-up warnings point there */
    const char *null_at;
    const char *http_at;
    /* where the policy was written: "file:line in <Location /api>" */
    const char *defined_at;
} cors_origin_policy;

typedef struct {
    ap_regex_t *compiled;       /* anchored: ^(?:source)$ */
    const char *source;         /* as written, for the log */
    const char *defined_at;     /* "file:line in <Location /api>" */
} cors_origin_regex;

/* A list of methods or header names. */
typedef struct {
    /* listed names (header names lowercased) -> the name as written */
    apr_hash_t *names;
    /* the same keys as cors_exact_origin (entry: the name as written),
     * compared one by one while there are at most CORS_EXACT_SCAN_MAX;
     * NULL: the hash only */
    apr_array_header_t *keys;
    /* the list as sent in a response: "GET, PUT" */
    const char *joined;
    /* "*" was listed */
    int wildcard;
} cors_token_list;

/* An origin cut into its parts; pointers into the parsed string. */
typedef struct {
    const char *scheme;
    apr_size_t scheme_len;
    const char *host;           /* after "*." for a subdomain pattern */
    apr_size_t host_len;
    const char *port;           /* NULL: none given */
    apr_size_t port_len;
    int host_wildcard;          /* "*.example.com" */
    int port_wildcard;          /* ":*" */
} cors_origin_parts;

/* How an Origin fared against a policy. */
typedef enum {
    CORS_MATCH_NONE,            /* well-formed, not allowed */
    CORS_MATCH_MALFORMED,       /* not a serialized origin */
    CORS_MATCH_LISTED,          /* exact, pattern, null or regex */
    CORS_MATCH_ANY              /* only through "*" */
} cors_match;

/* The most names an Access-Control-Request-Headers value may list.
 * Browsers send only the few non-safelisted headers a script set; a
 * longer list is refused as malformed. */
#define CORS_MAX_REQUEST_HEADERS 64

/* How many refused names the debug log shows, and how much of each */
#define CORS_DETAIL_NAMES 8
#define CORS_DETAIL_NAME_LEN 64

/* How an Access-Control-Request-Headers value fared against a list. */
typedef enum {
    CORS_HEADERS_ALLOWED,
    CORS_HEADERS_REFUSED,       /* well-formed; some names not allowed */
    CORS_HEADERS_MALFORMED,     /* a name that is not a token */
    CORS_HEADERS_TOO_MANY       /* more than CORS_MAX_REQUEST_HEADERS */
} cors_headers_result;

/* What cors_check_request_headers found. */
typedef struct {
    /* the requested names, lowercase, ", "-joined (when asked for) */
    const char *echo;
    /* for the log (when asked for): the refused names, the malformed
     * name, or what is too many; bounded */
    const char *detail;
    /* names read, up to one more than CORS_MAX_REQUEST_HEADERS */
    int count;
} cors_headers_check;

/* Kinds of pattern keys (cors_origin_policy.pattern_kinds) */
#define CORS_PATTERN_ANY_PORT 1         /* a host, any port: "host:*" */
#define CORS_PATTERN_SUB 2              /* "*.example.com" */
#define CORS_PATTERN_SUB_PORT 4         /* "*.example.com:8443" */
#define CORS_PATTERN_SUB_ANY_PORT 8     /* "*.example.com:*" */

int cors_is_tchar(unsigned char c);
int cors_is_token(const char *s);
const char *cors_parse_origin(const char *origin, int patterns,
                              cors_origin_parts *parts);
/* Recognizes in one pass the origins browsers send most: "http://" or
 * "https://", a lowercase host name and an optional port other than the
 * scheme's default, i.e. a subset of what cors_parse_origin accepts and
 * cors_serialize_origin leaves unchanged.  origin has len bytes and a NUL
 * after them.  Fills parts as cors_parse_origin would, and returns the
 * host's number of labels, or 0 for anything else, which only the full
 * parser may judge: it alone says what is wrong. */
int cors_quick_origin(const char *origin, apr_size_t len,
                      cors_origin_parts *parts);
int cors_is_default_port(const cors_origin_parts *parts);
void cors_serialize_origin(const cors_origin_parts *parts, char *buf);
/* The hash function of the policy's hashes (apr_hash_make_custom): their
 * keys are chosen by the administrator, and a request only looks up. */
unsigned int cors_key_hash(const char *key, apr_ssize_t *klen);
/* Adds a pattern key (serialized, as cors_serialize_origin writes one
 * with a wildcard) and the entry as configured to policy->patterns. */
void cors_add_pattern(cors_origin_policy *policy, const char *key,
                      const char *entry);
int cors_origin_well_formed(const char *origin);
/* The subdomain or any-port pattern of policy that allows origin (len
 * bytes, NUL-terminated) when no exact entry lists it, as
 * cors_match_origin() would find it; NULL for every other origin, and
 * for one that only the full parser may judge.  Needs policy->patterns
 * non-empty. */
const char *cors_match_pattern(const cors_origin_policy *policy,
                               const char *origin, apr_size_t len);
cors_match cors_match_origin(const cors_origin_policy *policy,
                             const char *origin, const char **why,
                             const char **entry);
cors_headers_result cors_check_request_headers(apr_pool_t *p,
                                               const cors_token_list *list,
                                               const char *requested,
                                               int want_echo, int want_detail,
                                               cors_headers_check *check);
int cors_method_allowed(const cors_token_list *list, const char *method);
const char *cors_listed_summary(apr_pool_t *p,
                                const cors_origin_policy *policy);
const char *cors_near_miss(apr_pool_t *p, const cors_origin_policy *policy,
                           const char *origin);
const char *cors_regex_advice(const char *re);

#endif /* CORS_MATCH_H */
