# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# xdp-ecmp: one entry point. `make help` lists the targets.

# Sanitized objects never mix with the others.
ifeq ($(SANITIZE),1)
BUILD     ?= build-san
endif
BUILD     ?= build
CLANG     ?= clang
BPFTOOL   ?= bpftool
CC        ?= gcc
PREFIX    ?= /usr/local
SYSCONFDIR ?= /etc
LIBDIR    := $(PREFIX)/lib/xdp-ecmp
UNITDIR   ?= $(PREFIX)/lib/systemd/system
MANDIR    ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
V         ?= 0

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-7s %s\n' "$(1)" "$(2)";
endif

PKGS      := libbpf libxdp libelf zlib libmnl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
	     -MMD -MP -Iinclude -Iuser $(PKG_CFLAGS)
LDLIBS    += $(PKG_LIBS) -lmnl -lm -lpthread
ifeq ($(SANITIZE),1)
CFLAGS    += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS   += -fsanitize=address,undefined
endif

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -Ivmlinux/$(ARCH) -Iinclude -Imaps -Ibpf

BPF_HDRS  := $(wildcard bpf/*.bpf.h maps/*.bpf.h include/*.h)
# User space, one archive per part (README.md, "Where things are"):
# ecmpctl links lib/ and its own part only.
LIB_SRCS    := $(wildcard user/lib/*.c)
BFD_SRCS    := $(wildcard user/bfd/*.c)
# ecmpd's own parts (daemon.h) link into ecmpd alone; the rest is libecmpd.
ECMPD_MAIN  := user/ecmpd/ecmpd.c $(wildcard user/ecmpd/daemon_*.c)
ECMPD_SRCS  := $(filter-out $(ECMPD_MAIN),$(wildcard user/ecmpd/*.c))
# ecmpctl's commands (cmd.h) link into ecmpctl alone; the rest is libecmpctl.
CTL_MAIN    := user/ecmpctl/ecmpctl.c $(wildcard user/ecmpctl/cmd_*.c)
CTL_SRCS    := $(filter-out $(CTL_MAIN),$(wildcard user/ecmpctl/*.c))
LIB         := $(BUILD)/libecmp.a
LIB_BFD     := $(BUILD)/libecmp-bfd.a
LIB_ECMPD   := $(BUILD)/libecmpd.a
LIB_CTL     := $(BUILD)/libecmpctl.a
ALL_LIBS    := $(LIB_ECMPD) $(LIB_BFD) $(LIB_CTL) $(LIB)

BPF_OBJS  := $(BUILD)/ecmp_xdp.bpf.o $(BUILD)/ecmp_tc.bpf.o
TEST_BPF_OBJS := $(BUILD)/tests/hash_probe.bpf.o $(BUILD)/tests/bench_floor.bpf.o \
		 $(BUILD)/tests/bench_lpm_trie.bpf.o $(BUILD)/tests/bench_ecmp.bpf.o \
		 $(BUILD)/tests/bench_fib.bpf.o $(BUILD)/tests/xdp_sink.bpf.o

UNIT_TESTS := $(BUILD)/tests/test_lpm $(BUILD)/tests/test_hash $(BUILD)/tests/test_bucket \
	      $(BUILD)/tests/test_config $(BUILD)/tests/test_bfd $(BUILD)/tests/test_mirror \
	      $(BUILD)/tests/test_fpm $(BUILD)/tests/test_slots $(BUILD)/tests/test_policy_rules
# Unit tests linked with the trie builder of ECMP_LPM_WATCH instead.
WATCH_TESTS := $(BUILD)/tests/test_lpm_live
PROGS      := $(BUILD)/ecmpd $(BUILD)/ecmpctl
BPF_TESTS  := $(BUILD)/tests/test_xdp $(BUILD)/tests/test_vlan_learning
NET_TOOLS  := $(BUILD)/tests/flowgen $(BUILD)/tests/netsink $(BUILD)/tests/netsink.bpf.o \
	      $(BUILD)/tests/sockgen $(BUILD)/tests/bfdinject $(BUILD)/tests/ctlhold \
	      $(BUILD)/tests/other-build/ecmp_xdp.bpf.o $(BUILD)/tests/other-build/ecmp_tc.bpf.o
BENCH      := $(BUILD)/tests/bench_xdp $(BUILD)/tests/trafficgen $(BUILD)/tests/trafficgen.bpf.o \
	      $(BUILD)/tests/single-buffer/bench_ecmp.bpf.o $(BUILD)/tests/routechurn \
	      $(BUILD)/tests/bench_trie
TOOLCHAIN  := $(BUILD)/.toolchain-ok
# Every BPF object, product and test (`make bpf`; tests/bpf/test_compilers.sh
# builds them with other compilers).
ALL_BPF_OBJS := $(BPF_OBJS) $(TEST_BPF_OBJS) $(filter %.bpf.o,$(NET_TOOLS) $(BENCH))

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all bpf check test tests bench deps vmlinux install uninstall man clean help demo fuzz soak FORCE

all: $(TOOLCHAIN) $(BPF_OBJS) $(PROGS)

bpf: $(TOOLCHAIN) $(ALL_BPF_OBJS)

help:
	@echo 'xdp-ecmp targets:'
	@echo '  all       build the BPF objects and user space (default)'
	@echo '  bpf       build every BPF object, those of the tests and benchmarks too'
	@echo '  check     build and run the fast unit tests and the layering check'
	@echo '  test      build and run every test (unit, BPF packet, namespace)'
	@echo '  tests     build what make test runs, without running it'
	@echo '  bench     run the benchmarks and print figures (BENCH_QUICK=1: smoke run)'
	@echo '  fuzz      run every libFuzzer target for FUZZ_SECONDS (default 60) each'
	@echo '  soak      long runs, not in CI: BFD under load, 30 min of random faults, random route changes and configs'
	@echo '  demo      build and run the demonstration'
	@echo '  deps      install the Debian packages the build and tests need'
	@echo '  vmlinux   regenerate vmlinux/$(ARCH)/vmlinux.h from the running kernel'
	@echo '  install   programs, objects, unit, man pages, completion into $$(PREFIX)'
	@echo '            ($(PREFIX)); example config into $$(SYSCONFDIR)/ecmp; DESTDIR too'
	@echo '  uninstall remove what install put there (not your config)'
	@echo '  man       build the man pages (scdoc) into $(BUILD)/man'
	@echo '  clean     remove $(BUILD)/'
	@echo 'Variables: V=1 full commands, SANITIZE=1 ASan+UBSan user space'

$(TOOLCHAIN): scripts/check-toolchain.sh
	$(Q)mkdir -p $(BUILD)
	$(Q)CLANG=$(CLANG) BPFTOOL=$(BPFTOOL) sh scripts/check-toolchain.sh
	$(Q)touch $@

# BPF: compile, link with bpftool (resolves BTF, strips DWARF). No
# skeletons: ecmpd loads the object by path (--bpf-obj), which is what lets
# a restart swap in another build (README, "Upgrading"), and reaches maps by
# name through dp_maps.c, so a generated header would only tie user space
# to one build of the object.
$(BUILD)/%.bpf.tmp.o: bpf/%.bpf.c $(BPF_HDRS) | $(TOOLCHAIN)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.bpf.o: $(BUILD)/%.bpf.tmp.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(BUILD)/tests/%.bpf.tmp.o: tests/bpf/%.bpf.c $(BPF_HDRS) tests/bpf/hash_probe.h | $(TOOLCHAIN)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itests/bpf -c $< -o $@

$(BUILD)/tests/%.bpf.tmp.o: tests/net/%.bpf.c $(BPF_HDRS) tests/net/netsink.h | $(TOOLCHAIN)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The data path built for another instruction set revision: the same
# behaviour in other instructions (another program tag), which the upgrade
# tests run first and ecmpd then has to replace.
$(BUILD)/tests/other-build/%.bpf.tmp.o: bpf/%.bpf.c $(BPF_HDRS) | $(TOOLCHAIN)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -mcpu=v2 -c $< -o $@

# What the benchmark wrappers share (tests/bench/*.bpf.h, bench_spread.h).
BENCH_BPF_HDRS := tests/bench/bench_rewrite.bpf.h tests/bench/bench_live.bpf.h \
		  tests/bench/bench_daddr.bpf.h tests/bench/bench_spread.h

# The benchmark's reference: the data path as it was before multi-buffer
# frames (the frame's length from its one buffer), measured beside it.
$(BUILD)/tests/single-buffer/%.bpf.tmp.o: tests/bench/%.bpf.c $(BPF_HDRS) $(BENCH_BPF_HDRS) | $(TOOLCHAIN)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DECMP_XDP_SINGLE_BUFFER -c $< -o $@

$(BUILD)/tests/%.bpf.tmp.o: tests/bench/%.bpf.c $(BPF_HDRS) $(BENCH_BPF_HDRS) | $(TOOLCHAIN)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# User space; headers tracked by the compiler (-MMD -MP).
$(BUILD)/%.o: %.c | $(TOOLCHAIN)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# The release string, from VERSION alone.
ECMP_VERSION := $(shell cat VERSION)
# The install paths compiled in; rebuilt when PREFIX or SYSCONFDIR change.
$(BUILD)/.paths: FORCE
	@mkdir -p $(BUILD)
	@echo '$(LIBDIR) $(SYSCONFDIR)' | cmp -s - $@ || echo '$(LIBDIR) $(SYSCONFDIR)' > $@
$(BUILD)/user/lib/version.o: user/lib/version.c VERSION $(BUILD)/.paths | $(TOOLCHAIN)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DECMP_VERSION='"$(ECMP_VERSION)"' -DECMP_LIBDIR='"$(LIBDIR)"' \
		-DECMP_SYSCONFDIR='"$(SYSCONFDIR)"' -c $< -o $@
FORCE:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

$(LIB): $(LIB_SRCS:%.c=$(BUILD)/%.o)
$(LIB_BFD): $(BFD_SRCS:%.c=$(BUILD)/%.o)
$(LIB_ECMPD): $(ECMPD_SRCS:%.c=$(BUILD)/%.o)
$(LIB_CTL): $(CTL_SRCS:%.c=$(BUILD)/%.o)
$(ALL_LIBS):
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

# Unit tests and programs: one object each, plus the library.
# The route and nexthop message builders (nl_build.c) go with each.
$(UNIT_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/unit/nl_build.o $(ALL_LIBS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)
# The trie tests' reference table.
$(BUILD)/tests/test_lpm: $(BUILD)/tests/unit/lpm_ref.o

# The trie builder built to hand each store a lookup can see, and each wait
# for readers, to the test that checks the trie around them (lpm_int.h).
LPM_WATCH_OBJS := $(patsubst user/lib/%.c,$(BUILD)/tests/lpm-watch/%.o,$(wildcard user/lib/lpm*.c))
$(BUILD)/tests/lpm-watch/%.o: user/lib/%.c | $(TOOLCHAIN)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DECMP_LPM_WATCH -c $< -o $@
$(WATCH_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/unit/lpm_ref.o \
		$(BUILD)/tests/unit/lpm_watch.o $(LPM_WATCH_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/ecmpd: $(ECMPD_MAIN:%.c=$(BUILD)/%.o) $(LIB_ECMPD) $(LIB_BFD) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS) $(shell pkg-config --libs libsystemd libmicrohttpd)

$(BUILD)/ecmpctl: $(CTL_MAIN:%.c=$(BUILD)/%.o) $(LIB_CTL) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/test_xdp: $(BUILD)/tests/bpf/test_xdp.o $(BUILD)/tests/bpf/frame_build.o \
		$(BUILD)/tests/bpf/frame_model.o $(BUILD)/tests/bpf/dp_fixture.o $(LIB_CTL) $(LIB) \
		$(BPF_OBJS) $(TEST_BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $(filter %.o %.a,$(filter-out %.bpf.o,$^)) -o $@ $(LDLIBS)

$(BUILD)/tests/test_vlan_learning: $(BUILD)/tests/bpf/test_vlan_learning.o \
		$(BUILD)/tests/bpf/frame_build.o $(BUILD)/tests/bpf/frame_model.o \
		$(BUILD)/tests/bpf/dp_fixture.o $(LIB_ECMPD) $(LIB_BFD) $(LIB) $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $(filter %.o %.a,$(filter-out %.bpf.o,$^)) -o $@ $(LDLIBS)

$(BUILD)/tests/trafficgen: $(BUILD)/tests/bench/trafficgen.o $(BUILD)/tests/bpf/frame_build.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/bench_xdp: $(BUILD)/tests/bench/bench_xdp.o $(BUILD)/tests/bench/jit_lines.o \
		$(BUILD)/tests/bpf/frame_build.o \
		$(BUILD)/tests/bpf/dp_fixture.o $(LIB_CTL) $(LIB) $(BPF_OBJS) $(TEST_BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $(filter %.o %.a,$(filter-out %.bpf.o,$^)) -o $@ $(LDLIBS)

$(BUILD)/tests/routechurn: $(BUILD)/tests/bench/routechurn.o $(BUILD)/tests/bpf/frame_build.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/bench_trie: $(BUILD)/tests/bench/bench_trie.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/flowgen: $(BUILD)/tests/net/flowgen.o $(BUILD)/tests/bpf/frame_build.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/bfdinject: $(BUILD)/tests/net/bfdinject.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@

$(BUILD)/tests/ctlhold: $(BUILD)/tests/net/ctlhold.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@

$(BUILD)/tests/sockgen: $(BUILD)/tests/net/sockgen.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@

$(BUILD)/tests/netsink: $(BUILD)/tests/net/netsink.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# libFuzzer targets (clang): each links the module it fuzzes, with ASan and
# UBSan. `make fuzz` runs each for FUZZ_SECONDS from its seed corpus.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-D_GNU_SOURCE -Iinclude -Iuser
FUZZ_bfd_SRCS    := user/bfd/bfd_packet.c user/bfd/bfd_session.c user/bfd/sha1.c
FUZZ_config_SRCS := $(wildcard user/ecmpd/config*.c) $(wildcard user/lib/lpm*.c) user/lib/route_set.c user/lib/text.c
FUZZ_ctl_SRCS    := user/lib/ctl.c user/lib/json.c user/lib/log.c
FUZZ_nl_parse    := user/ecmpd/netlink.c user/ecmpd/nl_route.c user/ecmpd/nl_nexthop.c \
		    user/ecmpd/nl_rule.c
FUZZ_netlink_SRCS := $(FUZZ_nl_parse) user/ecmpd/xfrm_policies.c user/ecmpd/bypass.c \
		     user/ecmpd/config_pass.c user/lib/text.c user/lib/log.c user/lib/sysctl.c \
		     $(wildcard user/lib/lpm*.c) user/lib/route_set.c
FUZZ_cli_SRCS    := user/ecmpctl/cli.c user/lib/text.c
FUZZ_fpm_SRCS    := user/ecmpd/fpm.c user/ecmpd/fpm_table.c $(FUZZ_nl_parse) $(wildcard user/lib/lpm*.c) user/lib/route_set.c \
		    user/lib/text.c user/lib/log.c
# The trie builder watched store by store (tests/unit/lpm_watch.h).
FUZZ_lpm_SRCS    := $(wildcard user/lib/lpm*.c) user/lib/route_set.c tests/unit/lpm_watch.c \
		    tests/unit/lpm_ref.c
FUZZ_lpm_CFLAGS  := -DECMP_LPM_WATCH
FUZZ_TARGETS := $(BUILD)/fuzz/fuzz_bfd $(BUILD)/fuzz/fuzz_config $(BUILD)/fuzz/fuzz_ctl \
		$(BUILD)/fuzz/fuzz_netlink $(BUILD)/fuzz/fuzz_cli $(BUILD)/fuzz/fuzz_fpm $(BUILD)/fuzz/fuzz_lpm

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard user/*/*.h include/*.h) $(FUZZ_bfd_SRCS) $(FUZZ_config_SRCS) $(FUZZ_ctl_SRCS) $(FUZZ_netlink_SRCS) $(FUZZ_cli_SRCS) $(FUZZ_fpm_SRCS) $(FUZZ_lpm_SRCS) | $(TOOLCHAIN)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_$*_CFLAGS) $< $(FUZZ_$*_SRCS) -o $@ $(LDLIBS)

soak: all $(NET_TOOLS)
	$(Q)BUILD=$(BUILD) bash scripts/soak.sh

fuzz: $(FUZZ_TARGETS)
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

check: all $(UNIT_TESTS) $(WATCH_TESTS)
	$(Q)BUILD=$(BUILD) SANITIZE=$(SANITIZE) sh tests/run.sh check

# The README's commands work on a fresh machine: each first installs what
# is missing (scripts/install-deps.sh: nothing, in a second, when all is
# there), then builds with a make that sees the new packages. make test's
# build takes every CPU unless make was given its own -j (a fresh
# sanitized build: 48 s on 2 CPUs instead of 87).
ALL_CPUS = $$(case " $$MAKEFLAGS" in *" -j"*) ;; *) echo -j$$(nproc) ;; esac)
# The fuzzers and the benchmark run from the plain build only
# (tests/run.sh): the sanitized one does not build them.
ifeq ($(SANITIZE),1)
TEST_ONLY_PLAIN :=
else
TEST_ONLY_PLAIN := $(BENCH) $(FUZZ_TARGETS)
endif
test:
	$(Q)sh scripts/install-deps.sh
	$(Q)$(MAKE) --no-print-directory $(ALL_CPUS) tests
	$(Q)BUILD=$(BUILD) SANITIZE=$(SANITIZE) sh tests/run.sh all

tests: all $(UNIT_TESTS) $(WATCH_TESTS) $(BPF_TESTS) $(NET_TOOLS) $(TEST_ONLY_PLAIN)

bench:
	$(Q)sh scripts/install-deps.sh
	$(Q)$(MAKE) --no-print-directory all $(BENCH) $(NET_TOOLS)
	$(Q)BUILD=$(BUILD) sh scripts/bench.sh

demo:
	$(Q)sh scripts/install-deps.sh
	$(Q)$(MAKE) --no-print-directory all $(NET_TOOLS)
	$(Q)BUILD=$(BUILD) bash scripts/demo.sh

deps:
	$(Q)sh scripts/install-deps.sh

vmlinux:
	$(Q)sh scripts/gen-vmlinux.sh vmlinux/$(ARCH)/vmlinux.h

# PREFIX for the programs, objects, unit, man pages and completion;
# SYSCONFDIR for the example config (an existing ecmpd.conf is never
# touched); DESTDIR for a staging root (packages).
INSTALLED := $(PREFIX)/sbin/ecmpd $(PREFIX)/sbin/ecmpctl $(LIBDIR)/ecmp_xdp.bpf.o \
	     $(LIBDIR)/ecmp_tc.bpf.o $(UNITDIR)/ecmpd.service \
	     $(SYSCONFDIR)/ecmp/ecmpd.conf.example $(COMPLETIONDIR)/ecmpctl \
	     $(MANDIR)/man8/ecmpd.8 $(MANDIR)/man8/ecmpctl.8 $(MANDIR)/man5/ecmpd.conf.5

install: all man
	$(Q)install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/ecmp $(DESTDIR)$(COMPLETIONDIR) \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	$(Q)install -m 0644 $(BPF_OBJS) $(DESTDIR)$(LIBDIR)/
	$(Q)install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/sbin/
	$(Q)sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		contrib/ecmpd.service.in > $(DESTDIR)$(UNITDIR)/ecmpd.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/ecmpd.service
	$(Q)install -m 0644 contrib/ecmpd.conf.example $(DESTDIR)$(SYSCONFDIR)/ecmp/
	$(Q)install -m 0644 contrib/ecmpctl.bash-completion $(DESTDIR)$(COMPLETIONDIR)/ecmpctl
	$(Q)install -m 0644 $(BUILD)/man/ecmpd.8 $(BUILD)/man/ecmpctl.8 $(DESTDIR)$(MANDIR)/man8/
	$(Q)install -m 0644 $(BUILD)/man/ecmpd.conf.5 $(DESTDIR)$(MANDIR)/man5/

uninstall:
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)rmdir $(DESTDIR)$(LIBDIR) 2>/dev/null || true

# Man pages from Markdown with pandoc; ecmpd.conf(5) is docs/CONFIG.md
# under a man page's head (its statement table made a definition list),
# so the grammar is written once.
MAN_PAGES := $(BUILD)/man/ecmpd.8 $(BUILD)/man/ecmpctl.8 $(BUILD)/man/ecmpd.conf.5
man: $(MAN_PAGES)
$(BUILD)/man/ecmpd.conf.5: docs/man/ecmpd.conf.5.md docs/CONFIG.md VERSION
	$(call msg,PANDOC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q){ cat $<; sed -e '1{/^# /d}' -e 's/^## /# /' -e '/^| statement | meaning |$$/d' \
		-e '/^| --- | --- |$$/d' -e 's/^| \(.*\) | \(.*\) |$$/\1\n:   \2\n/' docs/CONFIG.md; } | \
		sed 's|@VERSION@|$(ECMP_VERSION)|g' | pandoc -s -f markdown -t man -o $@
$(BUILD)/man/%: docs/man/%.md VERSION
	$(call msg,PANDOC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)sed 's|@VERSION@|$(ECMP_VERSION)|g' $< | pandoc -s -f markdown -t man -o $@

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)
