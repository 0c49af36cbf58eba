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
 * cors_match.c: parsing and matching of origins and tokens for mod_cors
 * (see cors_match.h).
 */

#include "apr_lib.h"
#include "apr_strings.h"

#include "httpd.h"

#include "cors_match.h"

/* RFC 9110 tchar, one load per byte: this runs for every byte of every
 * Access-Control-Request-Headers value */
static const unsigned char cors_tchar[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
    ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
    ['`'] = 1, ['|'] = 1, ['~'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1
};
#define CORS_IS_TCHAR(c) (cors_tchar[(unsigned char)(c)])

/* ASCII classes and lowercase without a call into the C library's locale
 * tables (apr_isalnum() and friends call it for every byte) */
#define CORS_ISDIGIT(c) ((c) >= '0' && (c) <= '9')
#define CORS_ISALPHA(c) (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')
#define CORS_ISALNUM(c) (CORS_ISDIGIT(c) || CORS_ISALPHA(c))
#define CORS_ISXDIGIT(c) (CORS_ISDIGIT(c) \
                          || (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'f'))
#define CORS_TOLOWER(c) ((c) >= 'A' && (c) <= 'Z' ? (c) + ('a' - 'A') : (c))

int cors_is_tchar(unsigned char c)
{
    return CORS_IS_TCHAR(c);
}

/* RFC 9110 tchar -> that byte in lowercase; 0 for every other byte (NUL,
 * ',', SP and HTAB among them).  Reading a header name is then one load
 * and one test per byte, and the load gives the byte to store. */
static const unsigned char cors_tchar_lower[256] = {
    ['!'] = '!', ['#'] = '#', ['$'] = '$', ['%'] = '%', ['&'] = '&',
    ['\''] = '\'', ['*'] = '*', ['+'] = '+', ['-'] = '-', ['.'] = '.',
    ['^'] = '^', ['_'] = '_', ['`'] = '`', ['|'] = '|', ['~'] = '~',
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
    ['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
    ['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
    ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
    ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
    ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
    ['Z'] = 'z',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
    ['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
    ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
    ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
    ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
    ['z'] = 'z'
};

/* Eight or four bytes, their letters lowercased: for a byte under 0x80, its
 * top bit is set by adding 0x80 - 'A' when it is 'A' or over, by adding
 * 0x80 - 'Z' - 1 when it is over 'Z', and no sum carries into the next
 * byte; 0x80 >> 2 is the case bit.  A byte of 0x80 or over may carry into
 * the next one, but keeps its own top bit. */
#define CORS_LOWER8(w) \
    ((w) | ((((w) + 0x3f3f3f3f3f3f3f3fULL) & ~((w) + 0x2525252525252525ULL) \
             & 0x8080808080808080ULL) >> 2))
#define CORS_LOWER4(w) \
    ((w) | ((((w) + 0x3f3f3f3fU) & ~((w) + 0x25252525U) & 0x80808080U) >> 2))

/* Out of line and out of the way of the code that calls it: what runs
 * only for the rare input */
#if defined(__GNUC__)
#define CORS_COLD __attribute__((cold, noinline))
#else
#define CORS_COLD
#endif

/* Are the n bytes (four or more) at name the n bytes of key, a word at a
 * time, the last overlapping the one before it, each word of name
 * lowercased first when lower is set?  Inlined with a constant lower. */
static APR_INLINE int cors_same_words(const unsigned char *name,
                                      const char *key, apr_size_t n,
                                      int lower)
{
    apr_uint64_t name8, key8;
    apr_uint32_t name4, key4;
    apr_size_t i;

    if (n >= 8) {
        for (i = 0; i + 8 < n; i += 8) {
            memcpy(&name8, name + i, 8);
            memcpy(&key8, key + i, 8);
            if ((lower ? CORS_LOWER8(name8) : name8) != key8) {
                return 0;
            }
        }
        memcpy(&name8, name + n - 8, 8);
        memcpy(&key8, key + n - 8, 8);
        return (lower ? CORS_LOWER8(name8) : name8) == key8;
    }
    memcpy(&name4, name, 4);
    memcpy(&key4, key, 4);
    if ((lower ? CORS_LOWER4(name4) : name4) != key4) {
        return 0;
    }
    memcpy(&name4, name + n - 4, 4);
    memcpy(&key4, key + n - 4, 4);
    return (lower ? CORS_LOWER4(name4) : name4) == key4;
}

/* cors_same_words, lowercasing: for the rare name not sent in lowercase */
static CORS_COLD int cors_same_lowered(const unsigned char *name,
                                       const char *key, apr_size_t n)
{
    return cors_same_words(name, key, n, 1);
}

/* Are the n bytes at name, lowercased, the n bytes of a lowercase token
 * key?  A word at a time (under four bytes: the first, middle and last,
 * which are all of them): a header name is a few words, and a call to
 * memcmp() costs more.  Browsers send the names in lowercase (Fetch), so
 * the words are compared as sent, and lowercased (cors_same_lowered) only
 * when one differs.  name may hold any bytes: one of 0x80 or over keeps
 * its top bit (CORS_LOWER8), a key's byte never has it, so such a word
 * never matches. */
static APR_INLINE int cors_same_lower(const unsigned char *name,
                                      const char *key, apr_size_t n)
{
    if (n >= 4) {
        return cors_same_words(name, key, n, 0)
               || cors_same_lowered(name, key, n);
    }
    return n == 0 || (cors_tchar_lower[name[0]] == (unsigned char)key[0]
                      && cors_tchar_lower[name[n / 2]]
                         == (unsigned char)key[n / 2]
                      && cors_tchar_lower[name[n - 1]]
                         == (unsigned char)key[n - 1]);
}

int cors_is_token(const char *s)
{
    if (*s == '\0') {
        return 0;
    }
    for (; *s; s++) {
        if (!CORS_IS_TCHAR(*s)) {
            return 0;
        }
    }
    return 1;
}

/* Checks a host name of host_len bytes: dot-separated labels of letters,
 * digits, '-' and '_'.  Returns NULL or what is wrong. */
static const char *cors_check_host_name(const char *host, apr_size_t len,
                                        int *labels)
{
    apr_size_t i, label_len = 0;

    *labels = 0;
    if (len > 253) {
        return "the host name is longer than 253 bytes";
    }
    for (i = 0; i < len; i++) {
        unsigned char c = host[i];

        if (c == '.') {
            if (label_len == 0) {
                return "the host name has an empty label";
            }
            label_len = 0;
        }
        else if (c == '*') {
            return "a wildcard may only stand as the whole first label "
                   "(https://*.example.com)";
        }
        else if (CORS_ISALNUM(c) || c == '-' || c == '_') {
            if (label_len++ == 0) {
                ++*labels;
            }
        }
        else {
            return "the host name has a character that is not allowed";
        }
    }
    if (label_len == 0) {
        return "the host name is empty or ends with a dot";
    }
    return NULL;
}

/* Cuts an origin "scheme://host[:port]" into parts.  With patterns set,
 * also accepts "*." before the host and ":*" as the port (configuration
 * only).  Returns NULL, or a phrase saying what is wrong. */
const char *cors_parse_origin(const char *origin, int patterns,
                              cors_origin_parts *parts)
{
    const char *s = origin, *authority, *end, *colon;
    apr_size_t len;
    int labels;

    memset(parts, 0, sizeof(*parts));
    len = strlen(origin);
#ifdef CORS_SELFTEST_OVERREAD
    /* make test-asan ASAN_SELFTEST=1: a deliberate read of the byte after
     * the terminating NUL, which the sanitizer suite must report */
    if (origin[len + 1] == '\x7f') {
        return "selftest";
    }
#endif
    if (len == 0) {
        return "it is empty";
    }
    if (len > CORS_ORIGIN_MAX_LEN) {
        return "it is longer than 512 bytes";
    }
    if (strchr(origin, ',')) {
        return "it is a list: the request has more than one Origin field";
    }
    for (; *s; s++) {
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f) {
            return "it contains a space, a control character or a "
                   "non-ASCII byte";
        }
    }

    s = origin;
    if (!CORS_ISALPHA(*s)) {
        return "it does not start with a scheme (http:// or https://)";
    }
    while (CORS_ISALNUM(*s) || *s == '+' || *s == '-' || *s == '.') {
        s++;
    }
    if (strncmp(s, "://", 3) != 0) {
        return "it does not start with a scheme (http:// or https://)";
    }
    parts->scheme = origin;
    parts->scheme_len = s - origin;

    authority = s + 3;
    end = authority + strcspn(authority, "/?#");
    if (*end) {
        if (end[0] == '/' && end[1] == '\0' && end > authority) {
            return "it ends with a slash (an origin has no path: "
                   "remove the trailing slash)";
        }
        return "it has a path, query or fragment (an origin is only "
               "scheme://host[:port])";
    }
    if (memchr(authority, '@', end - authority)) {
        return "it has user information before '@'";
    }
    if (authority == end) {
        return "it has no host";
    }

    if (*authority == '[') {
        /* IPv6 literal, kept as written between the brackets */
        const char *close = memchr(authority, ']', end - authority);
        const char *c;

        if (!close || close == authority + 1) {
            return "it has a malformed IPv6 address";
        }
        for (c = authority + 1; c < close; c++) {
            if (!CORS_ISXDIGIT(*c) && *c != ':' && *c != '.') {
                return "it has a malformed IPv6 address";
            }
        }
        parts->host = authority;
        parts->host_len = close + 1 - authority;
        colon = (close + 1 < end) ? close + 1 : NULL;
        if (colon && *colon != ':') {
            return "it has a malformed IPv6 address";
        }
    }
    else {
        const char *msg;

        colon = memchr(authority, ':', end - authority);
        parts->host = authority;
        parts->host_len = (colon ? colon : end) - authority;
        if (patterns && parts->host_len > 2
            && parts->host[0] == '*' && parts->host[1] == '.') {
            parts->host_wildcard = 1;
            parts->host += 2;
            parts->host_len -= 2;
        }
        if (parts->host_len == 0) {
            return "it has no host";
        }
        msg = cors_check_host_name(parts->host, parts->host_len, &labels);
        if (msg) {
            return msg;
        }
        if (parts->host_wildcard && labels < 2) {
            return "the wildcard stands directly above a top-level domain "
                   "and would match every site under it";
        }
    }

    if (colon) {
        apr_size_t i;

        parts->port = colon + 1;
        parts->port_len = end - parts->port;
        if (patterns && parts->port_len == 1 && parts->port[0] == '*') {
            parts->port_wildcard = 1;
            return NULL;
        }
        if (parts->port_len == 0 || parts->port_len > 5
            || parts->port[0] == '0') {
            return "it has a malformed port (1 to 65535)";
        }
        for (i = 0; i < parts->port_len; i++) {
            if (!CORS_ISDIGIT(parts->port[i])) {
                return "it has a malformed port (1 to 65535)";
            }
        }
        if (atoi(parts->port) > 65535) {
            return "it has a malformed port (1 to 65535)";
        }
    }
    return NULL;
}

/* Bytes of a label of a host name in serialized form: lowercase letters,
 * digits, '-' and '_'.  Not NUL, so a run stops at the end of a string. */
static const unsigned char cors_host_byte[256] = {
    ['-'] = 1, ['_'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1
};

/* cors_quick_origin, inlined where cors_match_origin calls it: the call
 * alone would cost a refused Origin some 15 instructions more */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static APR_INLINE int cors_quick_parse(const char *origin, apr_size_t len,
                                       cors_origin_parts *parts)
{
    const char *s, *label, *port;
    apr_size_t port_len, i;
    unsigned int value = 0;
    int labels = 0;

    if (len < 8 || len > CORS_ORIGIN_MAX_LEN) {
        return 0;
    }
    if (!memcmp(origin, "https://", 8)) {
        parts->scheme_len = 5;
    }
    else if (!memcmp(origin, "http://", 7)) {
        parts->scheme_len = 4;
    }
    else {
        return 0;
    }
    parts->scheme = origin;
    parts->host = s = origin + parts->scheme_len + 3;
    /* labels of at least one byte, dot-separated; the NUL at origin[len]
     * ends the last run */
    for (;;) {
        label = s;
        /* four bytes a round: this loop is most of what a refused
         * Origin costs */
        for (;;) {
            if (cors_host_byte[(unsigned char)s[0]] != 1) {
                break;
            }
            if (cors_host_byte[(unsigned char)s[1]] != 1) {
                s += 1;
                break;
            }
            if (cors_host_byte[(unsigned char)s[2]] != 1) {
                s += 2;
                break;
            }
            if (cors_host_byte[(unsigned char)s[3]] != 1) {
                s += 3;
                break;
            }
            s += 4;
        }
        if (s == label) {
            return 0;
        }
        labels++;
        if (*s != '.') {
            break;
        }
        s++;
    }
    parts->host_len = s - parts->host;
    if (parts->host_len > 253) {
        return 0;
    }
    parts->host_wildcard = 0;
    parts->port_wildcard = 0;
    if (s == origin + len) {
        parts->port = NULL;
        parts->port_len = 0;
        return labels;
    }
    /* ":port", 1 to 65535 without a leading zero, not the default */
    port = s + 1;
    port_len = origin + len - port;
    if (*s != ':' || port_len == 0 || port_len > 5 || *port == '0') {
        return 0;
    }
    for (i = 0; i < port_len; i++) {
        if (!CORS_ISDIGIT(port[i])) {
            return 0;
        }
        value = value * 10 + (port[i] - '0');
    }
    if (value > 65535 || value == (parts->scheme_len == 4 ? 80 : 443)) {
        return 0;
    }
    parts->port = port;
    parts->port_len = port_len;
    return labels;
}

int cors_quick_origin(const char *origin, apr_size_t len,
                      cors_origin_parts *parts)
{
    return cors_quick_parse(origin, len, parts);
}

/* Is the port the scheme's default, which a serialized origin omits? */
int cors_is_default_port(const cors_origin_parts *parts)
{
    if (!parts->port || parts->port_wildcard) {
        return 0;
    }
    if (parts->scheme_len == 4 && !strncasecmp(parts->scheme, "http", 4)) {
        return parts->port_len == 2 && !strncmp(parts->port, "80", 2);
    }
    if (parts->scheme_len == 5 && !strncasecmp(parts->scheme, "https", 5)) {
        return parts->port_len == 3 && !strncmp(parts->port, "443", 3);
    }
    return 0;
}

/* Writes the serialized form of parts into buf (at least as large as the
 * parsed string): lowercase, without a default port.  It is never longer
 * than the input. */
void cors_serialize_origin(const cors_origin_parts *parts, char *buf)
{
    char *out = buf;
    apr_size_t i;

    for (i = 0; i < parts->scheme_len; i++) {
        *out++ = CORS_TOLOWER(parts->scheme[i]);
    }
    memcpy(out, "://", 3);
    out += 3;
    if (parts->host_wildcard) {
        memcpy(out, "*.", 2);
        out += 2;
    }
    for (i = 0; i < parts->host_len; i++) {
        *out++ = CORS_TOLOWER(parts->host[i]);
    }
    if (parts->port_wildcard) {
        memcpy(out, ":*", 2);
        out += 2;
    }
    else if (parts->port && !cors_is_default_port(parts)) {
        *out++ = ':';
        memcpy(out, parts->port, parts->port_len);
        out += parts->port_len;
    }
    *out = '\0';
}


/* Looks up "<scheme>:" "//" "*.<suffix><port>" for each parent domain of the
 * host, and "<scheme>://<host>:*".  key has room for the whole origin. */
static const char *cors_lookup_patterns(const cors_origin_policy *policy,
                                        const cors_origin_parts *parts,
                                        char *key)
{
    unsigned int kinds = policy->pattern_kinds ? policy->pattern_kinds
                                               : ~0U;
    const char *found = NULL, *dot, *end = parts->host + parts->host_len;
    const char *origin_end;
    apr_size_t prefix_len = parts->scheme_len + 3, n;
    apr_hash_t *subdomains;

    /* "<scheme>://<host>:*"; scheme and host are one run of the origin */
    n = prefix_len + parts->host_len;
    if (kinds & CORS_PATTERN_ANY_PORT) {
        memcpy(key, parts->scheme, n);
        memcpy(key + n, ":*", 2);
        found = apr_hash_get(policy->patterns, key, n + 2);
    }
    if (found || parts->host[0] == '['
        || !(kinds & (CORS_PATTERN_SUB | CORS_PATTERN_SUB_PORT
                      | CORS_PATTERN_SUB_ANY_PORT))) {
        /* subdomain patterns never cover IP literals */
        return found;
    }

    /* "*.<parent>" for each parent of at least two labels (a wildcard
     * right above a top-level domain is refused when the configuration is
     * read): with the Origin's port or none, the Origin's own bytes from
     * the dot on are the key; with ":*", "<scheme>:" "//" "*.<parent>:*"
     * is built */
    subdomains = policy->subdomains[parts->scheme_len == 5];
    origin_end = parts->port ? parts->port + parts->port_len : end;
    if (kinds & CORS_PATTERN_SUB_ANY_PORT) {
        memcpy(key, parts->scheme, prefix_len);
        memcpy(key + prefix_len, "*.", 2);
    }
    for (dot = memchr(parts->host, '.', parts->host_len);
         dot && !found && memchr(dot + 1, '.', end - dot - 1);
         dot = memchr(dot + 1, '.', end - dot - 1)) {
        if (subdomains) {
            found = apr_hash_get(subdomains, dot, origin_end - dot);
        }
        if (!found && (kinds & CORS_PATTERN_SUB_ANY_PORT)) {
            n = prefix_len + 2;
            memcpy(key + n, dot + 1, end - dot - 1);
            n += end - dot - 1;
            memcpy(key + n, ":*", 2);
            found = apr_hash_get(policy->patterns, key, n + 2);
        }
    }
    return found;
}

/* cors_match_origin()'s pattern step alone, for the origins browsers
 * send most */
const char *cors_match_pattern(const cors_origin_policy *policy,
                               const char *origin, apr_size_t len)
{
    cors_origin_parts parts;
    char key[CORS_ORIGIN_MAX_LEN + 8];

    if (!cors_quick_parse(origin, len, &parts)) {
        return NULL;
    }
    return cors_lookup_patterns(policy, &parts, key);
}

/* APR's default hash takes a byte a round (and a random seed, against
 * keys chosen to collide); these keys are the administrator's, and a
 * request only looks one up, so eight bytes a round do. */
unsigned int cors_key_hash(const char *key, apr_ssize_t *klen)
{
    const unsigned char *s = (const unsigned char *)key;
    apr_uint64_t h = 0x9e3779b97f4a7c15ULL, word = 0;
    apr_size_t len, i;

    if (*klen == APR_HASH_KEY_STRING) {
        *klen = strlen(key);
    }
    len = (apr_size_t)*klen;
    /* eight bytes a round (APR's default takes one); the last round reads
     * the last eight bytes, overlapping the one before */
    for (i = 0; i + 8 < len; i += 8) {
        memcpy(&word, s + i, 8);
        h = (h ^ word) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    if (len >= 8) {
        memcpy(&word, s + len - 8, 8);
    }
    else {
        for (i = 0; i < len; i++) {
            word |= (apr_uint64_t)s[i] << (8 * i);
        }
    }
    h = (h ^ word ^ len) * 0x100000001b3ULL;
    h ^= h >> 32;
    return (unsigned int)h;
}

void cors_add_pattern(cors_origin_policy *policy, const char *key,
                      const char *entry)
{
    const char *host = strstr(key, "://") + 3;
    const char *colon = strrchr(host, ':');
    int sub = (host[0] == '*');

    if (!sub) {
        policy->pattern_kinds |= CORS_PATTERN_ANY_PORT;
    }
    else if (!colon) {
        policy->pattern_kinds |= CORS_PATTERN_SUB;
    }
    else if (colon[1] == '*') {
        policy->pattern_kinds |= CORS_PATTERN_SUB_ANY_PORT;
    }
    else {
        policy->pattern_kinds |= CORS_PATTERN_SUB_PORT;
    }
    apr_hash_set(policy->patterns, key, APR_HASH_KEY_STRING, entry);
    if (sub && !(colon && colon[1] == '*')) {
        apr_hash_t **subdomains = &policy->subdomains[host - key == 8];

        if (!*subdomains) {
            *subdomains = apr_hash_make_custom(
                apr_hash_pool_get(policy->patterns), cors_key_hash);
        }
        apr_hash_set(*subdomains, host + 1, APR_HASH_KEY_STRING, entry);
    }
}

/* The configured entry of an exact origin equal to origin (of len
 * bytes), or NULL. */
static const char *cors_lookup_exact(const cors_origin_policy *policy,
                                     const char *origin, apr_size_t len)
{
    const cors_exact_origin *e;
    int i;

    if (!policy->exact_list
        || policy->exact_list->nelts > CORS_EXACT_SCAN_MAX) {
        return apr_hash_get(policy->exact, origin, len);
    }
    e = (const cors_exact_origin *)policy->exact_list->elts;
    for (i = 0; i < policy->exact_list->nelts; i++) {
        if (e[i].len == len && !memcmp(e[i].key, origin, len)) {
            return e[i].entry;
        }
    }
    return NULL;
}

/* What cors_match_origin() says of an Origin that no entry matches:
 * whether it is a serialized origin (or "null"), i.e. refused rather than
 * malformed.  For a policy that can match nothing but its exact entries,
 * once they are looked up. */
int cors_origin_well_formed(const char *origin)
{
    cors_origin_parts parts;
    char serialized[CORS_ORIGIN_MAX_LEN + 1];
    apr_size_t len = strlen(origin);

    if ((len == 4 && !memcmp(origin, "null", 4))
        || cors_quick_parse(origin, len, &parts)) {
        return 1;
    }
    if (cors_parse_origin(origin, 0, &parts)) {
        return 0;
    }
    cors_serialize_origin(&parts, serialized);
    return strcmp(serialized, origin) == 0;
}

/* Matches a request's Origin value against a policy.  *why says what is
 * wrong with a malformed one; *entry names the configured entry that
 * matched. */
cors_match cors_match_origin(const cors_origin_policy *policy,
                             const char *origin, const char **why,
                             const char **entry)
{
    cors_origin_parts parts;
    char serialized[CORS_ORIGIN_MAX_LEN + 1];
    char key[CORS_ORIGIN_MAX_LEN + 8];
    apr_size_t len = strlen(origin);
    int is_null = (len == 4 && !memcmp(origin, "null", 4));
    int i;

    *why = NULL;
    *entry = cors_lookup_exact(policy, origin, len);
    if (*entry) {
        return CORS_MATCH_LISTED;
    }
    if (is_null) {
        /* no parts: only an exact or a regex entry allows "null" */
    }
    else if (cors_quick_parse(origin, len, &parts)) {
        /* already serialized: nothing to parse or compare */
        if (apr_hash_count(policy->patterns)) {
            *entry = cors_lookup_patterns(policy, &parts, key);
        }
    }
    else {
        *why = cors_parse_origin(origin, 0, &parts);
        if (*why) {
            return CORS_MATCH_MALFORMED;
        }
        /* Browsers send the serialized form; anything else (uppercase,
         * ":443" written out) is not an origin a browser would send, and
         * accepting it would reflect a string we never listed. */
        cors_serialize_origin(&parts, serialized);
        if (strcmp(serialized, origin) != 0) {
            *why = "it is not in serialized form (uppercase letters, or a "
                   "default port written out)";
            return CORS_MATCH_MALFORMED;
        }
        if (apr_hash_count(policy->patterns)) {
            *entry = cors_lookup_patterns(policy, &parts, key);
        }
    }
    for (i = 0; !*entry && i < policy->regexes->nelts; i++) {
        const cors_origin_regex *re =
            &APR_ARRAY_IDX(policy->regexes, i, cors_origin_regex);

        if (ap_regexec(re->compiled, origin, 0, NULL, 0) == 0) {
            *entry = re->source;
        }
    }
    if (*entry) {
        return CORS_MATCH_LISTED;
    }
    /* "null" is an opaque origin (sandboxed iframes, file: pages): only an
     * explicit "null" entry allows it, never "*" */
    if (policy->any && !is_null) {
        *entry = "*";
        return CORS_MATCH_ANY;
    }
    return CORS_MATCH_NONE;
}

/* Appends " and N more" when shown < total; at most a few dozen bytes. */
static void cors_add_more(char **out, int shown, int total)
{
    if (total > shown) {
        *out += sprintf(*out, " and %d more", total - shown);
    }
}

/* How an Access-Control-Request-Headers value over the cap is described */
#define CORS_TOO_MANY_DETAIL \
    "it lists more than " APR_STRINGIFY(CORS_MAX_REQUEST_HEADERS) " names"

/* Is the byte optional whitespace (SP or HTAB)? */
#define CORS_IS_OWS(c) ((c) == ' ' || (c) == '\t')

/* The next element of a comma-separated list from s on, past empty
 * elements and whitespace (RFC 9110's #rule); NULL at the value's end */
static APR_INLINE const unsigned char *cors_next_element(
    const unsigned char *s)
{
    while (*s == ',' || CORS_IS_OWS(*s)) {
        s++;
    }
    return *s ? s : NULL;
}

/* Does the element whose name ends at *s end there, with only whitespace
 * before the next comma or the value's end?  *s is moved past it. */
static APR_INLINE int cors_element_ends(const unsigned char **s)
{
    while (CORS_IS_OWS(**s)) {
        (*s)++;
    }
    return **s == ',' || !**s;
}

/* How far past the longest key the value is searched for its end (the
 * NUL) at once, before keys are compared with it: a few names' worth. */
#define CORS_LOOKAHEAD 64

/* A name of an Access-Control-Request-Headers value, for the echo */
typedef struct {
    const unsigned char *at;
    apr_size_t len;
} cors_name_span;

/* The names, lowercased and ", "-joined, in one allocation */
static char *cors_join_names(apr_pool_t *p, const cors_name_span *names,
                             int count)
{
    apr_size_t size = 1, i;
    char *joined, *out;
    int k;

    for (k = 0; k < count; k++) {
        size += names[k].len + 2;
    }
    joined = out = apr_palloc(p, size);
    for (k = 0; k < count; k++) {
        if (k) {
            *out++ = ',';
            *out++ = ' ';
        }
        for (i = 0; i < names[k].len; i++) {
            *out++ = cors_tchar_lower[names[k].at[i]];
        }
    }
    *out = '\0';
    return joined;
}

/* What cors_check_request_headers keeps for the names that are not in a
 * short list: they are looked up in the hash, allowed by "*" or refused. */
typedef struct {
    apr_pool_t *p;
    const cors_token_list *list;        /* NULL: every name is refused */
    int hashed;                         /* list->keys is not scanned */
    char *lower;                        /* the name lowercased, for the hash */
    apr_size_t lower_size;
    char *detail;                       /* where the next refused name goes */
    int refused;
} cors_unlisted;

/* Is a well-formed name (n bytes, any case) that no short list holds
 * allowed?  The first refused ones go into the detail, lowercased and cut
 * to CORS_DETAIL_NAME_LEN bytes. */
static void cors_check_unlisted(cors_unlisted *u, const unsigned char *name,
                                apr_size_t n)
{
    const cors_token_list *list = u->list;
    apr_size_t i;

    if (u->hashed) {
        if (n >= u->lower_size) {
            u->lower_size = 2 * n + 1;
            u->lower = apr_palloc(u->p, u->lower_size);
        }
        for (i = 0; i < n; i++) {
            u->lower[i] = cors_tchar_lower[name[i]];
        }
        if (apr_hash_get(list->names, u->lower, n)) {
            return;
        }
    }
    /* Fetch: "*" is a wildcard for every name but Authorization */
    if (list && list->wildcard
        && !(n == 13 && cors_same_lower(name, "authorization", 13))) {
        return;
    }
    if (u->detail && u->refused < CORS_DETAIL_NAMES) {
        if (u->refused) {
            *u->detail++ = ',';
            *u->detail++ = ' ';
        }
        for (i = 0; i < n && i < CORS_DETAIL_NAME_LEN; i++) {
            *u->detail++ = cors_tchar_lower[name[i]];
        }
        if (n > CORS_DETAIL_NAME_LEN) {
            memcpy(u->detail, "...", 3);
            u->detail += 3;
        }
        *u->detail = '\0';
    }
    u->refused++;
}

/* Checks each name of an Access-Control-Request-Headers value against a
 * list, in one pass over the value: time and memory are linear in its
 * length, whatever it holds, and no more than the longest key and
 * CORS_LOOKAHEAD bytes past the name that goes over the cap are read, so
 * a value over the cap costs no more than finding its 65th name.  Once a
 * name is refused, and neither the echo nor the detail is wanted, the
 * rest are only counted and checked.  Empty list elements are skipped, as
 * RFC 9110's #rule asks.  The strings of *check are built only when asked
 * for: the echo for a credentialed "*", once the value is known to be
 * within the cap, and the detail for the debug log. */
cors_headers_result cors_check_request_headers(apr_pool_t *p,
                                               const cors_token_list *list,
                                               const char *requested,
                                               int want_echo, int want_detail,
                                               cors_headers_check *check)
{
    const unsigned char *s = (const unsigned char *)requested, *name;
    /* the value has no NUL before known */
    const unsigned char *known = s;
    const cors_exact_origin *keys = NULL, *keys_end = NULL, *e;
    /* the names read, for the echo */
    cors_name_span *spans = NULL;
    cors_unlisted unlisted = { p, list, 0, NULL, 0, NULL, 0 };
    char *detail_start = NULL;
    apr_size_t longest = 0, n;
    int names = 0;

    check->echo = NULL;
    check->detail = NULL;
    if (want_echo) {
        spans = apr_palloc(p, CORS_MAX_REQUEST_HEADERS * sizeof(*spans));
    }
    if (want_detail) {
        /* the first CORS_DETAIL_NAMES refused names of at most
         * CORS_DETAIL_NAME_LEN bytes each, ", "-joined, and the count */
        check->detail = unlisted.detail = detail_start =
            apr_palloc(p, CORS_DETAIL_NAMES * (CORS_DETAIL_NAME_LEN + 5) + 32);
        *detail_start = '\0';
    }
    if (list && list->keys && list->keys->nelts <= CORS_EXACT_SCAN_MAX) {
        keys = (const cors_exact_origin *)list->keys->elts;
        keys_end = keys + list->keys->nelts;
        for (e = keys; e < keys_end; e++) {
            if (e->len > longest) {
                longest = e->len;
            }
        }
    }
    else if (list) {
        unlisted.hashed = 1;
    }

    while ((s = cors_next_element(s))) {
        unsigned char first;

        if (++names > CORS_MAX_REQUEST_HEADERS) {
            goto too_many;
        }
        name = s;
        /* A listed name, as most are, is found without reading it byte by
         * byte: a key of a short list that the value holds here, in any
         * case, and that no more of the token follows.  A key is a token,
         * so the name is one.  Where the value ends is first known at
         * least as far as the longest key. */
        if (longest
            && (known <= name || (apr_size_t)(known - name) < longest)) {
            known = name + strnlen((const char *)name,
                                   longest + CORS_LOOKAHEAD);
        }
        first = cors_tchar_lower[name[0]];
        for (e = keys; e < keys_end; e++) {
            if ((unsigned char)e->key[0] == first
                && e->len <= (apr_size_t)(known - name)
                && !cors_tchar_lower[name[e->len]]
                && cors_same_lower(name, e->key, e->len)) {
                break;
            }
        }
        if (e < keys_end) {
            n = e->len;
        }
        else {
            for (n = 0; cors_tchar_lower[name[n]]; n++) {
            }
        }
        s = name + n;
        if (!cors_element_ends(&s)) {
            goto malformed;
        }
        if (spans) {
            spans[names - 1].at = name;
            spans[names - 1].len = n;
        }
        if (e == keys_end) {
            cors_check_unlisted(&unlisted, name, n);
            if (unlisted.refused && !spans && !unlisted.detail) {
                goto refused;
            }
        }
    }
    check->count = names;
    if (spans) {
        check->echo = cors_join_names(p, spans, names);
    }
    if (unlisted.refused && unlisted.detail) {
        cors_add_more(&unlisted.detail, CORS_DETAIL_NAMES, unlisted.refused);
    }
    return unlisted.refused ? CORS_HEADERS_REFUSED : CORS_HEADERS_ALLOWED;

refused:
    /* The answer is a refusal, unless a later name is malformed or over the
     * cap: the rest are only counted and checked. */
    while ((s = cors_next_element(s))) {
        if (++names > CORS_MAX_REQUEST_HEADERS) {
            goto too_many;
        }
        name = s;
        while (cors_tchar_lower[*s]) {
            s++;
        }
        if (!cors_element_ends(&s)) {
            goto malformed;
        }
    }
    check->count = names;
    return CORS_HEADERS_REFUSED;

malformed:
    /* The name is the element as sent, trailing whitespace off.  Over the
     * cap the value is too many names before it is a malformed one: count
     * on, to the 65th name at most.  The echo has the names before it. */
    check->count = names;
    while (*s && *s != ',') {
        s++;
    }
    n = s - name;
    while (CORS_IS_OWS(name[n - 1])) {
        n--;
    }
    while ((s = cors_next_element(s))) {
        if (++names > CORS_MAX_REQUEST_HEADERS) {
            goto too_many;
        }
        while (*s && *s != ',') {
            s++;
        }
    }
    if (spans) {
        check->echo = cors_join_names(p, spans, check->count - 1);
    }
    if (want_detail) {
        /* as sent, not lowercased, and alone: not after the refused
         * names found before it */
        sprintf(detail_start, "%.*s%s",
                (int)(n < CORS_DETAIL_NAME_LEN ? n : CORS_DETAIL_NAME_LEN),
                (const char *)name, n > CORS_DETAIL_NAME_LEN ? "..." : "");
    }
    return CORS_HEADERS_MALFORMED;

too_many:
    check->echo = NULL;
    check->count = names;
    check->detail = want_detail ? CORS_TOO_MANY_DETAIL : NULL;
    return CORS_HEADERS_TOO_MANY;
}

/* Does a list allow a requested method?  Methods are case-sensitive.  A
 * short list is scanned: each byte of the method is compared only once
 * the bytes before it matched, so none is read past its NUL and its
 * length is not needed; a longer one is looked up in the hash. */
int cors_method_allowed(const cors_token_list *list,
                        const char *method)
{
    const cors_exact_origin *e, *keys_end;
    apr_size_t i;

    switch (method[0]) {
    case 'G':
        if (method[1] == 'E' && method[2] == 'T' && !method[3]) {
            return 1;
        }
        break;
    case 'H':
        if (method[1] == 'E' && method[2] == 'A' && method[3] == 'D'
            && !method[4]) {
            return 1;
        }
        break;
    case 'P':
        if (method[1] == 'O' && method[2] == 'S' && method[3] == 'T'
            && !method[4]) {
            return 1;
        }
        break;
    }
    if (list->wildcard) {
        return 1;
    }
    if (!list->names) {
        return 0;
    }
    if (!list->keys || list->keys->nelts > CORS_EXACT_SCAN_MAX) {
        return apr_hash_get(list->names, method, APR_HASH_KEY_STRING) != NULL;
    }
    e = (const cors_exact_origin *)list->keys->elts;
    for (keys_end = e + list->keys->nelts; e < keys_end; e++) {
        for (i = 0; i < e->len && method[i] == e->key[i]; i++) {
        }
        if (i == e->len && !method[i]) {
            return 1;
        }
    }
    return 0;
}

/* The policy's CorsAllowOrigin entries for the log, at most eight. */
const char *cors_listed_summary(apr_pool_t *p,
                                const cors_origin_policy *policy)
{
    const char *summary = NULL;
    int i, shown = policy->listed->nelts < 8 ? policy->listed->nelts : 8;

    for (i = 0; i < shown; i++) {
        const char *entry = APR_ARRAY_IDX(policy->listed, i, const char *);

        summary = summary ? apr_pstrcat(p, summary, " ", entry, NULL) : entry;
    }
    if (policy->listed->nelts > shown) {
        summary = apr_psprintf(p, "%s and %d more", summary,
                               policy->listed->nelts - shown);
    }
    return summary ? summary : "empty";
}

/* Skips a leading "www." for comparing hosts; says whether it did. */
static int cors_strip_www(const char **host, apr_size_t *len)
{
    if (*len > 4 && !strncasecmp(*host, "www.", 4)) {
        *host += 4;
        *len -= 4;
        return 1;
    }
    return 0;
}

/* For a refused or malformed Origin: a configured origin that differs
 * from it only by scheme, port, "www.", letter case or a trailing slash,
 * with what differs, or NULL.  These are what people get wrong most. */
const char *cors_near_miss(apr_pool_t *p,
                           const cors_origin_policy *policy,
                           const char *origin)
{
    cors_origin_parts asked, listed;
    apr_size_t len = strlen(origin);
    int asked_www, i;

    if (len > 1 && origin[len - 1] == '/'
        && apr_hash_get(policy->exact, origin, len - 1)) {
        return apr_pstrcat(p, apr_pstrmemdup(p, origin, len - 1),
                           " (the Origin has a trailing slash; browsers "
                           "never send one)", NULL);
    }
    if (cors_parse_origin(origin, 0, &asked) != NULL) {
        return NULL;
    }
    asked_www = cors_strip_www(&asked.host, &asked.host_len);
    for (i = 0; i < policy->listed->nelts; i++) {
        const char *entry = APR_ARRAY_IDX(policy->listed, i, const char *);
        const char *differs = NULL;

        if (cors_parse_origin(entry, 1, &listed) != NULL
            || listed.host_wildcard) {
            continue;
        }
        if (cors_strip_www(&listed.host, &listed.host_len) != asked_www) {
            differs = "\"www.\"";
        }
        if (listed.host_len != asked.host_len
            || strncasecmp(listed.host, asked.host, asked.host_len)) {
            continue;
        }
        if (listed.scheme_len != asked.scheme_len
            || strncasecmp(listed.scheme, asked.scheme, asked.scheme_len)) {
            differs = differs ? apr_pstrcat(p, "scheme and ", differs, NULL)
                              : "scheme";
        }
        if (listed.port_len != asked.port_len
            || (asked.port
                && strncmp(listed.port, asked.port, asked.port_len))) {
            differs = differs ? apr_pstrcat(p, "port and ", differs, NULL)
                              : "port";
        }
        /* entries are lowercase: what is left is the Origin's case */
        if (!differs) {
            differs = "letter case (browsers send lowercase)";
        }
        return apr_psprintf(p, "%s (differs by %s)", entry, differs);
    }
    return NULL;
}

/* Advice for a CorsAllowOriginMatch regex that matches more hosts than
 * it seems to, or NULL.  A cheap look at the source, not a proof. */
const char *cors_regex_advice(const char *re)
{
    const char *c;
    int in_class = 0;

    for (c = re; *c; c++) {
        if (*c == '\\') {
            if (c[1]) {
                c++;
            }
        }
        else if (in_class) {
            in_class = (*c != ']');
        }
        else if (*c == '[') {
            in_class = 1;
        }
        else if (*c == '.' && (c[1] == '*' || c[1] == '+')) {
            if (apr_isalnum(c[2])) {
                return "'.*' or '.+' right before a name also matches "
                       "longer host names ('.*example' matches "
                       "'evilexample'): write '([a-z0-9-]+[.])*example'";
            }
        }
        else if (*c == '.' && c[1] != '?' && c[1] != '{') {
            return "an unescaped '.' matches any character "
                   "('app.example' also matches 'appxexample'): write '[.]' "
                   "for a literal dot";
        }
    }
    return NULL;
}

