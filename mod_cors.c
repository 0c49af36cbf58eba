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
 * mod_cors.c: answers cross-origin (CORS) requests as the WHATWG Fetch
 * standard's "CORS protocol" expects, per directory.
 *
 *   CorsAllowOrigin https://app.example.com http://localhost:*
 *   CorsAllowOriginMatch ^https://review-[0-9]+\.example\.net$
 *   CorsAllowMethods GET POST PUT DELETE
 *   CorsAllowHeaders Content-Type X-Requested-With
 *   CorsExposeHeaders X-Request-Id
 *   CorsAllowCredentials On
 *   CorsMaxAge 600
 *
 * Origins may also be subdomain patterns (a "*." label before
 * example.com) and any-port patterns (":*").  Every value is validated
 * and normalized when the configuration is read, so a bad origin stops
 * "apache2 -t" instead of failing in a browser.
 *
 * Where each part happens in the request cycle (server/request.c,
 * ap_process_request_internal), and why:
 *
 * header_parser, REALLY_FIRST:  the first phase where the per-directory
 *     configuration is final; the decision is made here, so CORS_RESULT is
 *     set for per-directory SetEnvIf, "Require env" and everything later,
 *     and the fields of an actual response are set into headers_out right
 *     away.  Nothing later that keeps the response replaces that table
 *     (MultiViews and mod_dir's fast redirects overlay it); an error answer
 *     keeps only err_headers_out, where insert_error_filter sets them.
 *
 * access_checker_ex, REALLY_LAST:  a preflight never carries credentials,
 *     so behind "Require valid-user" it would get 401 and the browser
 *     would refuse the real request.  mod_authz_core's authorize_userless
 *     runs at LAST in this hook: it answers 403 for client-address rules
 *     (Require ip/host/all denied) and declines when it needs a user.  Only
 *     then does this hook see an *allowed* preflight, and it exempts it
 *     from authentication by answering it right there: it writes the 204
 *     and returns DONE, which ends ap_process_request_internal().  The
 *     exemption and the answer are one step, so nothing that could reveal
 *     or act on the protected resource runs for the request: no type
 *     checker (mod_negotiation's MultiViews 406 lists the variants), no
 *     fixup (mod_headers' RequestHeader, per-directory rewrites), no
 *     handler.  This does not depend on winning any hook race: mod_proxy's
 *     handler claims every proxied request at FIRST whatever r->handler
 *     says, and the order between equal priorities follows LoadModule;
 *     mod_lua's LuaMapHandler runs before FIRST.  No request body is read
 *     either: a preflight has none, and reading an announced one would
 *     send "100 Continue" and cost what the client chose; the connection
 *     is closed after the answer instead.  Refused preflights, and every
 *     other request, go through authentication as usual.
 *
 * type_checker, REALLY_FIRST:  a preflight that passed the access checks
 *     by itself (no user needed) is answered here the same way, before
 *     mod_negotiation's type checker (FIRST) and before the fixups that
 *     redirect; a refused one gets 403.  Nothing is exempted here, so a
 *     module that wins this race first only costs the preflight its
 *     answer, never access.
 *
 * fixups, REALLY_FIRST:  per-directory redirects happen in fixups
 *     (mod_rewrite's per-dir [R] at FIRST, mod_alias's per-dir "Redirect
 *     URL-path URL" at MIDDLE, mod_dir's trailing-slash 301 at LAST).  A
 *     preflight reaches this hook only if another type checker claimed it
 *     first; it is answered here then, with DONE, so no later fixup can
 *     redirect it.  Redirects of the
 *     server config, and mod_alias's one-URL "Redirect URL" inside
 *     <Location>, run in translate_name, before the per-directory policy is
 *     known: the README documents them.
 *
 * No handler.  The module was first shaped with a "cors-preflight"
 *     handler claimed from fixups, so the resource's own handler would not
 *     run.  A handler cannot keep that promise: it runs after type_checker
 *     and fixups, and competes with every other module's handler (see
 *     above).  The preflight is answered from the hooks above instead;
 *     r->handler is still set to "cors-preflight", so %R in the access log
 *     and server-status show who answered.  The insert_filter hooks do not
 *     run for a preflight answer (mod_headers' "Header always set" does not
 *     reach it).
 *
 * insert_error_filter:  errors raised before fixups (401 and 403 from
 *     the auth phase) never saw our headers, and ap_send_error_response()
 *     keeps only err_headers_out; this hook puts them there, so the page
 *     can read its 401.
 *
 * output filter CORS_HEADERS (insert_filter and insert_error_filter):
 *     runs after the content handler, so it sees what a proxy backend or a
 *     CGI script set, and after mod_headers' filter (added after it), so
 *     it sees what "Header" lines add.  With "CorsBackendHeaders Replace"
 *     it removes their Access-Control-* fields, leaving exactly one of
 *     each: ours; on an error answer to a preflight, none.  Usually it only
 *     looks: header_parser set the fields once, and one pass over both
 *     tables finds nothing else there.  Where every loaded module is one
 *     known never to write such a field (cors_reviewed_modules), it is
 *     added only where one can still appear: mod_headers' filter in the
 *     chain, a credentialed "CorsExposeHeaders *", an error answer.
 *
 * The decision is made once per client request, from the Origin and the
 * policy of the URL the client asked for, and kept on the initial
 * request_rec: internal redirects (ErrorDocument, DirectoryIndex) reuse it
 * and subrequests (mod_include) never add CORS headers of their own.
 *
 * CorsEngine ReportOnly:  header_parser decides as above, sets CORS_RESULT
 *     and logs each refusal at warn; every later hook then sees no policy
 *     (cors_request_state_get returns NULL).  So a preflight is neither
 *     answered nor exempted from authentication: the exemption stays tied
 *     to mod_cors answering the preflight itself.
 *
 * The cors-info handler's explain form runs cors_decide and the functions
 * that set the fields on a copy of a lookup subrequest (never run) whose
 * headers_in holds the simulated fields: the same code, not a model of it.
 */

#include "apr_hash.h"
#include "apr_lib.h"
#include "apr_strings.h"

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

#include <libpsl.h>

#include "cors_match.h"

module AP_MODULE_DECLARE_DATA cors_module;

/* The release, in one place: the server's version components
 * ("mod_cors/1.0.0" in the start-up notice and, with ServerTokens Full, in
 * Server:), the cors-info page and debian/changelog show it. */
#define MOD_CORS_VERSION "1.0.0"

/* A scalar directive not set in a scope; the merger then inherits. */
#define CORS_UNSET (-1)

#define CORS_PREFLIGHT_HANDLER "cors-preflight"
#define CORS_FILTER_NAME "CORS_HEADERS"

#define CORS_BACKEND_REPLACE 0
#define CORS_BACKEND_KEEP 1

/* CorsEngine values */
#define CORS_ENGINE_OFF 0
#define CORS_ENGINE_ON 1
#define CORS_ENGINE_REPORT_ONLY 2

/* Response fields the module owns; with CorsBackendHeaders Replace,
 * values set by anyone else are removed. */
static const char *const cors_response_fields[] = {
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Expose-Headers",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Allow-Private-Network",
    NULL
};

/* Keeps a function that runs for few requests out of the hook that calls
 * it, so that the hook stays a few instructions for all the others. */
#if defined(__GNUC__)
#define CORS_NOINLINE __attribute__((noinline))
#else
#define CORS_NOINLINE
#endif

/* apr_table_addn or apr_table_setn */
typedef void (*cors_table_put)(apr_table_t *t, const char *key,
                               const char *val);

/* The values mod_cors writes that are not the request's own strings;
 * their addresses tell its fields from anyone else's. */
static const char cors_star[] = "*";
static const char cors_true[] = "true";
static const char cors_vary_origin[] = "Origin";
static const char cors_vary_preflight[] =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
static const char cors_vary_preflight_pna[] =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
    "Access-Control-Request-Private-Network";

/* --------------------------------------------------------------------
 * Configuration structures
 */

/* Directives, as indexes of cors_dir_conf.set_at */
typedef enum {
    CORS_SET_ENGINE,
    CORS_SET_ORIGINS,           /* CorsAllowOrigin and CorsAllowOriginMatch */
    CORS_SET_METHODS,
    CORS_SET_HEADERS,
    CORS_SET_EXPOSE,
    CORS_SET_CREDENTIALS,
    CORS_SET_MAX_AGE,
    CORS_SET_PRIVATE_NETWORK,
    CORS_SET_BACKEND,
    CORS_SET_COUNT
} cors_directive;

typedef struct {
    int engine;                         /* CORS_ENGINE_* or unset */
    cors_origin_policy *policy;         /* NULL: inherit (none: CORS off) */
    cors_token_list *allow_methods;     /* NULL: inherit (GET HEAD POST) */
    cors_token_list *allow_headers;     /* NULL: inherit (none) */
    cors_token_list *expose_headers;    /* NULL: inherit (none) */
    int allow_credentials;              /* 1, 0 or unset (0) */
    const char *max_age;                /* seconds as sent; NULL: no header */
    int allow_private_network;          /* 1, 0 or unset (0) */
    int backend_headers;                /* CORS_BACKEND_* or unset */
    /* where each directive in effect was set, NULL: default */
    const char *set_at[CORS_SET_COUNT];
    /* some directive was set in this scope (or a merged one) */
    int set_any;
    /* answers decided once the configuration is read, for a scope of the
     * main configuration (cors_decide_in_advance); NULL: decide each
     * request */
    const struct cors_advance *advance;
} cors_dir_conf;

/* Scopes of the main configuration that set CORS directives, gathered
 * while it is read so check_config can warn about each one once.
 * .htaccess files are read per request and are not gathered. */
typedef struct {
    cors_dir_conf *conf;
    server_rec *server;
} cors_scope;

static apr_array_header_t *cors_scopes;

/* Names on one directive line of the main configuration that can never
 * take effect (a forbidden method or header name), gathered while it is
 * read so check_config can warn once per line. */
typedef struct {
    const ap_directive_t *line;
    const char *defined_at;     /* "file:line in <Location /api>" */
    cors_directive which;       /* methods, headers or expose */
    apr_array_header_t *names;  /* const char *, as written */
    server_rec *server;
} cors_futile_line;

static apr_array_header_t *cors_futile_lines;

/* The public suffix list, loaded in pre_config for each reading of the
 * configuration (so a restart picks up an updated list) and freed with
 * pconf.  Children inherit it for .htaccess files.  NULL: no list. */
static psl_ctx_t *cors_psl;

/* The CORS_HEADERS output filter, as registered */
static ap_filter_rec_t *cors_headers_filter_handle;

/* httpd's own modules that never write an Access-Control-* response
 * field, and never replace Vary after fixups (they merge it, or use
 * err_headers_out), checked against their source (2.4.x).  mod_headers is
 * not among them: its "Header" lines are seen per request instead (its
 * filter in the chain, an "early" field at fixups). */
static const char *const cors_reviewed_modules[] = {
    "core.c", "http_core.c", "mod_so.c", "mod_watchdog.c", "mod_unixd.c",
    "mod_version.c", "mod_log_config.c", "mod_logio.c", "event.c",
    "worker.c", "prefork.c", "mod_access_compat.c", "mod_alias.c",
    "mod_auth_basic.c", "mod_authn_core.c", "mod_authn_file.c",
    "mod_authz_core.c", "mod_authz_host.c", "mod_authz_user.c",
    "mod_authz_groupfile.c", "mod_autoindex.c", "mod_deflate.c",
    "mod_dir.c", "mod_env.c", "mod_expires.c", "mod_filter.c",
    "mod_include.c", "mod_info.c", "mod_mime.c", "mod_negotiation.c",
    "mod_remoteip.c", "mod_reqtimeout.c", "mod_rewrite.c",
    "mod_setenvif.c", "mod_socache_shmcb.c", "mod_ssl.c", "mod_status.c",
    "mod_unique_id.c", "mod_userdir.c", "mod_headers.c", "mod_cors.c",
    NULL
};

/* The first loaded module not in that list, or NULL: then no content
 * handler or filter but mod_headers' can add an Access-Control-* field
 * after fixups, and CORS_HEADERS is added only where one may appear (see
 * cors_insert_filter).  Set in post_config, inherited by the children. */
static const char *cors_unreviewed_module;

/* mod_headers' output filters (for responses, and for error answers), or
 * NULL when mod_headers is not loaded */
static ap_filter_rec_t *cors_mod_headers_filter;
static ap_filter_rec_t *cors_mod_headers_error_filter;

/* What the default CorsAllowMethods advertises.  The method check lets
 * these through anyway: they are CORS-safelisted, so a browser never
 * needs them listed (Fetch, "CORS-preflight fetch", step 7). */
static const cors_token_list cors_default_methods = {
    NULL, NULL, "GET, HEAD, POST", 0
};

/* --------------------------------------------------------------------
 * Configuration: create, merge and the directives
 */

static void *create_cors_dir_config(apr_pool_t *p, char *dir)
{
    cors_dir_conf *conf = apr_pcalloc(p, sizeof(*conf));

    conf->engine = CORS_UNSET;
    conf->allow_credentials = CORS_UNSET;
    conf->allow_private_network = CORS_UNSET;
    conf->backend_headers = CORS_UNSET;
    return conf;
}

/* Each directive set in the inner scope replaces the outer value; lists
 * are not appended across scopes, so an inner CorsAllowOrigin narrows. */
static void *merge_cors_dir_config(apr_pool_t *p, void *basev, void *addv)
{
    cors_dir_conf *base = basev, *add = addv;
    cors_dir_conf *conf;
    int i;

    /* Runs for every section a request matches, most of which set no CORS
     * directive: then the other side is the result as it is (configs are
     * never changed once read). */
    if (!add->set_any) {
        return base;
    }
    if (!base->set_any) {
        return add;
    }
    conf = apr_pcalloc(p, sizeof(*conf));
    conf->set_any = 1;

    conf->engine = (add->engine != CORS_UNSET) ? add->engine : base->engine;
    conf->policy = add->policy ? add->policy : base->policy;
    conf->allow_methods = add->allow_methods ? add->allow_methods
                                             : base->allow_methods;
    conf->allow_headers = add->allow_headers ? add->allow_headers
                                             : base->allow_headers;
    conf->expose_headers = add->expose_headers ? add->expose_headers
                                               : base->expose_headers;
    conf->allow_credentials = (add->allow_credentials != CORS_UNSET)
                              ? add->allow_credentials
                              : base->allow_credentials;
    conf->max_age = add->max_age ? add->max_age : base->max_age;
    conf->allow_private_network = (add->allow_private_network != CORS_UNSET)
                                  ? add->allow_private_network
                                  : base->allow_private_network;
    conf->backend_headers = (add->backend_headers != CORS_UNSET)
                            ? add->backend_headers
                            : base->backend_headers;
    for (i = 0; i < CORS_SET_COUNT; i++) {
        conf->set_at[i] = add->set_at[i] ? add->set_at[i] : base->set_at[i];
    }
    return conf;
}

/* Where the directive being read stands: "file:line" and the enclosing
 * section, as the log, the warnings and the cors-info page show it. */
static const char *cors_directive_location(cmd_parms *cmd)
{
    const ap_directive_t *d = cmd->directive, *section;

    if (!d || !d->filename) {
        return "(unknown)";
    }
    section = d->parent;
    return section
        ? apr_psprintf(cmd->pool, "%s:%d in %s %s", d->filename,
                       d->line_num, section->directive, section->args)
        : apr_psprintf(cmd->pool, "%s:%d", d->filename, d->line_num);
}

/* Records where a directive of conf was set.  The first line of a
 * repeated directive stands for all of them. */
static void cors_note_set(cmd_parms *cmd, cors_dir_conf *conf,
                          cors_directive which)
{
    int first = !conf->set_any;

    if (conf->set_at[which]) {
        return;
    }
    conf->set_at[which] = cors_directive_location(cmd);
    conf->set_any = 1;
    if (first && cors_scopes) {
        cors_scope *scope = apr_array_push(cors_scopes);

        scope->conf = conf;
        scope->server = cmd->server;
    }
}

/* The scope's origin policy, made on the scope's first origin line. */
static cors_origin_policy *cors_scope_policy(cmd_parms *cmd,
                                             cors_dir_conf *conf)
{
    if (!conf->policy) {
        conf->policy = apr_pcalloc(cmd->pool, sizeof(*conf->policy));
        conf->policy->exact = apr_hash_make_custom(cmd->pool,
                                                   cors_key_hash);
        conf->policy->exact_list = apr_array_make(cmd->pool, 4,
                                                  sizeof(cors_exact_origin));
        conf->policy->patterns = apr_hash_make_custom(cmd->pool,
                                                      cors_key_hash);
        conf->policy->listed = apr_array_make(cmd->pool, 4,
                                              sizeof(const char *));
        conf->policy->regexes = apr_array_make(cmd->pool, 2,
                                               sizeof(cors_origin_regex));
        cors_note_set(cmd, conf, CORS_SET_ORIGINS);
        conf->policy->defined_at = conf->set_at[CORS_SET_ORIGINS];
    }
    return conf->policy;
}

static const char *cors_credentials_conflict(cmd_parms *cmd)
{
    return apr_psprintf(cmd->pool,
                        "%s: 'CorsAllowOrigin *' and 'CorsAllowCredentials "
                        "On' cannot be combined in one context (browsers "
                        "refuse credentials with a wildcard origin); list "
                        "the origins instead of *", cmd->cmd->name);
}

/* Origins under "*.co.uk" or "*.github.io" pass the syntax checks but
 * allow every site registered under a public suffix: refuse a wildcard
 * directly above one, in the ICANN or the private section of the list.
 * The list's implicit "*" rule (any unlisted top-level domain) is left
 * out: cors_parse_origin refuses a wildcard above a single label already.
 * Returns NULL or what is wrong. */
static const char *cors_check_public_suffix(cmd_parms *cmd,
                                            const cors_origin_parts *parts)
{
    char *host;
    const char *section;

    if (!parts->host_wildcard) {
        return NULL;
    }
    if (!cors_psl) {
        /* refuse rather than allow what cannot be checked */
        return "a wildcard cannot be checked against the public suffix "
               "list: libpsl found no list (install the publicsuffix "
               "package)";
    }
    /* libpsl wants lowercase; cors_parse_origin keeps the case */
    host = apr_pstrmemdup(cmd->temp_pool, parts->host, parts->host_len);
    ap_str_tolower(host);
    if (psl_is_public_suffix2(cors_psl, host,
                              PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE)) {
        section = "ICANN";
    }
    else if (psl_is_public_suffix2(cors_psl, host,
                                   PSL_TYPE_PRIVATE | PSL_TYPE_NO_STAR_RULE)) {
        section = "private";
    }
    else {
        return NULL;
    }
    return apr_psprintf(cmd->pool, "the wildcard stands directly above the "
                        "public suffix '%s' (public suffix list, %s section) "
                        "and would match every site registered under it",
                        host, section);
}

/* Adds key -> entry to a hash and to the array of cors_exact_origin
 * kept beside it for short lists; returns 0 when key was there already. */
static int cors_add_key(apr_hash_t *hash, apr_array_header_t *keys,
                        const char *key, const char *entry)
{
    cors_exact_origin *e;

    if (apr_hash_get(hash, key, APR_HASH_KEY_STRING)) {
        return 0;
    }
    apr_hash_set(hash, key, APR_HASH_KEY_STRING, entry);
    e = apr_array_push(keys);
    e->key = key;
    e->len = strlen(key);
    e->entry = entry;
    return 1;
}

/* Adds an exact origin (serialized) or "null" to both lookups. */
static void cors_add_exact(cors_origin_policy *policy, const char *key,
                           const char *entry)
{
    cors_add_key(policy->exact, policy->exact_list, key, entry);
}

/* Adds one origin of a CorsAllowOrigin line to the scope's policy. */
static const char *cors_add_origin(cmd_parms *cmd, cors_dir_conf *conf,
                                   const char *arg)
{
    cors_origin_policy *policy = cors_scope_policy(cmd, conf);
    cors_origin_parts parts;
    const char *msg;
    char *key;

    if (!strcmp(arg, "*")) {
        if (conf->allow_credentials == 1) {
            return cors_credentials_conflict(cmd);
        }
        policy->any = 1;
        *(const char **)apr_array_push(policy->listed) = "*";
        return NULL;
    }
    if (!strcasecmp(arg, "null")) {
        cors_add_exact(policy, "null", "null");
        policy->null_at = cors_directive_location(cmd);
        *(const char **)apr_array_push(policy->listed) = "null";
        return NULL;
    }

    msg = cors_parse_origin(arg, 1, &parts);
    if (!msg && !((parts.scheme_len == 4
                   && !strncasecmp(parts.scheme, "http", 4))
                  || (parts.scheme_len == 5
                      && !strncasecmp(parts.scheme, "https", 5)))) {
        msg = "its scheme is not http or https (match other schemes with "
              "CorsAllowOriginMatch)";
    }
    if (!msg) {
        msg = cors_check_public_suffix(cmd, &parts);
    }
    if (msg) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a valid origin: %s",
                            cmd->cmd->name, arg, msg);
    }
    key = apr_palloc(cmd->pool, strlen(arg) + 1);
    cors_serialize_origin(&parts, key);
    if (parts.host_wildcard || parts.port_wildcard) {
        cors_add_pattern(policy, key, apr_pstrdup(cmd->pool, arg));
    }
    else {
        cors_add_exact(policy, key, apr_pstrdup(cmd->pool, arg));
    }
    *(const char **)apr_array_push(policy->listed) = key;
    if (parts.scheme_len == 4 && !policy->http_at) {
        policy->http_at = cors_directive_location(cmd);
    }
    return NULL;
}

/* "https://a.example,https://b.example" is taken as two origins, as
 * people paste them from header values. */
static const char *set_cors_allow_origin(cmd_parms *cmd, void *dconf,
                                         const char *arg)
{
    char *copy = apr_pstrdup(cmd->pool, arg), *origin, *state;
    const char *msg = NULL;

    cors_scope_policy(cmd, dconf);
    for (origin = apr_strtok(copy, ",", &state); origin && !msg;
         origin = apr_strtok(NULL, ",", &state)) {
        msg = cors_add_origin(cmd, dconf, origin);
    }
    return msg;
}

static const char *set_cors_allow_origin_match(cmd_parms *cmd, void *dconf,
                                               const char *arg)
{
    cors_origin_policy *policy = cors_scope_policy(cmd, dconf);
    cors_origin_regex *re = apr_array_push(policy->regexes);

    /* Anchored at both ends: an unanchored "https://a\.example" would
     * also match "https://a.example.evil.net". */
    re->compiled = ap_pregcomp(cmd->pool,
                               apr_pstrcat(cmd->temp_pool, "^(?:", arg, ")$",
                                           NULL),
                               AP_REG_EXTENDED | AP_REG_NOSUB);
    if (!re->compiled) {
        return apr_psprintf(cmd->pool, "%s: regex '%s' could not be compiled",
                            cmd->cmd->name, arg);
    }
    re->source = arg;
    re->defined_at = cors_directive_location(cmd);
    return NULL;
}

/* Request-header names a script can never set (Fetch, "forbidden
 * request-header"), lowercase; and the prefixes that make a name one. */
static const char *const cors_forbidden_request_headers[] = {
    "accept-charset", "accept-encoding", "access-control-request-headers",
    "access-control-request-method", "connection", "content-length",
    "cookie", "cookie2", "date", "dnt", "expect", "host", "keep-alive",
    "origin", "referer", "set-cookie", "te", "trailer",
    "transfer-encoding", "upgrade", "via", NULL
};
static const char *const cors_forbidden_request_prefixes[] = {
    "proxy-", "sec-", NULL
};

/* Can a name listed in this directive never take effect?  Methods a
 * browser refuses to send (Fetch, "forbidden method"), request headers
 * only the browser sets, and response headers a browser never exposes
 * to a script (Fetch, "forbidden response-header name"). */
static int cors_is_futile_name(cors_directive which, const char *name)
{
    int i;

    switch (which) {
    case CORS_SET_METHODS:
        return !strcasecmp(name, "CONNECT") || !strcasecmp(name, "TRACE")
               || !strcasecmp(name, "TRACK");
    case CORS_SET_HEADERS:
        for (i = 0; cors_forbidden_request_headers[i]; i++) {
            if (!strcasecmp(name, cors_forbidden_request_headers[i])) {
                return 1;
            }
        }
        for (i = 0; cors_forbidden_request_prefixes[i]; i++) {
            const char *prefix = cors_forbidden_request_prefixes[i];

            if (!strncasecmp(name, prefix, strlen(prefix))) {
                return 1;
            }
        }
        return 0;
    case CORS_SET_EXPOSE:
        return !strcasecmp(name, "Set-Cookie")
               || !strcasecmp(name, "Set-Cookie2");
    default:
        return 0;
    }
}

/* Notes a name that can never take effect, for the start-up warning of
 * its line.  Only the main configuration is gathered, as for the other
 * warnings: .htaccess files are read per request. */
static void cors_note_futile(cmd_parms *cmd, cors_directive which,
                             const char *name)
{
    cors_futile_line *line = NULL;
    int i;

    if (!cors_futile_lines) {
        return;
    }
    if (cors_futile_lines->nelts) {
        line = &APR_ARRAY_IDX(cors_futile_lines,
                              cors_futile_lines->nelts - 1, cors_futile_line);
    }
    if (!line || line->line != cmd->directive) {
        line = apr_array_push(cors_futile_lines);
        line->line = cmd->directive;
        line->defined_at = cors_directive_location(cmd);
        line->which = which;
        line->names = apr_array_make(cmd->pool, 2, sizeof(const char *));
        line->server = cmd->server;
    }
    for (i = 0; i < line->names->nelts; i++) {
        if (!strcasecmp(APR_ARRAY_IDX(line->names, i, const char *), name)) {
            return;
        }
    }
    *(const char **)apr_array_push(line->names) = name;
}

/* Adds one argument of a token list directive; "GET,PUT" and "GET, PUT"
 * are taken as two names, as people paste them from header values. */
static const char *cors_add_tokens(cmd_parms *cmd, cors_dir_conf *conf,
                                   cors_directive which,
                                   cors_token_list **listp,
                                   const char *arg, int lowercase)
{
    cors_token_list *list = *listp;
    char *copy = apr_pstrdup(cmd->temp_pool, arg), *name, *state;

    cors_note_set(cmd, conf, which);
    if (!list) {
        list = *listp = apr_pcalloc(cmd->pool, sizeof(*list));
        list->names = apr_hash_make(cmd->pool);
        list->keys = apr_array_make(cmd->pool, 4, sizeof(cors_exact_origin));
    }
    for (name = apr_strtok(copy, ",", &state); name;
         name = apr_strtok(NULL, ",", &state)) {
        char *key;

        if (!cors_is_token(name)) {
            return apr_psprintf(cmd->pool, "%s: '%s' is not a valid %s "
                                "(an HTTP token)", cmd->cmd->name, name,
                                lowercase ? "header name" : "method");
        }
        name = apr_pstrdup(cmd->pool, name);
        if (cors_is_futile_name(which, name)) {
            cors_note_futile(cmd, which, name);
        }
        if (!strcmp(name, "*")) {
            if (list->wildcard) {
                continue;       /* "* *" is one "*" */
            }
            list->wildcard = 1;
        }
        else {
            key = lowercase ? apr_pstrdup(cmd->pool, name) : name;
            if (lowercase) {
                ap_str_tolower(key);
            }
            if (!cors_add_key(list->names, list->keys, key, name)) {
                continue;
            }
        }
        list->joined = list->joined ? apr_pstrcat(cmd->pool, list->joined,
                                                  ", ", name, NULL)
                                    : name;
    }
    return NULL;
}

static const char *set_cors_allow_methods(cmd_parms *cmd, void *dconf,
                                          const char *arg)
{
    cors_dir_conf *conf = dconf;

    return cors_add_tokens(cmd, conf, CORS_SET_METHODS,
                           &conf->allow_methods, arg, 0);
}

static const char *set_cors_allow_headers(cmd_parms *cmd, void *dconf,
                                          const char *arg)
{
    cors_dir_conf *conf = dconf;

    return cors_add_tokens(cmd, conf, CORS_SET_HEADERS,
                           &conf->allow_headers, arg, 1);
}

static const char *set_cors_expose_headers(cmd_parms *cmd, void *dconf,
                                           const char *arg)
{
    cors_dir_conf *conf = dconf;

    return cors_add_tokens(cmd, conf, CORS_SET_EXPOSE,
                           &conf->expose_headers, arg, 1);
}

static const char *set_cors_engine(cmd_parms *cmd, void *dconf,
                                   const char *arg)
{
    cors_dir_conf *conf = dconf;

    if (!strcasecmp(arg, "On")) {
        conf->engine = CORS_ENGINE_ON;
    }
    else if (!strcasecmp(arg, "Off")) {
        conf->engine = CORS_ENGINE_OFF;
    }
    else if (!strcasecmp(arg, "ReportOnly")) {
        conf->engine = CORS_ENGINE_REPORT_ONLY;
    }
    else {
        return apr_psprintf(cmd->pool, "%s: '%s' is not On, Off or "
                            "ReportOnly", cmd->cmd->name, arg);
    }
    cors_note_set(cmd, conf, CORS_SET_ENGINE);
    return NULL;
}

static const char *set_cors_allow_credentials(cmd_parms *cmd, void *dconf,
                                              int flag)
{
    cors_dir_conf *conf = dconf;

    if (flag && conf->policy && conf->policy->any) {
        return cors_credentials_conflict(cmd);
    }
    conf->allow_credentials = flag;
    cors_note_set(cmd, conf, CORS_SET_CREDENTIALS);
    return NULL;
}

static const char *set_cors_allow_private_network(cmd_parms *cmd,
                                                  void *dconf, int flag)
{
    cors_dir_conf *conf = dconf;

    conf->allow_private_network = flag;
    cors_note_set(cmd, conf, CORS_SET_PRIVATE_NETWORK);
    return NULL;
}

static const char *set_cors_max_age(cmd_parms *cmd, void *dconf,
                                    const char *arg)
{
    cors_dir_conf *conf = dconf;
    const char *digit;
    apr_int64_t seconds;

    for (digit = arg; apr_isdigit(*digit); digit++) {
        /* only digits: no sign, no spaces, no units */
    }
    if (*arg == '\0' || *digit != '\0' || digit - arg > 10
        || (seconds = apr_atoi64(arg)) > APR_INT32_MAX) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of "
                            "seconds (0 or more)", cmd->cmd->name, arg);
    }
    conf->max_age = apr_psprintf(cmd->pool, "%" APR_INT64_T_FMT, seconds);
    cors_note_set(cmd, conf, CORS_SET_MAX_AGE);
    return NULL;
}

static const char *set_cors_backend_headers(cmd_parms *cmd, void *dconf,
                                            const char *arg)
{
    cors_dir_conf *conf = dconf;

    if (!strcasecmp(arg, "Replace")) {
        conf->backend_headers = CORS_BACKEND_REPLACE;
    }
    else if (!strcasecmp(arg, "Keep")) {
        conf->backend_headers = CORS_BACKEND_KEEP;
    }
    else {
        return apr_psprintf(cmd->pool, "%s: '%s' is not Replace or Keep",
                            cmd->cmd->name, arg);
    }
    cors_note_set(cmd, conf, CORS_SET_BACKEND);
    return NULL;
}

static const command_rec cors_cmds[] = {
    AP_INIT_TAKE1("CorsEngine", set_cors_engine, NULL, OR_FILEINFO,
                  "On, Off or ReportOnly: Off turns CORS handling off in "
                  "this scope; ReportOnly decides and logs refusals but "
                  "leaves the response alone"),
    AP_INIT_ITERATE("CorsAllowOrigin", set_cors_allow_origin, NULL,
                    OR_FILEINFO,
                    "origins allowed: *, null, scheme://host[:port], "
                    "https://*.example.com or http://host:*"),
    AP_INIT_ITERATE("CorsAllowOriginMatch", set_cors_allow_origin_match,
                    NULL, OR_FILEINFO,
                    "regular expressions matched against the whole Origin"),
    AP_INIT_ITERATE("CorsAllowMethods", set_cors_allow_methods, NULL,
                    OR_FILEINFO, "methods allowed in preflights, or *"),
    AP_INIT_ITERATE("CorsAllowHeaders", set_cors_allow_headers, NULL,
                    OR_FILEINFO, "request header names allowed, or *"),
    AP_INIT_ITERATE("CorsExposeHeaders", set_cors_expose_headers, NULL,
                    OR_FILEINFO, "response header names scripts may read, "
                    "or *"),
    AP_INIT_FLAG("CorsAllowCredentials", set_cors_allow_credentials, NULL,
                 OR_FILEINFO, "On or Off: allow cookies and HTTP auth"),
    AP_INIT_TAKE1("CorsMaxAge", set_cors_max_age, NULL, OR_FILEINFO,
                  "seconds a browser may cache a preflight answer"),
    AP_INIT_FLAG("CorsAllowPrivateNetwork", set_cors_allow_private_network,
                 NULL, OR_FILEINFO, "On or Off: answer Private Network Access "
                 "preflights"),
    AP_INIT_TAKE1("CorsBackendHeaders", set_cors_backend_headers, NULL,
                  OR_FILEINFO, "Replace or Keep: what to do with "
                  "Access-Control-* headers set by a backend"),
    {NULL}
};

/* --------------------------------------------------------------------
 * Request-time logic
 */

typedef enum {
    CORS_NOT_CORS,              /* no Origin header */
    CORS_ALLOWED,               /* actual request, origin allowed */
    CORS_PREFLIGHT_ALLOWED,
    CORS_REFUSED_ORIGIN,
    CORS_MALFORMED,             /* Origin or preflight header malformed */
    CORS_REFUSED_METHOD,
    CORS_REFUSED_HEADER
} cors_outcome;

/* Values of the CORS_RESULT environment variable, by cors_outcome */
static const char *const cors_outcome_names[] = {
    "not-cors", "allowed", "preflight", "refused-origin", "malformed",
    "refused-method", "refused-header"
};

/* The decision for one client request, kept on the initial request. */
typedef struct {
    const cors_dir_conf *conf;  /* NULL: no policy applies */
    cors_outcome outcome;
    int is_preflight;
    /* the hooks act on the decision (CorsEngine On); under ReportOnly it
     * is only logged and put in CORS_RESULT */
    int enforced;
    /* the policy allows every origin without credentials: every actual
     * response of the scope is the same for every Origin (see
     * cors_set_actual_headers) */
    int shared;
    const char *allow_origin;   /* Access-Control-Allow-Origin, or NULL */
    int credentials;            /* send Access-Control-Allow-Credentials */
    const char *allow_methods;  /* preflight answers */
    const char *allow_headers;
    /* what an OPTIONS request with an Origin asks, read in one pass */
    const char *request_method;         /* Access-Control-Request-Method */
    const char *request_headers;        /* Access-Control-Request-Headers */
    const char *request_private_network;
    int has_body;                       /* a body was announced */
    /* whether the CORS_HEADERS filter checks the response (see
     * cors_filter_mode) */
    int filter;
    /* a simulated request of the cors-info page: the refusal is put into
     * words here instead of the log */
    int explaining;
    const char *reason;         /* the refusal, as the log would say it */
    const char *near_miss;      /* the closest configured entry, or NULL */
    const char *entry;          /* the entry that allowed the origin */
} cors_request_state;

/* "preflight OPTIONS /x" or "GET /x": what the log says was refused.
 * Client bytes go to the error log as they are: httpd escapes every
 * message (ap_escape_errorlog_item), so escaping here would show each
 * byte twice ("\\xc3"). */
static const char *cors_describe(request_rec *r, const cors_request_state *st)
{
    return apr_pstrcat(r->pool, st->is_preflight ? "preflight " : "",
                       r->method, " ", r->uri, NULL);
}

/* The level of the refusal lines: debug, so that "LogLevel cors:debug"
 * explains refusals on demand; warn under CorsEngine ReportOnly, whose
 * whole point is that list of refusals (README, "Migrating safely"). */
#define cors_refusal_level(conf) \
    ((conf)->engine == CORS_ENGINE_REPORT_ONLY ? APLOG_WARNING : APLOG_DEBUG)

/* Whether to put a refusal into words: for the log, at the scope's
 * refusal level, or for the cors-info page.  Nothing is formatted
 * otherwise. */
static int cors_explains(request_rec *r, const cors_request_state *st)
{
    return st->explaining
           || APLOG_R_IS_LEVEL(r, cors_refusal_level(st->conf));
}

/* A refusal in words: one line in the error log or, for the cors-info
 * page, the reason of its explanation.  Only called when cors_explains(). */
static void cors_refusal(request_rec *r, cors_request_state *st,
                         const char *fmt, ...)
                         __attribute__((format(printf, 3, 4)));
static void cors_refusal(request_rec *r, cors_request_state *st,
                         const char *fmt, ...)
{
    const cors_dir_conf *conf = st->conf;
    const char *msg;
    va_list ap;

    va_start(ap, fmt);
    msg = apr_pvsprintf(r->pool, fmt, ap);
    va_end(ap);
    if (st->explaining) {
        st->reason = msg;
    }
    else if (conf->engine == CORS_ENGINE_REPORT_ONLY) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "%s; not enforced: CorsEngine ReportOnly (%s)", msg,
                      conf->set_at[CORS_SET_ENGINE]);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, "%s", msg);
    }
}

static int cors_preflight_decision(request_rec *r, cors_request_state *st,
                                   const char *origin)
{
    const cors_dir_conf *conf = st->conf;
    const cors_token_list *methods = conf->allow_methods
                                     ? conf->allow_methods
                                     : &cors_default_methods;
    const char *method = st->request_method;
    const char *requested = st->request_headers;
    const cors_token_list *headers = conf->allow_headers;
    int echo_headers = headers && headers->wildcard && st->credentials;
    cors_headers_check check;
    cors_headers_result result;

    if (!cors_is_token(method)) {
        if (cors_explains(r, st)) {
            cors_refusal(r, st, "CORS0105: refused %s from origin %s: "
                         "Access-Control-Request-Method '%s' is not a "
                         "method name (policy at %s)", cors_describe(r, st),
                         origin, method, conf->policy->defined_at);
        }
        return CORS_MALFORMED;
    }
    if (!cors_method_allowed(methods, method)) {
        if (cors_explains(r, st)) {
            cors_refusal(r, st, "CORS0103: refused %s from origin %s: "
                         "method %s is not allowed: CorsAllowMethods is %s "
                         "(%s); add %s there", cors_describe(r, st), origin,
                         method, methods->joined,
                         conf->set_at[CORS_SET_METHODS]
                         ? conf->set_at[CORS_SET_METHODS] : "default",
                         method);
        }
        return CORS_REFUSED_METHOD;
    }
    check.echo = NULL;
    if (requested) {
        int explain = cors_explains(r, st);

        result = cors_check_request_headers(r->pool, headers, requested,
                                            echo_headers, explain, &check);
        if (result == CORS_HEADERS_MALFORMED
            || result == CORS_HEADERS_TOO_MANY) {
            if (explain) {
                cors_refusal(r, st, "CORS0105: refused %s from origin %s: "
                             "Access-Control-Request-Headers %s (policy at "
                             "%s)", cors_describe(r, st), origin,
                             result == CORS_HEADERS_TOO_MANY
                             ? apr_psprintf(r->pool, "lists more than %d "
                                            "names, more than any browser "
                                            "sends",
                                            CORS_MAX_REQUEST_HEADERS)
                             : apr_psprintf(r->pool, "has '%s', which is "
                                            "not a header name",
                                            check.detail),
                             conf->policy->defined_at);
            }
            return CORS_MALFORMED;
        }
        if (result == CORS_HEADERS_REFUSED) {
            if (explain) {
                cors_refusal(r, st, "CORS0104: refused %s from origin %s: "
                             "request header(s) not allowed: %s; "
                             "CorsAllowHeaders is %s (%s)%s",
                             cors_describe(r, st), origin, check.detail,
                             headers ? headers->joined : "not set",
                             conf->set_at[CORS_SET_HEADERS]
                             ? conf->set_at[CORS_SET_HEADERS] : "default",
                             /* with "*" only Authorization is refused */
                             (headers && headers->wildcard)
                             ? "; '*' never covers Authorization, list it "
                               "by name" : "");
            }
            return CORS_REFUSED_HEADER;
        }
    }

    /* With credentials a browser reads "*" literally, so echo instead. */
    if (methods->wildcard && st->credentials) {
        st->allow_methods = method;
    }
    else {
        st->allow_methods = methods->joined;
    }
    if (echo_headers) {
        st->allow_headers = check.echo;
    }
    else if (headers) {
        st->allow_headers = headers->joined;
    }
    return CORS_PREFLIGHT_ALLOWED;
}

/* Reads the fields of an OPTIONS request the decision depends on, in one
 * pass over headers_in instead of a lookup each: returns the Origin, and
 * when there is one, fills in what a preflight asks and whether a body was
 * announced (as ap_request_has_body() would say).  Names are compared a
 * byte at a time, each byte folded to lowercase (a letter's only other
 * byte with the same fold is its uppercase): a name that is shorter fails
 * at its NUL, and most fail on their first two bytes. */
static const char *cors_read_options_fields(request_rec *r,
                                            cors_request_state *st)
{
    const apr_array_header_t *arr = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    const char *origin = NULL;
    int i;

    for (i = 0; i < arr->nelts; i++) {
        const char *key = e[i].key;

        if (!key) {
            continue;
        }
        switch (key[0]) {
        case 'O':
        case 'o':
            if (!origin && (key[1] | 0x20) == 'r' && (key[2] | 0x20) == 'i'
                && (key[3] | 0x20) == 'g' && (key[4] | 0x20) == 'i'
                && (key[5] | 0x20) == 'n' && key[6] == '\0') {
                origin = e[i].val;
            }
            break;
        case 'A':
        case 'a':
            if ((key[1] | 0x20) != 'c' || (key[2] | 0x20) != 'c'
                || (key[3] | 0x20) != 'e' || (key[4] | 0x20) != 's'
                || (key[5] | 0x20) != 's' || key[6] != '-'
                || strncasecmp(key + 7, "Control-Request-", 16) != 0) {
                break;
            }
            key += 23;
            if (!st->request_method && !strcasecmp(key, "Method")) {
                st->request_method = e[i].val;
            }
            else if (!st->request_headers && !strcasecmp(key, "Headers")) {
                st->request_headers = e[i].val;
            }
            else if (!st->request_private_network
                     && !strcasecmp(key, "Private-Network")) {
                st->request_private_network = e[i].val;
            }
            break;
        case 'C':
        case 'c':
            if ((key[1] | 0x20) == 'o' && !strcasecmp(key, "Content-Length")) {
                /* any digit but 0: a length above zero (or garbage,
                 * which HTTP_IN refuses anyway) */
                st->has_body |= (e[i].val[strspn(e[i].val, "0 \t")] != '\0');
            }
            break;
        case 'T':
        case 't':
            if (!strcasecmp(key, "Transfer-Encoding")) {
                st->has_body = 1;
            }
            break;
        }
    }
    if (!origin) {
        /* not a preflight, whatever else it asks */
        st->request_method = NULL;
        st->request_headers = NULL;
        st->request_private_network = NULL;
        st->has_body = 0;
    }
    return origin;
}

/* The request's Origin, or NULL.  A preflight is an OPTIONS request: for
 * one, the fields it asks with are read in the same pass; any other needs
 * only the Origin, which one lookup finds. */
static const char *cors_request_origin(request_rec *r, cors_request_state *st)
{
    return (r->method_number == M_OPTIONS)
           ? cors_read_options_fields(r, st)
           : apr_table_get(r->headers_in, "Origin");
}

/* Decides what to answer, once, from the Origin (as cors_request_origin()
 * read it) and the policy of the URL the client asked for.  The cors-info
 * page runs it on a simulated request (cors_explain_request), and so does
 * cors_decide_in_advance(). */
static void cors_decide(request_rec *r, cors_request_state *st,
                        const char *origin)
{
    const cors_dir_conf *conf = st->conf;
    const char *why, *entry, *hint;
    cors_match match;

    st->is_preflight = (st->request_method != NULL);
    st->shared = conf->policy->any && conf->allow_credentials != 1;
    if (!origin) {
        st->outcome = CORS_NOT_CORS;
        return;
    }

    match = cors_match_origin(conf->policy, origin, &why, &entry);
    if (match == CORS_MATCH_NONE && st->shared && !strcmp(origin, "null")) {
        /* "*" never reflects "null", but a shared "*" answer covers it:
         * without credentials a browser accepts "*" from an opaque origin */
        match = CORS_MATCH_ANY;
        entry = "*";
    }
    if (match == CORS_MATCH_MALFORMED || match == CORS_MATCH_NONE) {
        st->outcome = (match == CORS_MATCH_MALFORMED) ? CORS_MALFORMED
                                                      : CORS_REFUSED_ORIGIN;
        if (!cors_explains(r, st)) {
            return;
        }
        hint = st->near_miss = cors_near_miss(r->pool, conf->policy, origin);
        if (match == CORS_MATCH_MALFORMED) {
            cors_refusal(r, st, "CORS0101: refused %s: Origin '%s' is "
                         "malformed: %s (policy at %s)%s%s",
                         cors_describe(r, st), origin, why,
                         conf->policy->defined_at,
                         hint ? "; closest configured entry: " : "",
                         hint ? hint : "");
        }
        else {
            cors_refusal(r, st, "CORS0102: refused %s: origin %s is not "
                         "allowed: not in CorsAllowOrigin (%s) nor matched "
                         "by CorsAllowOriginMatch (%d regex(es)) of the "
                         "policy at %s%s%s", cors_describe(r, st), origin,
                         cors_listed_summary(r->pool, conf->policy),
                         conf->policy->regexes->nelts,
                         conf->policy->defined_at,
                         hint ? "; closest configured entry: " : "",
                         hint ? hint : "");
        }
        return;
    }

    st->entry = entry;
    if (match == CORS_MATCH_ANY) {
        /* A "*" inherited under an inner "CorsAllowCredentials On" must
         * not turn into reflecting every origin with credentials. */
        if (conf->allow_credentials == 1 && APLOGrdebug(r)) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                          "CORS0106: %s from origin %s: credentials are "
                          "on (%s) but the origin is allowed only through "
                          "'*' (%s); answering '*' without credentials, so "
                          "a browser blocks this request if it sends "
                          "cookies or HTTP auth: list the origin by name",
                          cors_describe(r, st), origin,
                          conf->set_at[CORS_SET_CREDENTIALS],
                          conf->policy->defined_at);
        }
        st->allow_origin = cors_star;
        st->credentials = 0;
    }
    else {
        st->allow_origin = origin;
        st->credentials = (conf->allow_credentials == 1);
    }

    if (st->is_preflight) {
        st->outcome = cors_preflight_decision(r, st, origin);
        if (st->outcome != CORS_PREFLIGHT_ALLOWED) {
            st->allow_origin = NULL;
            st->credentials = 0;
            return;
        }
    }
    else {
        st->outcome = CORS_ALLOWED;
    }
    if (APLOGrtrace1(r)) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                      "CORS0110: allowed %s from origin %s by '%s' (policy "
                      "at %s)", cors_describe(r, st), origin, entry,
                      conf->policy->defined_at);
    }
}

/* The decision for a request where no policy applies */
static const cors_request_state cors_no_policy;

/* Whether a policy applies where conf is in effect (On or ReportOnly) */
#define cors_policy_applies(conf) \
    ((conf)->engine != CORS_ENGINE_OFF && (conf)->policy)

/* Whether r's output filters include frec. */
static int cors_has_filter(request_rec *r, const ap_filter_rec_t *frec)
{
    ap_filter_t *f;

    for (f = r->output_filters; f; f = f->next) {
        if (f->frec == frec) {
            return 1;
        }
    }
    return 0;
}

/* Values of cors_request_state.filter: whether CORS_HEADERS must check the
 * response once the handler is done, i.e. whether anything but mod_cors
 * may have written an Access-Control-* field by then, or replaced Vary. */
#define CORS_FILTER_NEVER 0         /* CorsBackendHeaders Keep */
#define CORS_FILTER_ALWAYS 1
#define CORS_FILTER_IF_HEADERS 2    /* if mod_headers' filter is there */

/* Usually CORS_FILTER_IF_HEADERS: when every loaded module is one known
 * not to write those fields (cors_reviewed_modules), only mod_headers'
 * "Header" lines can, through its filters, which cors_insert_filter and
 * cors_insert_error_filter look for (they run after mod_headers' hooks).
 * A credentialed "CorsExposeHeaders *" names the final headers.  A
 * preflight is no exception: its error answers then get no field from
 * anyone, its 204 is sent before any filter is added. */
static int cors_filter_mode(const cors_request_state *st)
{
    const cors_token_list *expose = st->conf->expose_headers;

    if (st->conf->backend_headers == CORS_BACKEND_KEEP) {
        return CORS_FILTER_NEVER;
    }
    if (cors_unreviewed_module
        || (expose && expose->wildcard && st->credentials)) {
        return CORS_FILTER_ALWAYS;
    }
    return CORS_FILTER_IF_HEADERS;
}

/* Whether the response r is about to send needs CORS_HEADERS (see
 * cors_filter_mode): error says whether it is an error answer. */
static int cors_needs_filter(request_rec *r, const cors_request_state *st,
                             int error)
{
    if (st->filter != CORS_FILTER_IF_HEADERS) {
        return st->filter == CORS_FILTER_ALWAYS;
    }
    return cors_mod_headers_filter
           && (cors_has_filter(r, cors_mod_headers_filter)
               || (error && cors_has_filter(r,
                                            cors_mod_headers_error_filter)));
}

/* Decides for the initial request r, where conf applies.  origin is the
 * request's Origin when the caller has looked it up already (origin_known),
 * else it is read here. */
static cors_request_state *cors_new_state(request_rec *r,
                                          const cors_dir_conf *conf,
                                          const char *origin,
                                          int origin_known)
{
    cors_request_state *st = apr_pcalloc(r->pool, sizeof(*st));

    st->conf = conf;
    st->enforced = (conf->engine != CORS_ENGINE_REPORT_ONLY);
    cors_decide(r, st, origin_known ? origin : cors_request_origin(r, st));
    st->filter = cors_filter_mode(st);
    return st;
}

/* Keeps the decision on the initial request r, and says it in CORS_RESULT.
 * Returns it, or NULL where the hooks have nothing to do (ReportOnly). */
static const cors_request_state *cors_keep_decision(
    request_rec *r, const cors_request_state *st)
{
    apr_table_setn(r->subprocess_env, "CORS_RESULT",
                   cors_outcome_names[st->outcome]);
    ap_set_module_config(r->request_config, &cors_module, (void *)st);
    return st->enforced ? st : NULL;
}

/* --------------------------------------------------------------------
 * Answers decided in advance.  Most requests to a scope with a policy are
 * GETs (or HEADs, POSTs...) without an Origin, or with one the policy
 * lists exactly; for those the decision depends only on the policy and
 * the Origin's exact bytes; for one a subdomain pattern allows, it is the
 * same but for the Origin reflected.  For each scope of the main
 * configuration it is made once, by cors_decide() itself on a simulated
 * request, when the configuration is read, and shared read-only by every
 * request; a request then only looks it up (and copies the pattern's).
 * .htaccess files and scopes merged at request time (a policy inherited
 * from an outer one) decide each request.
 */

typedef struct cors_advance {
    cors_request_state not_cors;        /* no Origin */
    /* where an origin the policy does not list exactly can match nothing
     * else (no pattern, regex or "*"): the refusal, for a well-formed and
     * a malformed Origin; outcome CORS_NOT_CORS otherwise */
    cors_request_state refused;
    cors_request_state malformed;
    /* where the policy has subdomain or any-port patterns: the decision
     * for an origin one of them allows, which a request copies with its
     * own Origin and pattern; outcome CORS_NOT_CORS otherwise */
    cors_request_state by_pattern;
    /* one decision per policy->exact_list entry, in order, for a short
     * list; NULL otherwise */
    const cors_request_state *listed;
    /* serialized origin -> decision, for a longer list; NULL otherwise */
    apr_hash_t *listed_hash;
} cors_advance;

/* A log level under every level: a simulated request logs nothing */
static const struct ap_logconf cors_quiet_log = { NULL, -1 };

/* Fills st with the decision for a simulated GET with the given Origin
 * (NULL: none), made at start-up (nothing is logged). */
static void cors_decide_simulated(apr_pool_t *p, server_rec *s,
                                  const cors_dir_conf *conf,
                                  const char *origin, cors_request_state *st)
{
    request_rec *fake = apr_pcalloc(p, sizeof(*fake));

    fake->pool = p;
    fake->server = s;
    fake->log = &cors_quiet_log;
    fake->method = "GET";
    fake->method_number = M_GET;
    fake->headers_in = apr_table_make(p, 1);
    if (origin) {
        apr_table_setn(fake->headers_in, "Origin", origin);
    }
    *st = *cors_new_state(fake, conf, origin, 1);
}

/* Fills st with the decision for an origin one of the policy's patterns
 * allows: made on an origin built from one of them ("x" for the "*"
 * label, port 1 for ":*").  CORS_NOT_CORS if that origin was allowed
 * otherwise (listed exactly as well). */
static void cors_decide_by_pattern(apr_pool_t *p, server_rec *s,
                                   const cors_dir_conf *conf,
                                   cors_request_state *st)
{
    apr_hash_index_t *hi = apr_hash_first(p, conf->policy->patterns);
    char *origin = apr_pstrdup(p, apr_hash_this_key(hi));
    char *star = strstr(origin, "://*.");
    apr_size_t len = strlen(origin);

    if (star) {
        star[3] = 'x';
    }
    if (len > 2 && !strcmp(origin + len - 2, ":*")) {
        origin[len - 1] = '1';
    }
    cors_decide_simulated(p, s, conf, origin, st);
    if (st->outcome != CORS_ALLOWED || st->entry != apr_hash_this_val(hi)) {
        st->outcome = CORS_NOT_CORS;
    }
}

/* Makes the answers of one scope's policy in advance. */
static void cors_decide_in_advance(apr_pool_t *p, server_rec *s,
                                   cors_dir_conf *conf)
{
    const cors_origin_policy *policy = conf->policy;
    const cors_exact_origin *e;
    cors_request_state *listed;
    cors_advance *advance;
    apr_hash_index_t *hi;
    int i;

    if (!cors_policy_applies(conf)) {
        return;
    }
    advance = apr_pcalloc(p, sizeof(*advance));
    cors_decide_simulated(p, s, conf, NULL, &advance->not_cors);
    if (!policy->any && !policy->regexes->nelts
        && !apr_hash_count(policy->patterns)) {
        /* ".invalid" is reserved (RFC 6761): listing it makes no sense,
         * but then the outcome says so and this is not used */
        cors_decide_simulated(p, s, conf, "https://refused.invalid",
                              &advance->refused);
        cors_decide_simulated(p, s, conf, "-", &advance->malformed);
        if (advance->refused.outcome != CORS_REFUSED_ORIGIN
            || advance->malformed.outcome != CORS_MALFORMED) {
            advance->refused.outcome = CORS_NOT_CORS;
        }
    }
    if (apr_hash_count(policy->patterns)) {
        cors_decide_by_pattern(p, s, conf, &advance->by_pattern);
    }
    if (!policy->exact_list || policy->exact_list->nelts == 0) {
        /* nothing listed exactly: every Origin is decided per request */
    }
    else if (policy->exact_list->nelts <= CORS_EXACT_SCAN_MAX) {
        e = (const cors_exact_origin *)policy->exact_list->elts;
        listed = apr_pcalloc(p, policy->exact_list->nelts * sizeof(*listed));
        for (i = 0; i < policy->exact_list->nelts; i++) {
            cors_decide_simulated(p, s, conf, e[i].key, &listed[i]);
        }
        advance->listed = listed;
    }
    else {
        advance->listed_hash = apr_hash_make_custom(p, cors_key_hash);
        for (hi = apr_hash_first(p, policy->exact); hi;
             hi = apr_hash_next(hi)) {
            const char *key = apr_hash_this_key(hi);

            listed = apr_palloc(p, sizeof(*listed));
            cors_decide_simulated(p, s, conf, key, listed);
            apr_hash_set(advance->listed_hash, key, APR_HASH_KEY_STRING,
                         listed);
        }
    }
    conf->advance = advance;
}

/* The decision made in advance for an origin a pattern (entry) allows,
 * for this one */
static CORS_NOINLINE const cors_request_state *cors_allowed_by_pattern(
    request_rec *r, const cors_request_state *by_pattern,
    const char *origin, const char *entry)
{
    cors_request_state *st = apr_palloc(r->pool, sizeof(*st));

    *st = *by_pattern;
    st->allow_origin = origin;
    st->entry = entry;
    return st;
}

/* The decision made in advance for r, or NULL; *origin is r's Origin.
 * Not for OPTIONS (a preflight's answer depends on more), nor when
 * "LogLevel cors:trace1" wants each allowed request logged. */
static const cors_request_state *cors_decided_in_advance(
    request_rec *r, const cors_advance *advance, const char **origin)
{
    const cors_dir_conf *conf = advance->not_cors.conf;
    const apr_array_header_t *list = conf->policy->exact_list;
    const cors_request_state *st = NULL;
    const cors_exact_origin *e;
    const char *entry;
    int i;

    *origin = apr_table_get(r->headers_in, "Origin");
    if (!*origin) {
        return &advance->not_cors;
    }
    if (advance->listed_hash) {
        st = apr_hash_get(advance->listed_hash, *origin, APR_HASH_KEY_STRING);
    }
    else if (advance->listed) {
        /* a short list: comparing a few strings costs less than hashing */
        e = (const cors_exact_origin *)list->elts;
        for (i = 0; i < list->nelts && !st; i++) {
            if (!strcmp(e[i].key, *origin)) {
                st = &advance->listed[i];
            }
        }
    }
    if (!st && advance->by_pattern.outcome == CORS_ALLOWED
        && (entry = cors_match_pattern(conf->policy, *origin,
                                       strlen(*origin)))) {
        return cors_allowed_by_pattern(r, &advance->by_pattern, *origin,
                                       entry);
    }
    if (st || advance->refused.outcome == CORS_NOT_CORS
        || APLOG_R_IS_LEVEL(r, cors_refusal_level(conf))) {
        /* a refusal to log, or to tell from a pattern or regex match */
        return st;
    }
    /* well-formed or not is all that is left to tell */
    return cors_origin_well_formed(*origin) ? &advance->refused
                                            : &advance->malformed;
}

/* The decision for the client request r belongs to, made on first use.
 * NULL when no policy applies, under CorsEngine ReportOnly (decided and
 * logged, nothing else), or for a subrequest. */
static const cors_request_state *cors_request_state_get(request_rec *r)
{
    request_rec *initial = r;
    const cors_request_state *st;
    const cors_dir_conf *conf;

    if (r->main) {
        return NULL;
    }
    while (initial->prev) {
        initial = initial->prev;
    }
    st = ap_get_module_config(initial->request_config, &cors_module);
    if (!st) {
        conf = ap_get_module_config(initial->per_dir_config, &cors_module);
        if (!cors_policy_applies(conf)) {
            /* most URLs of most sites: remember that, at no cost */
            ap_set_module_config(initial->request_config, &cors_module,
                                 (void *)&cors_no_policy);
            return NULL;
        }
        st = cors_keep_decision(initial, cors_new_state(initial, conf, NULL,
                                                        0));
        if (!st) {
            return NULL;
        }
    }
    if (r != initial && st->conf) {
        /* an internal redirect starts with a fresh environment */
        apr_table_setn(r->subprocess_env, "CORS_RESULT",
                       cors_outcome_names[st->outcome]);
    }
    return st->enforced ? st : NULL;
}

/* The hooks' way to the decision: on the client request itself (the
 * usual case, decided in header_parser) a load or two, inline; every
 * other case through cors_request_state_get(). */
static APR_INLINE const cors_request_state *cors_state(request_rec *r)
{
    const cors_request_state *st;

    if (!r->main && !r->prev
        && (st = ap_get_module_config(r->request_config, &cors_module))) {
        return st->enforced ? st : NULL;
    }
    return cors_request_state_get(r);
}

/* Adds token to the Vary field of table unless it is listed already. */
static void cors_merge_vary(request_rec *r, apr_table_t *table,
                            const char *token)
{
    const char *vary;

    /* the common case: no Vary yet (often no field at all), nothing to
     * join or search */
    if (apr_table_elts(table)->nelts == 0 || !apr_table_get(table, "Vary")) {
        apr_table_addn(table, "Vary", token);
        return;
    }
    /* all Vary fields, joined: a backend may send several, and caches
     * (mod_cache_disk) read only the first */
    vary = apr_table_getm(r->pool, table, "Vary");
    if (!ap_find_token(r->pool, vary, token)) {
        apr_table_setn(table, "Vary", apr_pstrcat(r->pool, vary, ", ", token,
                                                  NULL));
    }
}

/* Response header names a script may read without being exposed. */
static int cors_is_safelisted_response_header(const char *name)
{
    static const char *const safelisted[] = {
        "cache-control", "content-language", "content-length",
        "content-type", "expires", "last-modified", "pragma", NULL
    };
    int i;

    for (i = 0; safelisted[i]; i++) {
        if (!strcasecmp(name, safelisted[i])) {
            return 1;
        }
    }
    return 0;
}

typedef struct {
    request_rec *r;
    apr_hash_t *seen;           /* lowercased names already listed */
    apr_array_header_t *names;  /* as they appear, once each */
    apr_size_t len;             /* their total length */
} cors_expose_ctx;

static int cors_add_exposed_name(void *vctx, const char *key,
                                 const char *val)
{
    cors_expose_ctx *ctx = vctx;
    char *lower;

    /* a script can send a name that is not a token ("X-A,X-B"): never
     * pass one on into a field value of ours */
    if (!cors_is_token(key) || cors_is_safelisted_response_header(key)
        || !strncasecmp(key, "Access-Control-", 15)
        || !strcasecmp(key, "Set-Cookie") || !strcasecmp(key, "Vary")) {
        return 1;
    }
    lower = apr_pstrdup(ctx->r->pool, key);
    ap_str_tolower(lower);
    if (!apr_hash_get(ctx->seen, lower, APR_HASH_KEY_STRING)) {
        apr_hash_set(ctx->seen, lower, APR_HASH_KEY_STRING, lower);
        *(const char **)apr_array_push(ctx->names) = key;
        ctx->len += strlen(key) + 2;
    }
    return 1;
}

/* "CorsExposeHeaders *" with credentials: a browser reads "*" literally,
 * so name the headers this response actually has.  Linear in the number
 * of response headers: the list is joined once, at the end. */
static const char *cors_exposed_response_names(request_rec *r)
{
    cors_expose_ctx ctx;
    char *joined, *out;
    int i;

    ctx.r = r;
    ctx.seen = apr_hash_make(r->pool);
    ctx.names = apr_array_make(r->pool, 16, sizeof(const char *));
    ctx.len = 0;
    apr_table_do(cors_add_exposed_name, &ctx, r->headers_out, NULL);
    apr_table_do(cors_add_exposed_name, &ctx, r->err_headers_out, NULL);
    if (ctx.names->nelts == 0) {
        return NULL;
    }
    out = joined = apr_palloc(r->pool, ctx.len + 1);
    for (i = 0; i < ctx.names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(ctx.names, i, const char *);
        apr_size_t n = strlen(name);

        if (i > 0) {
            *out++ = ',';
            *out++ = ' ';
        }
        memcpy(out, name, n);
        out += n;
    }
    *out = '\0';
    return joined;
}

/* Removes every field the module owns from both tables. */
static void cors_unset_fields(request_rec *r)
{
    int i;

    for (i = 0; cors_response_fields[i]; i++) {
        apr_table_unset(r->headers_out, cors_response_fields[i]);
        apr_table_unset(r->err_headers_out, cors_response_fields[i]);
    }
}

/* The Access-Control-* fields of a table: how many, and whether one of
 * them was not written by mod_cors for this request (its value is not one
 * of ours).  One pass over the table. */
static int cors_count_fields(const apr_table_t *table,
                             const cors_request_state *st, int *foreign)
{
    const apr_array_header_t *arr = apr_table_elts(table);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    const cors_token_list *expose = st->conf->expose_headers;
    int i, n = 0;

    for (i = 0; i < arr->nelts; i++) {
        /* "Ac" first: most names fail there */
        if (!e[i].key || (e[i].key[0] | 0x20) != 'a'
            || (e[i].key[1] | 0x20) != 'c'
            || strncasecmp(e[i].key, "Access-Control-", 15)) {
            continue;
        }
        n++;
        if (e[i].val != st->allow_origin && e[i].val != cors_star
            && e[i].val != cors_true
            && !(expose && e[i].val == expose->joined)) {
            *foreign = 1;
        }
    }
    return n;
}

/* Writes the headers of an actual (non-preflight) response into out.
 * fixups and the filter write to headers_out: a cache hit served by
 * mod_cache's handler replaces headers_out fields with the cached ones,
 * which are ours already.  The error hook writes to err_headers_out, the
 * only table an error response keeps.  put is apr_table_addn where the
 * fields cannot be there yet or the filter will see them twice (cheaper),
 * apr_table_setn otherwise. */
static void cors_put_actual_headers(request_rec *r,
                                    const cors_request_state *st,
                                    apr_table_t *out, int final,
                                    cors_table_put put)
{
    const cors_token_list *expose = st->conf->expose_headers;

    if (st->shared) {
        /* Fetch, "CORS protocol and HTTP caches": where every origin is
         * allowed without credentials, the same "*" on every response,
         * Origin or not, lets a shared cache keep one copy for all sites
         * instead of one per Origin (so no Vary: Origin). */
        put(out, "Access-Control-Allow-Origin", cors_star);
        if (expose) {
            put(out, "Access-Control-Expose-Headers", expose->joined);
        }
        return;
    }
    if (apr_table_elts(out)->nelts == 0) {
        /* the common case (header_parser): nothing to merge into */
        apr_table_addn(out, "Vary", cors_vary_origin);
    }
    else {
        cors_merge_vary(r, out, cors_vary_origin);
    }
    if (st->outcome != CORS_ALLOWED) {
        return;
    }
    put(out, "Access-Control-Allow-Origin", st->allow_origin);
    if (st->credentials) {
        put(out, "Access-Control-Allow-Credentials", cors_true);
    }
    if (expose && expose->wildcard && st->credentials) {
        /* only the final call sees every header of the response */
        const char *names = final ? cors_exposed_response_names(r) : NULL;

        if (names) {
            put(out, "Access-Control-Expose-Headers", names);
        }
    }
    else if (expose) {
        put(out, "Access-Control-Expose-Headers", expose->joined);
    }
}

/* Sets the headers of an actual response into out, unless
 * CorsBackendHeaders Keep leaves them to the backend.  Fields are only
 * set here; the CORS_HEADERS filter, which runs once the handler and the
 * backend are done, removes anyone else's. */
static void cors_set_actual_headers(request_rec *r,
                                    const cors_request_state *st,
                                    apr_table_t *out, cors_table_put put)
{
    if (st->conf->backend_headers != CORS_BACKEND_KEEP) {
        cors_put_actual_headers(r, st, out, 0, put);
    }
}

/* When the response starts: leaves exactly one of each Access-Control-*
 * field, ours, in headers_out.  Usually there is nothing to do but look:
 * one pass over each table finds that every field is one mod_cors set, and
 * once.  Otherwise (a backend's or a script's fields, ours in both tables,
 * "CorsExposeHeaders *" with credentials, which names the final headers)
 * every field is removed and ours are set again. */
static void cors_finish_actual_headers(request_rec *r,
                                       const cors_request_state *st)
{
    const cors_token_list *expose = st->conf->expose_headers;
    int foreign = 0, in_out, in_err, want;

    in_out = cors_count_fields(r->headers_out, st, &foreign);
    in_err = cors_count_fields(r->err_headers_out, st, &foreign);
    want = st->shared ? 1 + (expose != NULL)
         : st->outcome != CORS_ALLOWED ? 0
         : 1 + st->credentials + (expose != NULL);
    if (foreign || in_err || in_out != want
        || (expose && expose->wildcard && st->credentials)) {
        cors_unset_fields(r);
        cors_put_actual_headers(r, st, r->headers_out, 1, apr_table_addn);
    }
    else if (!st->shared
             && apr_table_get(r->headers_out, "Vary") != cors_vary_origin) {
        /* a handler replaced or added Vary after fixups */
        cors_merge_vary(r, r->headers_out, cors_vary_origin);
    }
}

/* The Vary of a preflight answer, refused or allowed: every request
 * field the answer depends on. */
static void cors_set_preflight_vary(request_rec *r, apr_table_t *out,
                                    const cors_dir_conf *conf)
{
    int pna = (conf->allow_private_network == 1);

    if (apr_table_elts(out)->nelts == 0 || !apr_table_get(out, "Vary")) {
        apr_table_addn(out, "Vary", pna ? cors_vary_preflight_pna
                                        : cors_vary_preflight);
        return;
    }
    cors_merge_vary(r, out, "Origin");
    cors_merge_vary(r, out, "Access-Control-Request-Method");
    cors_merge_vary(r, out, "Access-Control-Request-Headers");
    if (pna) {
        cors_merge_vary(r, out, "Access-Control-Request-Private-Network");
    }
}

/* The allowed preflight's answer, into headers_out (a 204 keeps both
 * tables).  Nothing has run yet that could have set Access-Control-*
 * fields but an early hook of another module: they are removed only
 * when a table has any. */
static void cors_set_preflight_headers(request_rec *r,
                                       const cors_request_state *st)
{
    const cors_dir_conf *conf = st->conf;
    apr_table_t *out = r->headers_out;
    const char *pna;
    int foreign = 0;

    if ((apr_table_elts(r->headers_out)->nelts
         || apr_table_elts(r->err_headers_out)->nelts)
        && (cors_count_fields(r->headers_out, st, &foreign)
            + cors_count_fields(r->err_headers_out, st, &foreign))) {
        cors_unset_fields(r);
    }
    cors_set_preflight_vary(r, out, conf);
    apr_table_addn(out, "Access-Control-Allow-Origin", st->allow_origin);
    if (st->credentials) {
        apr_table_addn(out, "Access-Control-Allow-Credentials", cors_true);
    }
    apr_table_addn(out, "Access-Control-Allow-Methods", st->allow_methods);
    if (st->allow_headers) {
        apr_table_addn(out, "Access-Control-Allow-Headers",
                       st->allow_headers);
    }
    if (conf->max_age) {
        apr_table_addn(out, "Access-Control-Max-Age", conf->max_age);
    }
    if (conf->allow_private_network != 1 && !APLOGrdebug(r)) {
        return;
    }
    pna = st->request_private_network;
    if (pna && !strcasecmp(pna, "true")) {
        if (conf->allow_private_network == 1) {
            apr_table_addn(out, "Access-Control-Allow-Private-Network",
                           cors_true);
        }
        else {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                          "CORS0107: %s from origin %s asks for private "
                          "network access, which CorsAllowPrivateNetwork "
                          "does not allow (%s): answered without "
                          "Access-Control-Allow-Private-Network",
                          cors_describe(r, st),
                          apr_table_get(r->headers_in, "Origin"),
                          conf->set_at[CORS_SET_PRIVATE_NETWORK]
                          ? conf->set_at[CORS_SET_PRIVATE_NETWORK]
                          : "default");
        }
    }
}



/* --------------------------------------------------------------------
 * Hooks, in request order
 */

/* Sets the fields of an actual response into headers_out, once the
 * decision is made, unless CorsBackendHeaders Keep leaves them to the
 * backend.  Nothing has set an Access-Control-* field yet but a "Header
 * ... early" line, whose mod_headers filter then sorts that out.  The
 * usual case, an empty table and only Vary and the origin to set, is
 * written out here; cors_put_actual_headers() does the rest. */
static APR_INLINE void cors_start_actual_headers(request_rec *r,
                                                 const cors_request_state *st)
{
    if (st->filter == CORS_FILTER_NEVER) {
        return;
    }
    if (st->shared || st->credentials || st->conf->expose_headers
        || apr_table_elts(r->headers_out)->nelts) {
        cors_put_actual_headers(r, st, r->headers_out, 0, apr_table_addn);
        return;
    }
    apr_table_addn(r->headers_out, "Vary", cors_vary_origin);
    if (st->outcome == CORS_ALLOWED) {
        apr_table_addn(r->headers_out, "Access-Control-Allow-Origin",
                       st->allow_origin);
    }
}

/* header_parser, REALLY_FIRST: decide as soon as the per-directory
 * configuration is known, so CORS_RESULT is there for mod_setenvif's
 * per-directory SetEnvIf, the auth phase ("Require env") and the rest;
 * and set the fields of an actual response right away (an error answer
 * keeps only err_headers_out: cors_insert_error_filter sets them there). */
static int cors_header_parser(request_rec *r)
{
    const cors_dir_conf *conf = ap_get_module_config(r->per_dir_config,
                                                     &cors_module);
    const cors_request_state *st = NULL;
    const char *origin;

    if (r->prev) {
        /* an internal redirect: the client request's decision */
        st = cors_request_state_get(r);
    }
    else if (!cors_policy_applies(conf)) {
        /* most URLs of most sites: remember that, at no cost */
        ap_set_module_config(r->request_config, &cors_module,
                             (void *)&cors_no_policy);
        return DECLINED;
    }
    else if (conf->advance && r->method_number != M_OPTIONS
             && !APLOGrtrace1(r)) {
        st = cors_decided_in_advance(r, conf->advance, &origin);
        st = cors_keep_decision(r, st ? st : cors_new_state(r, conf, origin,
                                                            1));
    }
    else {
        st = cors_keep_decision(r, cors_new_state(r, conf, NULL, 0));
    }
    if (st && !(st->is_preflight && !r->prev)) {
        cors_start_actual_headers(r, st);
    }
    return DECLINED;
}

/* Writes the 204 answer to an allowed preflight and ends the request: the
 * hook returns DONE, so ap_process_request_internal() stops there and
 * ap_die() finalizes the response.  No later hook, no handler and no
 * insert_filter hook runs.  A preflight has no body: reading one the
 * client announced would mean asking for it (100 Continue) and paying for
 * it, so the connection is closed after the answer instead, and
 * ap_discard_request_body() leaves it unread. */
static int cors_answer_preflight(request_rec *r,
                                 const cors_request_state *st)
{
    /* what %R in the access log and server-status show */
    r->handler = CORS_PREFLIGHT_HANDLER;
    r->allowed |= (AP_METHOD_BIT << M_OPTIONS);
    r->expecting_100 = 0;
    if (st->has_body || r->kept_body) {
        r->connection->keepalive = AP_CONN_CLOSE;
    }
    cors_set_preflight_headers(r, st);
    r->status = HTTP_NO_CONTENT;
    return DONE;
}

/* access_checker_ex at REALLY_LAST: see the top of the file.  Runs only
 * when every earlier hook declined, i.e. when mod_authz_core needs an
 * authenticated user; an allowed preflight never has one.  The exemption
 * and the answer are one step: nothing else runs for the request. */
static int cors_access_checker_ex(request_rec *r)
{
    const cors_request_state *st = cors_state(r);

    if (st && st->is_preflight && !r->prev
        && st->outcome == CORS_PREFLIGHT_ALLOWED) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r,
                      "CORS0111: preflight %s answered without "
                      "authentication (browsers never send credentials on "
                      "a preflight)", r->uri);
        return cors_answer_preflight(r, st);
    }
    return DECLINED;
}

/* A preflight that passed the access checks on its own: answered if
 * allowed, refused with 403 otherwise (its Vary set for the error). */
static CORS_NOINLINE int cors_claim_preflight(request_rec *r,
                                              const cors_request_state *st)
{
    if (st->outcome != CORS_PREFLIGHT_ALLOWED) {
        /* its Vary is set by cors_insert_error_filter, as for any error */
        return HTTP_FORBIDDEN;
    }
    return cors_answer_preflight(r, st);
}

/* type_checker and fixups, both at REALLY_FIRST: see the top of the
 * file.  A preflight reaches the fixups only when another type checker
 * claimed the request before ours. */
static int cors_claim_if_preflight(request_rec *r)
{
    const cors_request_state *st;

    /* a preflight is an OPTIONS request: every other method leaves here */
    if (r->method_number != M_OPTIONS) {
        return DECLINED;
    }
    st = cors_state(r);
    if (st && st->is_preflight && !r->prev) {
        return cors_claim_preflight(r, st);
    }
    return DECLINED;
}

/* insert_filter, LAST and after mod_headers': adds CORS_HEADERS where the
 * response needs it (cors_filter_mode).  Runs once per request_rec. */
static void cors_insert_filter(request_rec *r)
{
    const cors_request_state *st = cors_state(r);

    if (st && cors_needs_filter(r, st, 0)) {
        ap_add_output_filter_handle(cors_headers_filter_handle, NULL, r,
                                    r->connection);
    }
}

/* Error responses keep only err_headers_out (ap_send_error_response()
 * drops headers_out), and errors raised before header_parser never had
 * ours: set the fields there. */
static void cors_insert_error_filter(request_rec *r)
{
    const cors_request_state *st = cors_state(r);

    if (!st) {
        return;
    }
    if (st->is_preflight && !r->prev) {
        /* a refused preflight (or one another module refused): no
         * Access-Control-* field at all, whoever set it */
        cors_set_preflight_vary(r, r->err_headers_out, st->conf);
    }
    else {
        cors_set_actual_headers(r, st, r->err_headers_out, apr_table_setn);
    }
    /* "Header always" lines, a handler's fields left in err_headers_out;
     * once per request_rec, but insert_filter may have added it already */
    if (cors_needs_filter(r, st, 1)
        && !cors_has_filter(r, cors_headers_filter_handle)) {
        ap_add_output_filter_handle(cors_headers_filter_handle, NULL, r,
                                    r->connection);
    }
}

/* Runs when the response starts, after a proxy backend or CGI script set
 * its headers: leaves exactly one of each CORS field, ours. */
static apr_status_t cors_headers_filter(ap_filter_t *f,
                                        apr_bucket_brigade *bb)
{
    const cors_request_state *st = cors_state(f->r);

    if (st && st->is_preflight && !f->r->prev) {
        /* only an error answers a preflight here (mod_cors's own 204 is
         * sent before any filter is added): it carries no CORS field */
        int foreign = 0;

        if (cors_count_fields(f->r->headers_out, st, &foreign)
            + cors_count_fields(f->r->err_headers_out, st, &foreign)) {
            cors_unset_fields(f->r);
        }
    }
    else if (st) {
        cors_finish_actual_headers(f->r, st);
    }
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

/* --------------------------------------------------------------------
 * Startup: gather the scopes while the configuration is read, then warn
 * about what is valid but probably wrong.  check_config runs for
 * "apache2 -t" too, so the warnings show there.
 */

static apr_status_t cors_psl_cleanup(void *unused)
{
    psl_free(cors_psl);
    cors_psl = NULL;
    return APR_SUCCESS;
}

static int cors_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp)
{
    cors_scopes = apr_array_make(pconf, 8, sizeof(cors_scope));
    cors_futile_lines = apr_array_make(pconf, 4, sizeof(cors_futile_line));
    /* The newer of libpsl's built-in copy and the publicsuffix package's
     * file (psl_dist_filename()), by modification time; psl_free() knows
     * the built-in one and leaves it alone. */
    cors_psl = psl_latest(NULL);
    apr_pool_cleanup_register(pconf, NULL, cors_psl_cleanup,
                              apr_pool_cleanup_null);
    return OK;
}

static void cors_warn_scope(const cors_scope *scope)
{
    const cors_dir_conf *conf = scope->conf;
    const cors_origin_policy *policy = conf->policy;
    const cors_token_list *headers = conf->allow_headers;
    server_rec *s = scope->server;
    int i;

    if (policy && policy->null_at) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "CORS0201: %s: CorsAllowOrigin null allows every "
                     "sandboxed iframe and local file, whatever its site: "
                     "list the real origins instead", policy->null_at);
    }
    for (i = 0; policy && i < policy->regexes->nelts; i++) {
        const cors_origin_regex *re =
            &APR_ARRAY_IDX(policy->regexes, i, cors_origin_regex);
        const char *advice = cors_regex_advice(re->source);

        if (advice) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         "CORS0202: %s: CorsAllowOriginMatch '%s' may match "
                         "more hosts than meant: %s",
                         re->defined_at, re->source, advice);
        }
    }
    if (policy && policy->http_at && conf->allow_credentials == 1) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "CORS0203: %s: http:// origins are allowed with "
                     "CorsAllowCredentials On; anyone on the network path "
                     "can run script in an http:// page and use the "
                     "user's credentials: allow only https:// origins",
                     policy->http_at);
    }
    if (conf->max_age && apr_atoi64(conf->max_age) > 7200) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "CORS0204: %s: CorsMaxAge %s is more than browsers "
                     "honour (Chromium caps it at 7200 seconds): write "
                     "CorsMaxAge 7200", conf->set_at[CORS_SET_MAX_AGE],
                     conf->max_age);
    }
    if (headers && headers->wildcard && conf->allow_credentials == 1
        && !apr_hash_get(headers->names, "authorization",
                         APR_HASH_KEY_STRING)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     "CORS0205: %s: CorsAllowHeaders * never covers "
                     "Authorization, which credentialed clients often "
                     "send: write CorsAllowHeaders * Authorization",
                     conf->set_at[CORS_SET_HEADERS]);
    }
}

/* One warning per directive line that lists names that can never take
 * effect, naming all of them. */
static void cors_warn_futile(apr_pool_t *ptemp,
                             const cors_futile_line *line)
{
    const char *names = APR_ARRAY_IDX(line->names, 0, const char *);
    const char *them = line->names->nelts > 1 ? "them" : "it";
    const char *cookies = "";
    int i;

    for (i = 0; i < line->names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(line->names, i, const char *);

        if (i > 0) {
            names = apr_pstrcat(ptemp, names, ", ", name, NULL);
        }
        if (!strcasecmp(name, "Cookie") || !strcasecmp(name, "Cookie2")) {
            cookies = "; cookies are sent with CorsAllowCredentials On";
        }
    }
    switch (line->which) {
    case CORS_SET_METHODS:
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, line->server,
                     "CORS0206: %s: CorsAllowMethods lists %s, which "
                     "browsers never send from a script (forbidden "
                     "methods, Fetch standard): remove %s",
                     line->defined_at, names, them);
        break;
    case CORS_SET_HEADERS:
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, line->server,
                     "CORS0207: %s: CorsAllowHeaders lists %s, which only "
                     "the browser sets and a script never can (forbidden "
                     "request-header names, Fetch standard%s): remove %s",
                     line->defined_at, names, cookies, them);
        break;
    case CORS_SET_EXPOSE:
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, line->server,
                     "CORS0208: %s: CorsExposeHeaders lists %s, which "
                     "browsers never expose to a script (forbidden "
                     "response-header names, Fetch standard): remove %s",
                     line->defined_at, names, them);
        break;
    default:
        break;
    }
}

/* Finds the first loaded module not in cors_reviewed_modules, and
 * mod_headers' filter, for cors_needs_filter(); says at debug which it
 * is, so an administrator can tell why every response pays for
 * CORS_HEADERS. */
static void cors_review_modules(server_rec *s)
{
    module *m;
    int i;

    cors_unreviewed_module = NULL;
    for (m = ap_top_module; m && !cors_unreviewed_module; m = m->next) {
        for (i = 0; cors_reviewed_modules[i]; i++) {
            if (!strcmp(m->name, cors_reviewed_modules[i])) {
                break;
            }
        }
        if (!cors_reviewed_modules[i]) {
            cors_unreviewed_module = m->name;
        }
    }
    cors_mod_headers_filter = ap_get_output_filter_handle("FIXUP_HEADERS_OUT");
    cors_mod_headers_error_filter =
        ap_get_output_filter_handle("FIXUP_HEADERS_ERR");
    if (cors_unreviewed_module) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                     "CORS0209: %s is loaded and may set Access-Control-* "
                     "response fields: the CORS_HEADERS filter checks every "
                     "response that has a policy", cors_unreviewed_module);
    }
    else {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                     "CORS0209: no loaded module but mod_headers sets "
                     "Access-Control-* response fields: the CORS_HEADERS "
                     "filter checks only responses where one may appear");
    }
}

static int cors_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp, server_rec *s)
{
    int i;

    ap_add_version_component(pconf, "mod_cors/" MOD_CORS_VERSION);
    cors_review_modules(s);
    for (i = 0; cors_scopes && i < cors_scopes->nelts; i++) {
        cors_scope *scope = &APR_ARRAY_IDX(cors_scopes, i, cors_scope);

        cors_decide_in_advance(pconf, scope->server, scope->conf);
    }
    /* .htaccess files read later are not gathered */
    cors_scopes = NULL;
    return OK;
}

static int cors_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    int i;

    for (i = 0; cors_scopes && i < cors_scopes->nelts; i++) {
        cors_warn_scope(&APR_ARRAY_IDX(cors_scopes, i, cors_scope));
    }
    for (i = 0; cors_futile_lines && i < cors_futile_lines->nelts; i++) {
        cors_warn_futile(ptemp, &APR_ARRAY_IDX(cors_futile_lines, i,
                                               cors_futile_line));
    }
    cors_futile_lines = NULL;
    return OK;
}

/* --------------------------------------------------------------------
 * The cors-info handler: the effective policy of a URL, for admins.
 *
 *   <Location /cors-info>
 *       SetHandler cors-info
 *       Require ip 127.0.0.1
 *   </Location>
 *
 * GET /cors-info?/api/data.json shows the merged policy of /api/data.json
 * and where each value was set; GET /cors-info?url=/api/x&origin=...
 * explains a request (see cors_info_explain).
 */

static void cors_info_line(request_rec *r, const cors_dir_conf *conf,
                           const char *name, cors_directive which,
                           const char *value)
{
    ap_rprintf(r, "%-24s %s\n%-24s   %s\n", name, value, "",
               conf->set_at[which]
               ? apr_pstrcat(r->pool, "set at ", conf->set_at[which], NULL)
               : "default");
}

static const char *cors_info_list(const cors_token_list *list,
                                  const char *unset)
{
    return list ? list->joined : unset;
}

/* The cors-info page, explain form: what a browser's request would get.
 *
 *   GET /cors-info?url=/api/x&origin=https://app.example.com&method=PUT
 *                 &headers=content-type,x-token&credentials=include
 *
 * The decision and the fields come from the code real requests run
 * (cors_decide, cors_set_preflight_headers, cors_put_actual_headers), on
 * a copy of a lookup subrequest for the URL whose headers_in holds the
 * simulated fields: the per-directory configuration is the URL's, and no
 * hook, handler or backend of the resource runs.  Only the browser's side
 * (whether it sends a preflight, what it makes of the answer) is
 * simulated here.
 */

/* The query of the explain form, checked */
typedef struct {
    const char *url;
    const char *origin;         /* NULL: no Origin, not a CORS request */
    const char *method;
    apr_array_header_t *headers;    /* names, lowercase, sorted, once each */
    int credentials;            /* credentials=include */
    int json;
} cors_explain_query;

/* One request of the simulation: the preflight or the actual request */
typedef struct {
    request_rec *fake;          /* the simulated request */
    cors_request_state st;      /* mod_cors's decision for it */
    int status;                 /* 204 or 403; 0: the resource's own */
    apr_table_t *fields;        /* what mod_cors sends */
} cors_explain_step;

typedef struct {
    const cors_explain_query *q;
    const cors_dir_conf *conf;
    const char *uri;            /* the path the policy is looked up for */
    int applies;                /* a policy applies (On or ReportOnly) */
    int preflight;              /* a browser sends a preflight first */
    const char *why;            /* why it does or does not */
    const char *unsafe;         /* its Access-Control-Request-Headers */
    cors_explain_step pf, actual;
    const char *result;         /* CORS_RESULT of the first request */
    int readable;               /* the script gets the response */
    const char *console;        /* else what the browser console says */
    apr_array_header_t *notes;  /* const char * */
} cors_explanation;

/* Request header names a browser sends without a preflight (Fetch,
 * "CORS-safelisted request-header", for the values scripts usually set).
 * Content-Type counts as not safelisted: its safelisted values
 * (text/plain, multipart/form-data, application/x-www-form-urlencoded)
 * leave it out of headers= altogether. */
static int cors_is_safelisted_request_header(const char *name)
{
    return !strcmp(name, "accept") || !strcmp(name, "accept-language")
           || !strcmp(name, "content-language");
}

/* The log level of a simulated request: nothing is logged for it. */

static int cors_sort_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Why a query is refused with 400, or NULL; fills q. */
static const char *cors_explain_parse(request_rec *r, cors_explain_query *q)
{
    static const char *const known[] = {
        "url", "origin", "method", "headers", "credentials", "format", NULL
    };
    const char *value[6] = { NULL };
    char *copy = apr_pstrdup(r->pool, r->args), *pair, *state, *eq;
    const char *accept, *error = NULL;
    int i;

    /* the first error is the answer, but format= is read to the end, so
     * that the error comes as asked */
    for (pair = apr_strtok(copy, "&", &state); pair;
         pair = apr_strtok(NULL, "&", &state)) {
        eq = strchr(pair, '=');
        if (eq) {
            *eq++ = '\0';
        }
        if (ap_unescape_urlencoded(pair) != OK) {
            error = error ? error : "a parameter name is not "
                                    "percent-encoded properly";
            continue;
        }
        for (i = 0; known[i] && strcmp(pair, known[i]); i++) {
            /* find the parameter */
        }
        if (!known[i]) {
            error = error ? error
                : apr_psprintf(r->pool, "unknown parameter '%.64s' (known: "
                               "url, origin, method, headers, credentials, "
                               "format)", ap_escape_logitem(r->pool, pair));
        }
        else if (!eq) {
            error = error ? error
                : apr_psprintf(r->pool, "parameter %s has no value "
                               "(%s=...)", known[i], known[i]);
        }
        else if (value[i]) {
            error = error ? error
                : apr_psprintf(r->pool, "parameter %s is given twice",
                               known[i]);
        }
        else if (ap_unescape_urlencoded(eq) != OK) {
            error = error ? error
                : apr_psprintf(r->pool, "parameter %s is not "
                               "percent-encoded properly (or has %%00)",
                               known[i]);
        }
        else {
            value[i] = eq;
        }
    }

    accept = apr_table_get(r->headers_in, "Accept");
    q->json = accept && ap_strcasestr(accept, "application/json");
    if (value[5]) {
        q->json = !strcmp(value[5], "json");
        if (!q->json && strcmp(value[5], "text")) {
            return "format must be json or text";
        }
    }
    if (error) {
        return error;
    }

    q->url = value[0];
    if (!q->url) {
        return "missing url: the URL path to explain (url=/api/x)";
    }
    if (q->url[0] != '/') {
        return "url must be a URL path starting with /";
    }
    for (i = 0; q->url[i]; i++) {
        if (apr_iscntrl(q->url[i]) || q->url[i] == ' ') {
            return "url has a space or a control character";
        }
    }

    q->origin = value[1];
    if (q->origin && strlen(q->origin) > CORS_ORIGIN_MAX_LEN) {
        return apr_psprintf(r->pool, "origin is longer than %d bytes, more "
                            "than mod_cors reads of an Origin field",
                            CORS_ORIGIN_MAX_LEN);
    }

    q->method = value[2] ? value[2] : "GET";
    if (!cors_is_token(q->method)) {
        return "method is not a method name (an HTTP token)";
    }
    /* a browser normalizes these six (Fetch, "normalize a method") */
    for (i = 0; i < 6; i++) {
        static const char *const normalized[] = {
            "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"
        };

        if (!strcasecmp(q->method, normalized[i])) {
            q->method = normalized[i];
        }
    }

    q->headers = apr_array_make(r->pool, 8, sizeof(const char *));
    if (value[3]) {
        char *names = apr_pstrdup(r->pool, value[3]), *name, *hstate, *end;

        for (name = apr_strtok(names, ",", &hstate); name;
             name = apr_strtok(NULL, ",", &hstate)) {
            while (*name == ' ' || *name == '\t') {
                name++;
            }
            end = name + strlen(name);
            while (end > name && (end[-1] == ' ' || end[-1] == '\t')) {
                *--end = '\0';
            }
            if (!*name) {
                continue;
            }
            if (!cors_is_token(name)) {
                return apr_psprintf(r->pool, "headers: '%.64s' is not a "
                                    "header name (an HTTP token)",
                                    ap_escape_logitem(r->pool, name));
            }
            if (q->headers->nelts == CORS_MAX_REQUEST_HEADERS) {
                return apr_psprintf(r->pool, "headers lists more than %d "
                                    "names, more than any browser sends",
                                    CORS_MAX_REQUEST_HEADERS);
            }
            ap_str_tolower(name);
            for (i = 0; i < q->headers->nelts; i++) {
                if (!strcmp(APR_ARRAY_IDX(q->headers, i, const char *),
                            name)) {
                    break;
                }
            }
            if (i == q->headers->nelts) {
                *(const char **)apr_array_push(q->headers) = name;
            }
        }
        qsort(q->headers->elts, q->headers->nelts, sizeof(const char *),
              cors_sort_names);
    }

    if (value[4] && strcmp(value[4], "include")
        && strcmp(value[4], "same-origin") && strcmp(value[4], "omit")) {
        return "credentials must be include, same-origin or omit";
    }
    q->credentials = value[4] && !strcmp(value[4], "include");
    return NULL;
}

/* A copy of the lookup subrequest rr as the request a browser would send:
 * the URL's configuration, the simulated method and fields, empty
 * response tables, nothing logged. */
static request_rec *cors_explain_request(request_rec *rr, const char *method,
                                         const char *origin,
                                         const char *request_method,
                                         const char *request_headers)
{
    request_rec *fake = apr_pmemdup(rr->pool, rr, sizeof(*rr));

    fake->main = fake->prev = fake->next = NULL;
    fake->method = method;
    fake->method_number = ap_method_number_of(method);
    fake->headers_in = apr_table_make(rr->pool, 4);
    fake->headers_out = apr_table_make(rr->pool, 8);
    fake->err_headers_out = apr_table_make(rr->pool, 4);
    fake->subprocess_env = apr_table_make(rr->pool, 4);
    fake->notes = apr_table_make(rr->pool, 4);
    fake->request_config = ap_create_request_config(rr->pool);
    fake->log = &cors_quiet_log;
    if (origin) {
        apr_table_setn(fake->headers_in, "Origin", origin);
    }
    if (request_method) {
        apr_table_setn(fake->headers_in, "Access-Control-Request-Method",
                       request_method);
    }
    if (request_headers) {
        apr_table_setn(fake->headers_in, "Access-Control-Request-Headers",
                       request_headers);
    }
    return fake;
}

/* mod_cors's decision for a simulated request, as cors_request_state_get
 * makes it for a real one. */
static void cors_explain_decide(cors_explain_step *step,
                                const cors_dir_conf *conf)
{
    memset(&step->st, 0, sizeof(step->st));
    step->st.conf = conf;
    step->st.enforced = (conf->engine != CORS_ENGINE_REPORT_ONLY);
    step->st.explaining = 1;
    cors_decide(step->fake, &step->st,
                cors_request_origin(step->fake, &step->st));
}

/* Whether list (a field value) has name, or "*" where that counts */
static int cors_field_lists(apr_pool_t *p, const char *list,
                            const char *name, int star, int icase)
{
    char *copy, *item, *state;

    if (!list) {
        return 0;
    }
    copy = apr_pstrdup(p, list);
    for (item = apr_strtok(copy, ", \t", &state); item;
         item = apr_strtok(NULL, ", \t", &state)) {
        if ((icase ? !strcasecmp(item, name) : !strcmp(item, name))
            || (star && !strcmp(item, "*"))) {
            return 1;
        }
    }
    return 0;
}

/* What a browser makes of the fields of a response (Fetch, "CORS check"
 * and, for a preflight, "CORS-preflight fetch"): NULL when it passes,
 * else the reason its console gives, in Chromium's words. */
static const char *cors_browser_check(request_rec *r,
                                      const cors_explanation *ex,
                                      const cors_explain_step *step,
                                      int preflight)
{
    const cors_explain_query *q = ex->q;
    const char *acao = apr_table_get(step->fields,
                                     "Access-Control-Allow-Origin");
    const char *acac = apr_table_get(step->fields,
                                     "Access-Control-Allow-Credentials");
    const char *pre = preflight ? "Response to preflight request doesn't "
                                  "pass access control check: " : "";
    const char *allowed;
    int i;

    if (!acao) {
        return apr_pstrcat(r->pool, pre, "No 'Access-Control-Allow-Origin' "
                           "header is present on the requested resource.",
                           NULL);
    }
    if (!strcmp(acao, "*") && q->credentials) {
        return apr_pstrcat(r->pool, pre, "The value of the "
                           "'Access-Control-Allow-Origin' header in the "
                           "response must not be the wildcard '*' when the "
                           "request's credentials mode is 'include'.", NULL);
    }
    if (strcmp(acao, "*") && strcmp(acao, q->origin)) {
        return apr_pstrcat(r->pool, pre, "The 'Access-Control-Allow-Origin' "
                           "header has a value '", acao, "' that is not "
                           "equal to the supplied origin.", NULL);
    }
    if (q->credentials && (!acac || strcmp(acac, "true"))) {
        return apr_pstrcat(r->pool, pre, "The value of the "
                           "'Access-Control-Allow-Credentials' header in "
                           "the response is '", acac ? acac : "",
                           "' which must be 'true' when the request's "
                           "credentials mode is 'include'.", NULL);
    }
    if (!preflight) {
        return NULL;
    }
    if (step->status < 200 || step->status > 299) {
        return apr_pstrcat(r->pool, pre, "It does not have HTTP ok status.",
                           NULL);
    }
    allowed = apr_table_get(step->fields, "Access-Control-Allow-Methods");
    if (strcmp(q->method, "GET") && strcmp(q->method, "HEAD")
        && strcmp(q->method, "POST")
        && !cors_field_lists(r->pool, allowed, q->method, !q->credentials,
                             0)) {
        return apr_psprintf(r->pool, "Method %s is not allowed by "
                            "Access-Control-Allow-Methods in preflight "
                            "response.", q->method);
    }
    allowed = apr_table_get(step->fields, "Access-Control-Allow-Headers");
    for (i = 0; i < q->headers->nelts; i++) {
        const char *name = APR_ARRAY_IDX(q->headers, i, const char *);

        if (!cors_is_safelisted_request_header(name)
            && !cors_field_lists(r->pool, allowed, name, 0, 1)
            && (q->credentials || !strcmp(name, "authorization")
                || !cors_field_lists(r->pool, allowed, "*", 0, 0))) {
            return apr_psprintf(r->pool, "Request header field %s is not "
                                "allowed by Access-Control-Allow-Headers in "
                                "preflight response.", name);
        }
    }
    return NULL;
}

static void cors_explain_note(cors_explanation *ex, const char *note)
{
    *(const char **)apr_array_push(ex->notes) = note;
}

/* Runs the simulation for the URL looked up as rr. */
static void cors_explain(request_rec *r, request_rec *rr,
                         cors_explanation *ex)
{
    const cors_explain_query *q = ex->q;
    const cors_dir_conf *conf = ex->conf;
    const char *unsafe = NULL, *unsafe_shown = NULL, *why_method = NULL;
    const char *why_headers = NULL;
    const char *failed;
    int i, safe_method;

    safe_method = !strcmp(q->method, "GET") || !strcmp(q->method, "HEAD")
                  || !strcmp(q->method, "POST");
    for (i = 0; i < q->headers->nelts; i++) {
        const char *name = APR_ARRAY_IDX(q->headers, i, const char *);

        if (!cors_is_safelisted_request_header(name)) {
            unsafe = unsafe ? apr_pstrcat(r->pool, unsafe, ",", name, NULL)
                            : name;
            unsafe_shown = unsafe_shown
                ? apr_pstrcat(r->pool, unsafe_shown, ", ", name, NULL)
                : name;
        }
    }
    if (!safe_method) {
        why_method = apr_pstrcat(r->pool, q->method, " is not GET, HEAD or "
                                 "POST", NULL);
    }
    ex->preflight = q->origin && (why_method || unsafe);
    if (unsafe) {
        why_headers = apr_pstrcat(r->pool, unsafe_shown, strchr(unsafe, ',')
                                  ? " are not CORS-safelisted request "
                                    "headers"
                                  : " is not a CORS-safelisted request "
                                    "header", NULL);
    }
    ex->unsafe = unsafe;
    if (!q->origin) {
        ex->why = "no Origin: not a cross-origin request (a browser sends "
                  "Origin with every cross-origin fetch)";
    }
    else if (!ex->preflight) {
        ex->why = "the method is CORS-safelisted (GET, HEAD, POST) and every "
                  "header is CORS-safelisted";
    }
    else {
        ex->why = apr_pstrcat(r->pool, why_method ? why_method : "",
                              why_method && unsafe ? "; " : "",
                              why_headers ? why_headers : "", NULL);
    }

    ex->pf.fake = ex->preflight
        ? cors_explain_request(rr, "OPTIONS", q->origin, q->method, unsafe)
        : NULL;
    ex->actual.fake = cors_explain_request(rr, q->method, q->origin, NULL,
                                           NULL);
    ex->pf.fields = ex->pf.fake ? ex->pf.fake->headers_out
                                : apr_table_make(r->pool, 1);
    ex->actual.fields = ex->actual.fake->headers_out;

    if (ex->applies) {
        if (ex->preflight) {
            cors_explain_decide(&ex->pf, conf);
            if (ex->pf.st.outcome == CORS_PREFLIGHT_ALLOWED) {
                cors_set_preflight_headers(ex->pf.fake, &ex->pf.st);
                ex->pf.status = HTTP_NO_CONTENT;
            }
            else {
                ex->pf.fields = ex->pf.fake->err_headers_out;
                cors_set_preflight_vary(ex->pf.fake, ex->pf.fields, conf);
                ex->pf.status = HTTP_FORBIDDEN;
            }
        }
        cors_explain_decide(&ex->actual, conf);
        if (conf->backend_headers != CORS_BACKEND_KEEP) {
            cors_put_actual_headers(ex->actual.fake, &ex->actual.st,
                                    ex->actual.fields, 0, apr_table_setn);
        }
        ex->result = cors_outcome_names[ex->preflight ? ex->pf.st.outcome
                                                      : ex->actual.st.outcome];
        if (conf->engine == CORS_ENGINE_REPORT_ONLY) {
            cors_explain_note(ex, apr_psprintf(r->pool, "CorsEngine "
                              "ReportOnly (%s): mod_cors decides and logs, "
                              "but sends none of the fields shown and "
                              "answers no preflight; the response is what "
                              "the rest of the configuration makes it. The "
                              "fields and the browser's verdict shown are "
                              "those of CorsEngine On.",
                              conf->set_at[CORS_SET_ENGINE]));
        }
        if (conf->backend_headers == CORS_BACKEND_KEEP) {
            cors_explain_note(ex, apr_psprintf(r->pool, "CorsBackendHeaders "
                              "Keep (%s): the actual response carries the "
                              "backend's Access-Control-* fields, not "
                              "mod_cors's", conf->set_at[CORS_SET_BACKEND]));
        }
        if (conf->expose_headers && conf->expose_headers->wildcard
            && ex->actual.st.credentials) {
            cors_explain_note(ex, "CorsExposeHeaders * with credentials: "
                              "Access-Control-Expose-Headers names the "
                              "actual response's own header fields, which "
                              "only the resource knows");
        }
        if (ex->preflight && ex->pf.st.outcome == CORS_PREFLIGHT_ALLOWED
            && conf->allow_credentials == 1 && !ex->pf.st.credentials) {
            cors_explain_note(ex, "CorsAllowCredentials On, but the origin "
                              "is allowed only through '*', which is "
                              "answered without credentials (CORS0106)");
        }
    }
    else {
        cors_explain_note(ex, conf->engine == CORS_ENGINE_OFF
                          ? "CorsEngine Off: mod_cors does nothing here"
                          : "no CorsAllowOrigin or CorsAllowOriginMatch "
                            "applies to this URL: mod_cors does nothing "
                            "here");
        if (ex->preflight) {
            cors_explain_note(ex, "the preflight goes to the resource like "
                              "any OPTIONS request (core answers 200 with "
                              "Allow), or to whatever else the "
                              "configuration sends it to");
        }
    }

    if (!q->origin) {
        ex->readable = 1;
        return;
    }
    failed = ex->preflight ? cors_browser_check(r, ex, &ex->pf, 1) : NULL;
    if (!failed) {
        failed = cors_browser_check(r, ex, &ex->actual, 0);
    }
    ex->readable = !failed;
    if (failed) {
        ex->console = apr_pstrcat(r->pool, "Access to fetch at '",
                                  ap_construct_url(r->pool, q->url, r),
                                  "' from origin '", q->origin,
                                  "' has been blocked by CORS policy: ",
                                  failed, NULL);
    }
    if (!ex->applies && failed) {
        cors_explain_note(ex, "blocked unless something else (a Header "
                          "line, the resource or a backend) sends the "
                          "Access-Control-* fields");
    }
}

/* s for a text/plain page: control bytes and bytes above 0x7e as \xHH */
static const char *cors_text(apr_pool_t *p, const char *s)
{
    const unsigned char *c;
    char *out, *o;

    if (!s) {
        return "";
    }
    for (c = (const unsigned char *)s; *c; c++) {
        if (*c < 0x20 || *c > 0x7e) {
            break;
        }
    }
    if (!*c) {
        return s;
    }
    o = out = apr_palloc(p, 4 * strlen(s) + 1);
    for (c = (const unsigned char *)s; *c; c++) {
        if (*c < 0x20 || *c > 0x7e) {
            o += apr_snprintf(o, 5, "\\x%02x", *c);
        }
        else {
            *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}

/* s as a JSON string (ASCII only: other bytes as \u00HH), or null */
static const char *cors_json(apr_pool_t *p, const char *s)
{
    const unsigned char *c;
    char *out, *o;

    if (!s) {
        return "null";
    }
    o = out = apr_palloc(p, 6 * strlen(s) + 3);
    *o++ = '"';
    for (c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            *o++ = '\\';
            *o++ = *c;
        }
        else if (*c < 0x20 || *c > 0x7e) {
            o += apr_snprintf(o, 7, "\\u%04x", *c);
        }
        else {
            *o++ = *c;
        }
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

typedef struct {
    request_rec *r;
    int json;
    int n;
} cors_fields_ctx;

static int cors_print_field(void *vctx, const char *key, const char *val)
{
    cors_fields_ctx *ctx = vctx;
    request_rec *r = ctx->r;

    if (ctx->json) {
        ap_rprintf(r, "%s%s: %s", ctx->n ? ", " : "", cors_json(r->pool, key),
                   cors_json(r->pool, val));
    }
    else {
        ap_rprintf(r, "    %s: %s\n", key, cors_text(r->pool, val));
    }
    ctx->n++;
    return 1;
}

/* The fields of a table, as a JSON object or indented lines */
static void cors_print_fields(request_rec *r, const apr_table_t *t, int json)
{
    cors_fields_ctx ctx;

    ctx.r = r;
    ctx.json = json;
    ctx.n = 0;
    if (json) {
        ap_rputs("{", r);
    }
    apr_table_do(cors_print_field, &ctx, t, NULL);
    if (json) {
        ap_rputs("}", r);
    }
    else if (!ctx.n) {
        ap_rputs("    (none)\n", r);
    }
}

/* The directives that took part, with where each was set */
static void cors_print_directives(request_rec *r, const cors_explanation *ex)
{
    static const struct {
        const char *name;
        cors_directive which;
        int when;               /* 0: always, 1: preflight, 2: actual */
    } used[] = {
        { "CorsEngine", CORS_SET_ENGINE, 0 },
        { "CorsAllowOrigin", CORS_SET_ORIGINS, 0 },
        { "CorsAllowCredentials", CORS_SET_CREDENTIALS, 0 },
        { "CorsAllowMethods", CORS_SET_METHODS, 1 },
        { "CorsAllowHeaders", CORS_SET_HEADERS, 1 },
        { "CorsMaxAge", CORS_SET_MAX_AGE, 1 },
        { "CorsExposeHeaders", CORS_SET_EXPOSE, 2 },
        { "CorsBackendHeaders", CORS_SET_BACKEND, 2 },
        { NULL, 0, 0 }
    };
    int i, n = 0;

    for (i = 0; used[i].name; i++) {
        const char *at = ex->conf->set_at[used[i].which];

        if ((used[i].when == 1 && !ex->preflight)
            || (used[i].when && !ex->applies)) {
            continue;
        }
        if (ex->q->json) {
            ap_rprintf(r, "%s{\"directive\": \"%s\", \"set_at\": %s}",
                       n++ ? ", " : "", used[i].name, cors_json(r->pool, at));
        }
        else {
            ap_rprintf(r, "  %-22s %s\n", used[i].name,
                       at ? cors_text(r->pool, at) : "default");
        }
    }
}

static void cors_print_step_json(request_rec *r, const cors_explanation *ex,
                                 const cors_explain_step *step, int pf)
{
    const char *result = ex->applies
        ? cors_outcome_names[step->st.outcome] : NULL;

    ap_rprintf(r, "{\"request\": {\"method\": %s, \"fields\": ",
               cors_json(r->pool, step->fake->method));
    cors_print_fields(r, step->fake->headers_in, 1);
    ap_rprintf(r, "}, \"cors_result\": %s, \"status\": ",
               cors_json(r->pool, result));
    if (step->status) {
        ap_rprintf(r, "%d", step->status);
    }
    else {
        ap_rputs("null", r);
    }
    ap_rputs(", \"fields\": ", r);
    cors_print_fields(r, step->fields, 1);
    ap_rprintf(r, ", \"reason\": %s, \"closest_entry\": %s, "
               "\"allowed_by\": %s}",
               cors_json(r->pool, step->st.reason),
               cors_json(r->pool, step->st.near_miss),
               cors_json(r->pool, step->st.entry));
}

static void cors_print_explanation_json(request_rec *r,
                                        const cors_explanation *ex)
{
    const cors_explain_query *q = ex->q;
    int i;

    ap_rprintf(r, "{\"mod_cors\": \"%s\", \"url\": %s, \"path\": %s, "
               "\"origin\": %s, \"method\": %s, \"headers\": [",
               MOD_CORS_VERSION, cors_json(r->pool, q->url),
               cors_json(r->pool, ex->uri), cors_json(r->pool, q->origin),
               cors_json(r->pool, q->method));
    for (i = 0; i < q->headers->nelts; i++) {
        ap_rprintf(r, "%s%s", i ? ", " : "",
                   cors_json(r->pool, APR_ARRAY_IDX(q->headers, i,
                                                    const char *)));
    }
    ap_rprintf(r, "], \"credentials\": %s, \"policy\": %s, \"engine\": "
               "\"%s\", \"enforced\": %s, \"cors_result\": %s,\n",
               q->credentials ? "\"include\"" : "\"same-origin\"",
               ex->applies ? "true" : "false",
               ex->conf->engine == CORS_ENGINE_OFF ? "Off"
               : ex->conf->engine == CORS_ENGINE_REPORT_ONLY ? "ReportOnly"
               : "On",
               ex->applies && ex->conf->engine != CORS_ENGINE_REPORT_ONLY
               ? "true" : "false",
               cors_json(r->pool, ex->result));
    ap_rprintf(r, " \"preflight\": {\"needed\": %s, \"why\": %s",
               ex->preflight ? "true" : "false", cors_json(r->pool, ex->why));
    if (ex->preflight) {
        ap_rputs(", \"answer\": ", r);
        cors_print_step_json(r, ex, &ex->pf, 1);
    }
    ap_rprintf(r, "},\n \"actual\": {\"sent\": %s, \"answer\": ",
               !ex->preflight || ex->readable ? "true" : "false");
    cors_print_step_json(r, ex, &ex->actual, 0);
    ap_rprintf(r, "},\n \"browser\": {\"outcome\": \"%s\", \"console\": "
               "%s},\n \"notes\": [", ex->readable ? "readable" : "blocked",
               cors_json(r->pool, ex->console));
    for (i = 0; i < ex->notes->nelts; i++) {
        ap_rprintf(r, "%s%s", i ? ", " : "",
                   cors_json(r->pool, APR_ARRAY_IDX(ex->notes, i,
                                                    const char *)));
    }
    ap_rputs("],\n \"directives\": [", r);
    cors_print_directives(r, ex);
    ap_rputs("]}\n", r);
}

static void cors_print_step_text(request_rec *r, const cors_explanation *ex,
                                 const cors_explain_step *step)
{
    const cors_explain_query *q = ex->q;

    ap_rprintf(r, "  %s %s\n", step->fake->method,
               cors_text(r->pool, q->url));
    cors_print_fields(r, step->fake->headers_in, 0);
    if (!ex->applies) {
        ap_rputs("  CORS_RESULT: (not set: no policy)\n"
                 "  Answer: the resource's; mod_cors sends no fields\n", r);
        return;
    }
    ap_rprintf(r, "  CORS_RESULT: %s\n",
               cors_outcome_names[step->st.outcome]);
    if (step->status) {
        ap_rprintf(r, "  Answer: %d %s, from mod_cors (the resource is not "
                   "asked), with\n", step->status,
                   step->status == HTTP_NO_CONTENT ? "No Content"
                                                   : "Forbidden");
    }
    else {
        ap_rputs("  Answer: the resource's own status, with these fields "
                 "from mod_cors\n", r);
    }
    cors_print_fields(r, step->fields, 0);
    if (step->st.reason) {
        ap_rprintf(r, "  Reason: %s\n", cors_text(r->pool, step->st.reason));
    }
    if (step->st.near_miss) {
        ap_rprintf(r, "  Closest configured entry: %s\n",
                   cors_text(r->pool, step->st.near_miss));
    }
    if (step->st.entry) {
        ap_rprintf(r, "  Origin allowed by: %s\n",
                   cors_text(r->pool, step->st.entry));
    }
}

static void cors_print_explanation_text(request_rec *r,
                                        const cors_explanation *ex)
{
    const cors_explain_query *q = ex->q;
    int i;

    ap_rprintf(r, "mod_cors/" MOD_CORS_VERSION ": what a browser's request "
               "to %s gets\n\n", cors_text(r->pool, q->url));
    ap_rprintf(r, "Origin:       %s\n", q->origin
               ? cors_text(r->pool, q->origin) : "(none)");
    ap_rprintf(r, "Method:       %s\n", q->method);
    ap_rputs("Headers:      ", r);
    for (i = 0; i < q->headers->nelts; i++) {
        ap_rprintf(r, "%s%s", i ? ", " : "",
                   APR_ARRAY_IDX(q->headers, i, const char *));
    }
    ap_rprintf(r, "%s\nCredentials:  %s\n", q->headers->nelts ? "" : "(none)",
               q->credentials ? "include" : "same-origin");
    ap_rprintf(r, "Engine:       %s\n",
               !ex->applies ? "(no policy)"
               : ex->conf->engine == CORS_ENGINE_REPORT_ONLY ? "ReportOnly"
               : "On");
    ap_rprintf(r, "Decision:     %s\n",
               ex->result ? ex->result : "(none: no policy)");
    ap_rprintf(r, "Browser:      %s\n", ex->readable ? "readable"
                                                     : "blocked");
    if (ex->console) {
        ap_rprintf(r, "Console:      %s\n", cors_text(r->pool, ex->console));
    }
    ap_rprintf(r, "\nPreflight:    %s: %s\n", ex->preflight ? "yes" : "no",
               ex->why);
    if (ex->preflight) {
        cors_print_step_text(r, ex, &ex->pf);
    }
    ap_rprintf(r, "\nActual request%s:\n",
               ex->preflight && !ex->readable
               ? " (not sent: the preflight failed)" : "");
    cors_print_step_text(r, ex, &ex->actual);
    if (ex->notes->nelts) {
        ap_rputs("\nNotes:\n", r);
    }
    for (i = 0; i < ex->notes->nelts; i++) {
        ap_rprintf(r, "  - %s\n", APR_ARRAY_IDX(ex->notes, i, const char *));
    }
    ap_rputs("\nDirectives that took part:\n", r);
    cors_print_directives(r, ex);
}

/* The explain form of the cors-info page: r->args has "name=value"s. */
static int cors_info_explain(request_rec *r)
{
    cors_explain_query q;
    cors_explanation ex;
    const char *error;
    request_rec *rr;

    memset(&q, 0, sizeof(q));
    error = cors_explain_parse(r, &q);
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    if (error) {
        r->status = HTTP_BAD_REQUEST;
        if (q.json) {
            ap_set_content_type(r, "application/json");
            ap_rprintf(r, "{\"error\": %s}\n", cors_json(r->pool, error));
        }
        else {
            ap_set_content_type(r, "text/plain; charset=utf-8");
            ap_rprintf(r, "400 Bad Request: %s\n\nAsk: GET <this page>?"
                       "url=/path&origin=https://app.example&method=PUT"
                       "&headers=content-type,x-token&credentials=include"
                       "[&format=json]\n", error);
        }
        return OK;
    }

    /* looked up, never run: the resource is not asked */
    rr = ap_sub_req_lookup_uri(q.url, r, NULL);
    memset(&ex, 0, sizeof(ex));
    ex.q = &q;
    ex.uri = rr->uri;
    ex.conf = ap_get_module_config(rr->per_dir_config, &cors_module);
    ex.applies = cors_policy_applies(ex.conf);
    ex.notes = apr_array_make(r->pool, 4, sizeof(const char *));
    cors_explain(r, rr, &ex);
    if (q.json) {
        ap_set_content_type(r, "application/json");
        cors_print_explanation_json(r, &ex);
    }
    else {
        ap_set_content_type(r, "text/plain; charset=utf-8");
        cors_print_explanation_text(r, &ex);
    }
    ap_destroy_sub_req(rr);
    return OK;
}

static CORS_NOINLINE int cors_info_page(request_rec *r)
{
    const cors_dir_conf *conf;
    const cors_origin_policy *policy;
    request_rec *rr;
    char *uri;
    const char *origins = NULL, *regexes = NULL;
    int i;

    r->allowed |= (AP_METHOD_BIT << M_GET);
    if (r->method_number != M_GET) {
        return DECLINED;
    }
    if (r->args && r->args[0] != '/' && strchr(r->args, '=')) {
        return cors_info_explain(r);
    }
    ap_set_content_type(r, "text/plain; charset=utf-8");
    uri = r->args ? apr_pstrdup(r->pool, r->args) : NULL;
    if (!uri || ap_unescape_url(uri) != OK || uri[0] != '/') {
        ap_rputs("Ask for a URL path: GET <this page>?/path/to/resource\n",
                 r);
        return OK;
    }

    rr = ap_sub_req_lookup_uri(uri, r, NULL);
    conf = ap_get_module_config(rr->per_dir_config, &cors_module);
    policy = conf->policy;
    ap_rprintf(r, "mod_cors/" MOD_CORS_VERSION " policy for %s\n"
               "(merged from every scope that applies to it)\n\n", uri);
    for (i = 0; policy && i < policy->listed->nelts; i++) {
        const char *entry = APR_ARRAY_IDX(policy->listed, i, const char *);

        origins = origins ? apr_pstrcat(r->pool, origins, " ", entry, NULL)
                          : entry;
    }
    for (i = 0; policy && i < policy->regexes->nelts; i++) {
        const char *re = APR_ARRAY_IDX(policy->regexes, i,
                                       cors_origin_regex).source;

        regexes = regexes ? apr_pstrcat(r->pool, regexes, " ", re, NULL) : re;
    }
    cors_info_line(r, conf, "CorsEngine", CORS_SET_ENGINE,
                   conf->engine == CORS_ENGINE_OFF ? "Off"
                   : conf->engine == CORS_ENGINE_REPORT_ONLY ? "ReportOnly"
                   : "On");
    cors_info_line(r, conf, "CorsAllowOrigin", CORS_SET_ORIGINS,
                   origins ? origins : policy ? "(none)"
                                              : "(none: CORS is off here)");
    cors_info_line(r, conf, "CorsAllowOriginMatch", CORS_SET_ORIGINS,
                   regexes ? regexes : "(none)");
    cors_info_line(r, conf, "CorsAllowMethods", CORS_SET_METHODS,
                   cors_info_list(conf->allow_methods,
                                  cors_default_methods.joined));
    cors_info_line(r, conf, "CorsAllowHeaders", CORS_SET_HEADERS,
                   cors_info_list(conf->allow_headers, "(none)"));
    cors_info_line(r, conf, "CorsExposeHeaders", CORS_SET_EXPOSE,
                   cors_info_list(conf->expose_headers, "(none)"));
    cors_info_line(r, conf, "CorsAllowCredentials", CORS_SET_CREDENTIALS,
                   conf->allow_credentials == 1 ? "On" : "Off");
    cors_info_line(r, conf, "CorsMaxAge", CORS_SET_MAX_AGE,
                   conf->max_age ? conf->max_age : "(no header)");
    cors_info_line(r, conf, "CorsAllowPrivateNetwork",
                   CORS_SET_PRIVATE_NETWORK,
                   conf->allow_private_network == 1 ? "On" : "Off");
    cors_info_line(r, conf, "CorsBackendHeaders", CORS_SET_BACKEND,
                   conf->backend_headers == CORS_BACKEND_KEEP ? "Keep"
                                                              : "Replace");
    ap_destroy_sub_req(rr);
    return OK;
}

/* Every request with a handler asks; most fail on the first byte, before
 * the page's own function sets up its frame. */
static int cors_info_handler(request_rec *r)
{
    if (!r->handler || r->handler[0] != 'c'
        || strcmp(r->handler, "cors-info") != 0) {
        return DECLINED;
    }
    return cors_info_page(r);
}

static void cors_register_hooks(apr_pool_t *p)
{
    /* redirects and handlers that claim the URL all run after us */
    static const char *const after_headers[] = { "mod_headers.c", NULL };
    static const char *const fixups_before[] = {
        "mod_rewrite.c", "mod_alias.c", "mod_dir.c", "mod_proxy.c", NULL
    };

    ap_hook_pre_config(cors_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(cors_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(cors_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_header_parser(cors_header_parser, NULL, NULL,
                          APR_HOOK_REALLY_FIRST);
    ap_hook_check_access_ex(cors_access_checker_ex, NULL, NULL,
                            APR_HOOK_REALLY_LAST, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_type_checker(cors_claim_if_preflight, NULL, NULL,
                         APR_HOOK_REALLY_FIRST);
    ap_hook_fixups(cors_claim_if_preflight, NULL, fixups_before,
                   APR_HOOK_REALLY_FIRST);
    /* Filters of one type run in the order they were added: CORS_HEADERS
     * is added after mod_headers' (both AP_FTYPE_CONTENT_SET), so it sees
     * what "Header" and "Header always" lines add, and before mod_cache's
     * CACHE_SAVE (AP_FTYPE_CONTENT_SET + 1), so the cache stores the
     * fields as sent. */
    ap_hook_insert_filter(cors_insert_filter, after_headers, NULL,
                          APR_HOOK_LAST);
    ap_hook_handler(cors_info_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(cors_insert_error_filter, after_headers,
                                NULL, APR_HOOK_LAST);
    cors_headers_filter_handle =
        ap_register_output_filter(CORS_FILTER_NAME, cors_headers_filter,
                                  NULL, AP_FTYPE_CONTENT_SET);
}

/* --------------------------------------------------------------------
 * The module record
 */

AP_DECLARE_MODULE(cors) =
{
    STANDARD20_MODULE_STUFF,
    create_cors_dir_config,     /* dir config creater */
    merge_cors_dir_config,      /* dir merger --- inner directives replace */
    NULL,                       /* server config */
    NULL,                       /* merge server configs */
    cors_cmds,                  /* command apr_table_t */
    cors_register_hooks         /* register hooks */
};

