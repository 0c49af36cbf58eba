// The mod_cors demo page (demo/page/index.html) and its probe
// (demo/page/probe.html). Served by `make demo` and by t/browser.t.
//
// index.html runs one cross-origin fetch() case per table row against the
// API origin and writes each result into the DOM:
//   <tr data-case=NAME data-expected=allowed|blocked data-outcome=OUTCOME
//       data-verdict=as-expected|unexpected data-detail=TEXT
//       data-explain=URL>   (the API's cors-info explain view of the case)
//   <div id=done data-total=N data-passed=P data-failed=F>   (when finished)
// OUTCOME is "allowed" (the response reached the script and read as the case
// expects), "blocked" (fetch() rejected: the browser refused the response),
// "wrong" (readable, but not what the case checks for), "timeout" or "error".
//
// probe.html, loaded in a frame from a third origin that the API does not
// allow, makes one fetch() and posts its outcome to the embedding page.
//
// Origins come from the query string, so the same files serve make demo and
// the test:  ?api=http://127.0.0.1:8081&third=http://127.0.0.1:8082
// (those are the defaults). Every API URL carries ?case=NAME, so the API's
// access log shows which case made which request (preflights included).
'use strict';

(function () {
    var params = new URLSearchParams(location.search);

    function originParam(name, port) {
        var v = params.get(name);
        if (!v) {
            return 'http://127.0.0.1:' + port;
        }
        try {
            return new URL(v).origin;
        } catch (e) {
            return v.replace(/\/+$/, '');
        }
    }

    var API = originParam('api', 8081);
    var THIRD = originParam('third', 8082);
    var CASE_TIMEOUT_MS = 10000;
    // /private/ on the API needs HTTP Basic authentication: user "demo",
    // password "demo" (demo/auth/htpasswd).
    var BASIC = 'Basic ' + btoa('demo:demo');

    function apiUrl(path, name) {
        return API + path + (path.indexOf('?') < 0 ? '?' : '&') +
            'case=' + encodeURIComponent(name);
    }

    // fetch() with the defaults every case shares (mode 'cors' is already
    // the default for a cross-origin fetch).
    function call(path, name, init) {
        init = Object.assign({ cache: 'no-store' }, init || {});
        return fetch(apiUrl(path, name), init);
    }

    async function readJson(res) {
        var text = await res.text();
        try {
            return JSON.parse(text);
        } catch (e) {
            return { unparsed: text.slice(0, 200) };
        }
    }

    function allowed(detail) { return { outcome: 'allowed', detail: detail }; }
    function wrong(detail) { return { outcome: 'wrong', detail: detail }; }

    function short(obj) {
        var s = JSON.stringify(obj);
        return s.length > 160 ? s.slice(0, 157) + '...' : s;
    }

    // Turn a rejected fetch() into the "blocked" outcome. The browser gives
    // scripts no reason (that is the point of CORS); the console has it.
    async function attempt(fn) {
        try {
            return await fn();
        } catch (e) {
            if (e instanceof TypeError) {
                return { outcome: 'blocked',
                         detail: 'fetch() rejected: ' + e.message +
                                 ' (CORS refusal; the browser console says why)' };
            }
            return { outcome: 'error', detail: String(e) };
        }
    }

    // A case that the policy must block reports a readable response as
    // "allowed", which the verdict then marks as unexpected.
    async function readable(res) {
        return allowed('readable: status ' + res.status + ', body ' +
                       short(await readJson(res)));
    }

    var CASES = [
        {
            name: 'simple-get',
            what: 'GET data.json, no preflight',
            expected: 'allowed',
            explain: { path: '/data.json' },
            run: async function (name) {
                var res = await call('/data.json', name);
                var j = await readJson(res);
                return res.status === 200 && j.message
                    ? allowed('status 200, message "' + j.message + '"')
                    : wrong('status ' + res.status + ', body ' + short(j));
            }
        },
        {
            name: 'post-json',
            what: 'POST with Content-Type: application/json (preflighted)',
            expected: 'allowed',
            explain: { path: '/echo.cgi', method: 'POST',
                       headers: 'content-type' },
            run: async function (name) {
                var sent = JSON.stringify({ hello: 'mod_cors' });
                var res = await call('/echo.cgi', name, {
                    method: 'POST',
                    headers: { 'Content-Type': 'application/json' },
                    body: sent
                });
                var j = await readJson(res);
                return j.method === 'POST' &&
                    j.content_type === 'application/json' && j.body === sent
                    ? allowed('API echoed POST, application/json, ' + j.body)
                    : wrong('status ' + res.status + ', body ' + short(j));
            }
        },
        {
            name: 'put-custom-header',
            what: 'PUT with request header X-Demo (preflighted)',
            expected: 'allowed',
            explain: { path: '/echo.cgi', method: 'PUT',
                       headers: 'x-demo' },
            run: async function (name) {
                var res = await call('/echo.cgi', name, {
                    method: 'PUT',
                    headers: { 'X-Demo': 'put-1' },
                    body: 'x'
                });
                var j = await readJson(res);
                return j.method === 'PUT' && j.x_demo === 'put-1'
                    ? allowed('API echoed PUT with X-Demo: ' + j.x_demo)
                    : wrong('status ' + res.status + ', body ' + short(j));
            }
        },
        {
            name: 'delete-custom-header',
            what: 'DELETE with request header X-Demo (preflighted)',
            expected: 'allowed',
            explain: { path: '/echo.cgi', method: 'DELETE',
                       headers: 'x-demo' },
            run: async function (name) {
                var res = await call('/echo.cgi', name, {
                    method: 'DELETE',
                    headers: { 'X-Demo': 'delete-1' }
                });
                var j = await readJson(res);
                return j.method === 'DELETE' && j.x_demo === 'delete-1'
                    ? allowed('API echoed DELETE with X-Demo: ' + j.x_demo)
                    : wrong('status ' + res.status + ', body ' + short(j));
            }
        },
        {
            name: 'credentials-cookie',
            what: "credentials: 'include': the API sets a SameSite=Lax " +
                  'cookie; a second fetch sends it back',
            expected: 'allowed',
            explain: { path: '/cookie.cgi', credentials: true },
            run: async function (name) {
                var token = 'c' + Date.now().toString(36) +
                    Math.random().toString(36).slice(2, 10);
                var res = await call('/cookie.cgi?set=' + token, name,
                                     { credentials: 'include' });
                var j = await readJson(res);
                if (j.set !== token) {
                    return wrong('setting the cookie: status ' + res.status +
                                 ', body ' + short(j));
                }
                res = await call('/cookie.cgi', name, { credentials: 'include' });
                j = await readJson(res);
                return j.cookie === token
                    ? allowed('cookie mod_cors_demo=' + token +
                              ' set by the API came back to it')
                    : wrong('cookie not sent back: expected ' + token +
                            ', API saw "' + j.cookie + '"');
            }
        },
        {
            name: 'exposed-header',
            what: 'Read X-Demo-Id, listed in CorsExposeHeaders',
            expected: 'allowed',
            explain: { path: '/data.json' },
            run: async function (name) {
                var res = await call('/data.json', name);
                var v = res.headers.get('X-Demo-Id');
                return v !== null
                    ? allowed('X-Demo-Id: ' + v)
                    : wrong('X-Demo-Id reads as null: not exposed');
            }
        },
        {
            name: 'unexposed-header',
            what: 'X-Demo-Secret, not exposed, reads as null',
            expected: 'allowed',
            explain: { path: '/data.json' },
            run: async function (name) {
                var res = await call('/data.json', name);
                var v = res.headers.get('X-Demo-Secret');
                return v === null
                    ? allowed('X-Demo-Secret reads as null')
                    : wrong('X-Demo-Secret is readable: ' + v);
            }
        },
        {
            name: 'not-found-readable',
            what: 'A 404 is readable: the script sees status 404',
            expected: 'allowed',
            explain: { path: '/no-such-file.json' },
            run: async function (name) {
                var res = await call('/no-such-file.json', name);
                return res.status === 404
                    ? allowed('status 404 visible to the script')
                    : wrong('status ' + res.status + ', expected 404');
            }
        },
        {
            name: 'header-not-allowed',
            what: 'PUT with X-Not-Allowed, a header the policy does not allow',
            expected: 'blocked',
            explain: { path: '/echo.cgi', method: 'PUT',
                       headers: 'x-demo,x-not-allowed' },
            run: async function (name) {
                return readable(await call('/echo.cgi', name, {
                    method: 'PUT',
                    headers: { 'X-Demo': 'put-2', 'X-Not-Allowed': '1' },
                    body: 'x'
                }));
            }
        },
        {
            name: 'preflight-basic-auth',
            what: 'PUT with Authorization (Basic) and X-Demo to /private/: the ' +
                  'preflight passes without credentials, the PUT carries them',
            expected: 'allowed',
            explain: { path: '/private/echo.cgi', method: 'PUT',
                       headers: 'authorization,x-demo' },
            run: async function (name) {
                var res = await call('/private/echo.cgi', name, {
                    method: 'PUT',
                    headers: { 'Authorization': BASIC, 'X-Demo': 'auth-1' },
                    body: 'x'
                });
                var j = await readJson(res);
                return res.status === 200 && j.user === 'demo' &&
                    j.x_demo === 'auth-1'
                    ? allowed('status 200, authenticated as ' + j.user +
                              ', X-Demo: ' + j.x_demo)
                    : wrong('status ' + res.status + ', body ' + short(j));
            }
        },
        {
            name: 'auth-required-readable',
            what: 'The same PUT without Authorization: the 401 is readable',
            expected: 'allowed',
            explain: { path: '/private/echo.cgi', method: 'PUT',
                       headers: 'x-demo' },
            run: async function (name) {
                var res = await call('/private/echo.cgi', name, {
                    method: 'PUT',
                    headers: { 'X-Demo': 'auth-2' },
                    body: 'x'
                });
                return res.status === 401
                    ? allowed('status 401 visible to the script')
                    : wrong('status ' + res.status + ', expected 401');
            }
        },
        {
            name: 'refused-origin',
            what: 'GET data.json from a third origin, not in CorsAllowOrigin ' +
                  '(probe.html in the frame below)',
            expected: 'blocked',
            explain: { path: '/data.json', third: true },
            run: function (name) {
                return runProbe(name);
            }
        }
    ];

    // The explain view of mod_cors's cors-info page on the API (README,
    // "Explain a request") for a case: what the server answers the
    // request the case makes, and why. The URL carries ?case=NAME as the
    // fetch does, so the console message it predicts names the same URL.
    function explainUrl(c) {
        var e = c.explain;
        var origin = e.third ? THIRD : location.origin;
        var q = 'url=' + encodeURIComponent(apiUrl(e.path, c.name)
                                             .slice(API.length)) +
            '&origin=' + encodeURIComponent(origin) +
            '&method=' + encodeURIComponent(e.method || 'GET');
        if (e.headers) {
            q += '&headers=' + encodeURIComponent(e.headers);
        }
        if (e.credentials) {
            q += '&credentials=include';
        }
        return API + '/cors-info?' + q;
    }

    // The refused-origin case: load probe.html from THIRD in a frame and
    // wait for its message.
    function runProbe(name) {
        return new Promise(function (resolve) {
            var frame = document.createElement('iframe');
            function onMessage(ev) {
                var d = ev.data || {};
                if (ev.origin !== THIRD || ev.source !== frame.contentWindow ||
                    d.type !== 'mod_cors-demo-probe') {
                    return;
                }
                window.removeEventListener('message', onMessage);
                resolve({ outcome: d.outcome,
                          detail: 'from ' + ev.origin + ': ' + d.detail });
            }
            window.addEventListener('message', onMessage);
            frame.id = 'probe';
            frame.title = 'probe on the third origin';
            frame.src = THIRD + '/probe.html?case=' + encodeURIComponent(name) +
                '&api=' + encodeURIComponent(API);
            var label = document.createElement('p');
            label.id = 'probe-label';
            label.textContent = 'Probe frame, served by the third origin ' +
                THIRD + ':';
            document.body.appendChild(label);
            document.body.appendChild(frame);
        });
    }

    function withTimeout(promise) {
        return Promise.race([
            promise,
            new Promise(function (resolve) {
                setTimeout(function () {
                    resolve({ outcome: 'timeout',
                              detail: 'no result within ' +
                                      CASE_TIMEOUT_MS / 1000 + ' s' });
                }, CASE_TIMEOUT_MS);
            })
        ]);
    }

    function cell(row, cls, text) {
        var td = document.createElement('td');
        if (cls) {
            td.className = cls;
        }
        td.textContent = text;
        row.appendChild(td);
        return td;
    }

    function show(row, result, expected) {
        var verdict = result.outcome === expected ? 'as-expected' : 'unexpected';
        row.dataset.outcome = result.outcome;
        row.dataset.verdict = verdict;
        row.dataset.detail = result.detail;
        row.querySelector('td.outcome').textContent = result.outcome;
        var v = row.querySelector('td.verdict');
        v.textContent = verdict === 'as-expected' ? 'as expected' : 'NOT as expected';
        v.className = 'verdict ' + verdict;
        row.querySelector('td.detail').textContent = result.detail;
        return verdict === 'as-expected';
    }

    async function pageMain() {
        document.getElementById('page-origin').textContent = location.origin;
        document.getElementById('api-origin').textContent = API;
        document.getElementById('third-origin').textContent = THIRD;
        if (location.origin === THIRD || location.origin === API) {
            var warn = document.getElementById('wrong-origin');
            warn.hidden = false;
            warn.textContent = 'This copy of the page is served by ' +
                location.origin + ', which is not the page origin the API ' +
                'allows: the outcomes below are not the ones the table expects.';
        }

        var tbody = document.querySelector('#results tbody');
        var rows = CASES.map(function (c, i) {
            var row = document.createElement('tr');
            row.dataset.case = c.name;
            row.dataset.expected = c.expected;
            row.dataset.outcome = 'pending';
            cell(row, null, String(i + 1));
            cell(row, 'case', c.name);
            cell(row, 'what', c.what);
            cell(row, 'expected', c.expected);
            cell(row, 'outcome', 'pending');
            cell(row, 'verdict', '');
            cell(row, 'detail', '');
            var link = document.createElement('a');
            link.href = explainUrl(c);
            link.textContent = 'explain';
            link.target = '_blank';
            row.dataset.explain = link.href;
            cell(row, 'explain', '').appendChild(link);
            tbody.appendChild(row);
            return row;
        });

        var passed = 0;
        var results = {};
        // One case at a time, in order: the cookie case needs its two
        // requests in sequence, and the access log stays readable.
        for (let i = 0; i < CASES.length; i++) {
            const c = CASES[i];
            const result = await withTimeout(attempt(function () {
                return c.run(c.name);
            }));
            results[c.name] = result;
            if (show(rows[i], result, c.expected)) {
                passed++;
            }
        }

        var failed = CASES.length - passed;
        var done = document.createElement('div');
        done.id = 'done';
        done.dataset.total = String(CASES.length);
        done.dataset.passed = String(passed);
        done.dataset.failed = String(failed);
        done.className = failed ? 'fail' : 'ok';
        done.textContent = failed
            ? failed + ' of ' + CASES.length + ' cases NOT as expected'
            : 'All ' + CASES.length + ' cases as expected';
        var status = document.getElementById('status');
        status.parentNode.replaceChild(done, status);
        window.corsDemoResults = results;
    }

    async function probeMain() {
        var name = params.get('case') || 'probe';
        var result = await attempt(async function () {
            return readable(await call('/data.json', name));
        });
        document.getElementById('probe-result').textContent =
            location.origin + ' -> ' + API + '/data.json: ' + result.outcome +
            ' (' + result.detail + ')';
        if (window.parent !== window) {
            window.parent.postMessage({ type: 'mod_cors-demo-probe',
                                        outcome: result.outcome,
                                        detail: result.detail }, '*');
        }
    }

    if (document.body.dataset.role === 'probe') {
        probeMain();
    } else {
        pageMain();
    }
})();
