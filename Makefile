# custos - DKEK key-custodian ceremonies for SmartCard-HSM / Nitrokey HSM 2.
# Targets: all (default), check, asan, analyze, fuzz, bench, install, deb,
# bundle, repro, clean.

# The one place the version is written (debian/changelog must agree: a test
# checks). The commit comes from git; a tree with changes adds "-dirty".
VERSION  = 0.2.0
COMMIT  ?= $(shell git rev-parse -q --verify HEAD 2>/dev/null || echo unknown)$(shell \
             git rev-parse -q --verify HEAD >/dev/null 2>&1 && \
             ! git diff --quiet HEAD -- 2>/dev/null && echo -dirty)

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man

CC      ?= cc
BUILD   ?= build
PKGS     = libsodium libcrypto jansson libpcsclite libqrencode libcyaml yaml-0.1 ncursesw \
           cairo cairo-pdf
WARN     = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla
HARDEN   = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE \
           -fstack-clash-protection
CFLAGS  ?= -O2 -g
# Reproducible: no build path in the binary (debug info, __FILE__).
REPRO    = -ffile-prefix-map=$(CURDIR)=.
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) \
           $(HARDEN) $(REPRO) $(CPPFLAGS) $(CFLAGS) \
           $(shell pkg-config --cflags $(PKGS))
LDFLAGS ?=
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS     = $(shell pkg-config --libs $(PKGS)) -lm -pthread

# Library: everything but ui/main.c, so that tests link the same objects.
LIB_SRC  = $(wildcard common/*.c ceremony/*.c shamir/*.c cards/*.c cards/emu/*.c)
UI_SRC   = $(filter-out ui/main.c,$(wildcard ui/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
UI_OBJ   = $(UI_SRC:%.c=$(BUILD)/%.o)
LIBA     = $(BUILD)/libcustos.a

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC = $(wildcard tests/bench/*/main.c)
BENCH_BIN = $(BENCH_SRC:tests/bench/%/main.c=$(BUILD)/bench/%)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)

# The program; instrumented builds keep theirs in their own BUILD folder.
BIN     ?= custos

.PHONY: all check unit cli fuzz fuzz-smoke bench asan analyze install clean FORCE \
        deb bundle bundle-test repro

all: $(BIN)

$(BIN): $(BUILD)/ui/main.o $(UI_OBJ) $(LIBA)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(LIBA): $(LIB_OBJ)
	rm -f $@
	ar rcsD $@ $^

# The version and commit, rewritten only when they change.
$(BUILD)/buildinfo_gen.h: FORCE
	@mkdir -p $(BUILD)
	@printf '#define CUSTOS_VERSION "%s"\n#define CUSTOS_COMMIT "%s"\n' \
	    '$(VERSION)' '$(COMMIT)' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
$(BUILD)/common/buildinfo.o: $(BUILD)/buildinfo_gen.h
$(BUILD)/common/buildinfo.o: ALL_CFLAGS += -I$(BUILD)

$(BUILD)/%.o: %.c $(wildcard */*.h */*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBA) tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LIBS) -lcmocka

$(BUILD)/bench/%: tests/bench/%/main.c $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

unit: $(UNIT_BIN)

# Everything CI runs: unit tests, CLI tests on the real binary, fuzz smoke.
check: $(BIN) unit
	./tests/run-all $(BUILD) $(BIN)

bench: custos $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" HARDEN="-fPIE" \
	    BIN=build-asan/custos build-asan/custos unit
	./tests/run-all build-asan build-asan/custos

analyze: $(BUILD)/buildinfo_gen.h
	cppcheck --error-exitcode=1 --enable=warning,portability --inline-suppr \
	    --suppress=missingIncludeSystem -q common ceremony shamir cards ui
	clang-tidy --quiet $(LIB_SRC) ui/*.c -- $(ALL_CFLAGS) -I$(BUILD) -U_FORTIFY_SOURCE -Wno-unknown-warning-option
	$(MAKE) BUILD=build-analyze BIN=build-analyze/custos CFLAGS="-O0 -fanalyzer" build-analyze/custos

# libFuzzer targets, built with clang; FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
              -I$(BUILD) $(shell pkg-config --cflags $(PKGS))
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(BUILD)/buildinfo_gen.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) $(LIBS)

fuzz: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
	@for f in $^; do n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	    echo "== $$n ($(FUZZ_SECONDS) s)"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus-$$n tests/fuzz/seeds/$$n \
	        >$(BUILD)/fuzz/$$n.log 2>&1 || { tail -40 $(BUILD)/fuzz/$$n.log; exit 1; }; \
	    tail -1 $(BUILD)/fuzz/$$n.log; done

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=10

install: custos
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 custos $(DESTDIR)$(BINDIR)/custos
	install -m 0644 docs/man/custos.1 $(DESTDIR)$(MANDIR)/man1/custos.1

# The Debian package (debian/, debhelper 13) into dist/; unit tests run
# unless DEB_BUILD_OPTIONS=nocheck.
deb:
	dpkg-buildpackage -us -uc -b
	mkdir -p dist
	mv -f ../custos_$(VERSION)_* ../custos-dbgsym_$(VERSION)_* dist/

# The offline bundle (tools/bundle) and its test on a minimal Debian 12
# root with no network (tests/pkg/bundle.sh; minutes, not in make check).
bundle:
	tools/bundle dist/bundle
bundle-test:
	sh tests/pkg/bundle.sh

# Two builds of this commit in two places give the same bytes.
repro:
	sh tests/pkg/deb.sh

clean:
	rm -rf build build-asan build-analyze custos
