# Makefile for mod_cors, an Apache httpd 2.4 module.
#
#   make               build .libs/mod_cors.so with apxs
#   make test          run the Apache::Test suite (installs missing Debian
#                      packages first when run as root; see tools/deps.sh)
#                      one file, TAP shown:  make test TEST_ARGS="-verbose t/x.t"
#   make demo          start a demo httpd on 127.0.0.1:8080 (page), :8081
#                      (API with mod_cors) and :8082 (an origin the API
#                      refuses); open http://127.0.0.1:8080/ in a browser;
#                      make demo-stop stops it
#   make bench         what mod_cors costs against Apache without it:
#                      instructions per request (callgrind), throughput
#                      (wrk) and memory; QUICK=1 for a short run; see
#                      tools/bench.sh
#   make test-asan     the whole suite against build/asan/mod_cors.so, built
#                      with ASan and UBSan; fails on any sanitizer report
#                      (see tools/test-asan.sh). ASAN_SELFTEST=1 builds
#                      with a planted overread, which must fail it;
#                      make test-asan-selftest checks that it does
#   make soak          hostile load with graceful restarts every 10 s; checks
#                      statuses, errors, crashes and memory (SOAK_SECONDS,
#                      default 60; ASAN=1 against the ASan build); see
#                      tools/soak.sh
#   make fuzz          fuzz the origin, request-header, directive-list and
#                      exposed-names parsing with libFuzzer (two targets,
#                      FUZZ_SECONDS each, default 60)
#   make install       install the module with apxs (and a2enmod on Debian)
#   make deb           build the Debian package libapache2-mod-cors with
#                      dpkg-buildpackage from a copy of the tree in
#                      build/deb/src; the .deb lands in build/deb/
#   make test-package  build the package, install it on this machine, check
#                      it with the system Apache, purge it (root only; see
#                      tools/test-package.sh)
#   make clean         remove build output, test and demo leftovers

APXS           ?= apxs
# More apxs options for the module's build (debian/rules passes the
# compiler and linker flags of dpkg-buildflags here).
APXS_FLAGS     ?=
PERL           ?= perl
APACHE2        ?= /usr/sbin/apache2
TEST_ARGS      ?=
FUZZ_SECONDS   ?= 60
QUICK          ?=
DEMO_PAGE_PORT ?= 8080
DEMO_API_PORT  ?= 8081
DEMO_THIRD_PORT ?= 8082
export APXS PERL APACHE2 DEMO_PAGE_PORT DEMO_API_PORT DEMO_THIRD_PORT

MODULE  = .libs/mod_cors.so
DEBCONF = /etc/apache2/mods-available

all: $(MODULE)

SOURCES = mod_cors.c cors_match.c

$(MODULE): $(SOURCES) cors_match.h
	@DEPS_NO_INSTALL=1 bash tools/deps.sh build
	$(APXS) -c -n cors -o mod_cors.la -Wc,-Wall -Wc,-Werror $(APXS_FLAGS) \
	    $(SOURCES) -lpsl

test:
	@bash tools/deps.sh test
	@$(MAKE) --no-print-directory all
	@bash tools/run-tests.sh $(TEST_ARGS)

demo:
	@bash tools/deps.sh demo
	@$(MAKE) --no-print-directory all
	@bash tools/demo.sh start

demo-stop:
	@bash tools/demo.sh stop

# The module with AddressSanitizer and UndefinedBehaviorSanitizer, built
# with clang directly (libtool would want to link the runtime), plus the
# preload library that gives each pool allocation its own redzones.
ASAN_DIR    = build/asan$(if $(ASAN_SELFTEST),-selftest)
ASAN_CFLAGS = -g -O1 -fPIC -fsanitize=address,undefined \
              -fno-omit-frame-pointer -fno-sanitize-recover=all \
              -Wall -Werror $(if $(ASAN_SELFTEST),-DCORS_SELFTEST_OVERREAD)

$(ASAN_DIR)/mod_cors.so: $(SOURCES) cors_match.h Makefile
	@bash tools/deps.sh asan
	@mkdir -p $(@D)
	clang $(ASAN_CFLAGS) $$($(APXS) -q EXTRA_CPPFLAGS) \
	    -I$$($(APXS) -q INCLUDEDIR) $$(apr-1-config --includes) \
	    -shared -o $@ $(SOURCES) -lpsl

$(ASAN_DIR)/asan-pools.so: tools/asan-pools.c Makefile
	@bash tools/deps.sh asan
	@mkdir -p $(@D)
	clang -g -O2 -fPIC -Wall -Werror $$(apr-1-config --cppflags --includes) \
	    -shared -o $@ tools/asan-pools.c $$(apr-1-config --link-ld)

test-asan:
	@bash tools/deps.sh test asan
	@$(MAKE) --no-print-directory $(ASAN_DIR)/mod_cors.so \
	    $(ASAN_DIR)/asan-pools.so
	@ASAN_SO=$(ASAN_DIR)/mod_cors.so ASAN_SELFTEST=$(ASAN_SELFTEST) \
	    bash tools/test-asan.sh $(TEST_ARGS)

# The proof that test-asan catches a bug: the build with a one-byte
# overread in cors_parse_origin must fail it, with a report naming it.
test-asan-selftest:
	@if $(MAKE) --no-print-directory test-asan ASAN_SELFTEST=1; then \
	    echo "test-asan-selftest: FAIL (the broken build passed)"; \
	    exit 1; \
	fi
	@grep -l heap-buffer-overflow t/logs/sanitizer.* 2>/dev/null \
	    | xargs -r grep -l cors_parse_origin | grep -q . \
	    || { echo "test-asan-selftest: FAIL (it failed, but without" \
	              "a report of the overread in cors_parse_origin)"; \
	         exit 1; }
	@echo "test-asan-selftest: PASS (the planted overread failed" \
	      "make test-asan with a sanitizer report)"

SOAK_SECONDS ?= 60
soak:
	@bash tools/deps.sh soak $(if $(ASAN),asan)
	@$(MAKE) --no-print-directory $(if $(ASAN),build/asan/mod_cors.so \
	    build/asan/asan-pools.so,all)
	@SOAK_SECONDS=$(SOAK_SECONDS) ASAN=$(ASAN) bash tools/soak.sh

# libFuzzer targets, with ASan and UBSan: fuzz/cors_fuzz.c (origins,
# Access-Control-Request-Headers; links cors_match.c alone) and
# fuzz/cors_fuzz_conf.c (the directive lists and exposed names, which it
# reaches by including mod_cors.c). Both run at once, FUZZ_SECONDS each,
# with the seeds and dictionary in fuzz/; the corpora grow in build/fuzz/,
# where a crashing input is written too.
FUZZ_CC = clang -g -O1 -fsanitize=fuzzer,address,undefined \
          -fno-sanitize-recover=all -Wall -Wno-unused-function \
          -Wno-unused-variable -Wno-unused-parameter \
          $$(apr-1-config --cppflags --includes) -I$$($(APXS) -q INCLUDEDIR) -I.
FUZZ_RUN = -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
           -dict=fuzz/cors.dict -artifact_prefix=build/fuzz/

build/fuzz/cors_fuzz: fuzz/cors_fuzz.c cors_match.c cors_match.h
	@mkdir -p $(@D)
	$(FUZZ_CC) fuzz/cors_fuzz.c cors_match.c $$(apr-1-config --link-ld) -o $@

# The module's calls into httpd, as functions that abort: the fuzzed code
# must not reach them (ap_str_tolower is real, in the harness).
build/fuzz/httpd_stubs.c: $(SOURCES) cors_match.h
	@mkdir -p $(@D)
	for f in $(SOURCES); do \
	    clang -c $$(apr-1-config --cppflags --includes) \
	        -I$$($(APXS) -q INCLUDEDIR) -I. $$f \
	        -o build/fuzz/$${f%.c}.o || exit 1; \
	done
	nm -u $(patsubst %.c,build/fuzz/%.o,$(SOURCES)) | awk \
	    'BEGIN { print "#include <stdlib.h>" } \
	     $$2 ~ /^ap_/ && $$2 != "ap_str_tolower" && !seen[$$2]++ \
	         { print "void " $$2 "(void) { abort(); }" }' >$@

build/fuzz/cors_fuzz_conf: fuzz/cors_fuzz_conf.c mod_cors.c cors_match.c \
                           cors_match.h build/fuzz/httpd_stubs.c
	$(FUZZ_CC) fuzz/cors_fuzz_conf.c cors_match.c build/fuzz/httpd_stubs.c \
	    $$(apr-1-config --link-ld) -lpsl -o $@

fuzz:
	@bash tools/deps.sh fuzz
	@$(MAKE) --no-print-directory build/fuzz/cors_fuzz \
	    build/fuzz/cors_fuzz_conf
	@mkdir -p build/fuzz/corpus build/fuzz/corpus-conf
	@echo "fuzz: cors_fuzz and cors_fuzz_conf, $(FUZZ_SECONDS) s each," \
	    "at once; logs in build/fuzz/"
	@build/fuzz/cors_fuzz $(FUZZ_RUN) -max_len=700 build/fuzz/corpus \
	    fuzz/seeds >build/fuzz/cors_fuzz.log 2>&1 & fuzz=$$!; \
	build/fuzz/cors_fuzz_conf $(FUZZ_RUN) -max_len=2048 \
	    build/fuzz/corpus-conf fuzz/seeds-conf \
	    >build/fuzz/cors_fuzz_conf.log 2>&1; conf=$$?; \
	wait $$fuzz; origin=$$?; \
	for t in cors_fuzz cors_fuzz_conf; do \
	    echo "$$t:"; grep -E "^(Done|stat::)" build/fuzz/$$t.log; \
	done; \
	[ $$origin -eq 0 ] || tail -n 60 build/fuzz/cors_fuzz.log; \
	[ $$conf -eq 0 ] || tail -n 60 build/fuzz/cors_fuzz_conf.log; \
	[ $$origin -eq 0 ] && [ $$conf -eq 0 ]
	@echo "fuzz: executions: cors_fuzz" \
	    "$$(awk '/stat::number_of_executed_units/ { print $$2 }' \
	        build/fuzz/cors_fuzz.log)," \
	    "cors_fuzz_conf" \
	    "$$(awk '/stat::number_of_executed_units/ { print $$2 }' \
	        build/fuzz/cors_fuzz_conf.log)" \
	    "in $(FUZZ_SECONDS) s each"

bench:
	@bash tools/deps.sh bench
	@$(MAKE) --no-print-directory all
	@QUICK=$(QUICK) bash tools/bench.sh

# On Debian apxs -a would write its own mods-available/cors.load; install
# ours (and the commented cors.conf) instead, then enable with a2enmod.
install: all
	@if [ -d $(DEBCONF) ]; then \
	    set -e; \
	    echo "$(APXS) -i -n cors mod_cors.la"; \
	    $(APXS) -i -n cors mod_cors.la; \
	    echo "install -m 644 conf/cors.load conf/cors.conf $(DEBCONF)/"; \
	    install -m 644 conf/cors.load conf/cors.conf $(DEBCONF)/; \
	    echo "a2enmod cors"; \
	    a2enmod cors; \
	else \
	    echo "$(APXS) -i -a -n cors mod_cors.la"; \
	    $(APXS) -i -a -n cors mod_cors.la; \
	fi

deb:
	@bash tools/deps.sh deb
	@bash tools/build-deb.sh

test-package:
	@bash tools/deps.sh package
	@$(MAKE) --no-print-directory deb
	@bash tools/test-package.sh

clean:
	-@bash tools/demo.sh stop --if-running
	-@$(PERL) t/TEST.PL -clean >/dev/null 2>&1
	rm -rf .libs *.la *.lo *.slo *.o build
	rm -rf debian/.debhelper debian/libapache2-mod-cors debian/tmp \
	       debian/files debian/*.substvars debian/*.debhelper \
	       debian/*.debhelper.log debian/debhelper-build-stamp
	rm -rf t/logs t/state t/TEST t/conf/apache_test_config.pm \
	       t/conf/debian-mpm.conf \
	       t/conf/mime.types t/htdocs/index.html
	for f in t/conf/*.conf.in; do rm -f "$${f%.in}"; done

.PHONY: all test test-asan test-asan-selftest demo demo-stop bench soak fuzz \
        install deb test-package clean
