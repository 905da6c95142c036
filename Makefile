# xdpscope: eBPF network observer. `make` builds build/xdpscope; see README for the rest.
CLANG   ?= clang
BPFTOOL ?= bpftool
CC      ?= gcc
BUILD   ?= build
ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# SAN=1 builds user space and tests with AddressSanitizer + UBSan (make test-asan).
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
# FUZZ=1 (make fuzz, with CC=clang) adds libFuzzer's coverage instrumentation to everything.
ifeq ($(FUZZ),1)
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
endif

CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
CPPFLAGS := -D_GNU_SOURCE -I$(BUILD) -Ibpf -Iuser
USER_CFLAGS := -std=gnu17 $(WARN) $(CFLAGS) $(SANFLAGS) -MMD -MP
LDLIBS   := $(shell pkg-config --libs libbpf libpcap 2>/dev/null || echo -lbpf -lpcap) -lelf -lz -lm
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux -Ibpf -Wall -Wextra -Werror \
              -Wno-unused-parameter -Wno-missing-field-initializers

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
LIB_SRCS  := $(filter-out user/main.c,$(wildcard user/*.c))
LIB_OBJS  := $(patsubst user/%.c,$(BUILD)/user/%.o,$(LIB_SRCS))
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_SUPPORT := $(filter-out $(TEST_SRCS),$(wildcard tests/*.c))
TEST_SUPPORT_OBJS := $(patsubst tests/%.c,$(BUILD)/tests/%.o,$(TEST_SUPPORT))
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
# Fuzz targets: tests/fuzz/fuzz_NAME.c (LLVMFuzzerTestOneInput); tests/fuzz/seed_NAME.c, if
# present, is a program that writes generated seeds for NAME into the directory it is given.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c tests/fuzz/seed_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 30
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_BINS := $(patsubst tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))
# Benchmark tools: tools/bench/*.c, with their own BPF programs tools/bench/*.bpf.c whose
# skeletons go to $(BUILD)/bench/ (kept apart from the product's skeletons).
BENCH_BPF_SRCS := $(wildcard tools/bench/*.bpf.c)
BENCH_SKELS := $(patsubst tools/bench/%.bpf.c,$(BUILD)/bench/%.skel.h,$(BENCH_BPF_SRCS))
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard tools/bench/*.c))
BENCH_BINS := $(patsubst tools/bench/%.c,$(BUILD)/tools/bench/%,$(BENCH_SRCS))

PREFIX  ?= /usr/local
DESTDIR ?=
SETCAP  ?= setcap
# File capabilities of the installed binary (never setuid); each command drops what it no
# longer needs once set up.
INSTALL_CAPS := cap_bpf,cap_perfmon,cap_net_admin,cap_net_raw+ep

.PHONY: all deps test test-asan valgrind fuzz fuzz-build fuzz-bins check bench demo clean install
# Keep the BPF objects: benchmarks and bpftool inspections use them.
.SECONDARY:
all: $(BUILD)/xdpscope $(TOOL_BINS) $(BENCH_BINS)

vmlinux/vmlinux.h:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c vmlinux/vmlinux.h $(wildcard bpf/*.h) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(BPFTOOL) gen object $@ $@.tmp
	rm -f $@.tmp

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/user/%.o: user/%.c $(SKELS) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/libxdpscope.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/xdpscope: $(BUILD)/user/main.o $(BUILD)/libxdpscope.a
	$(CC) $(USER_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c $(SKELS) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(USER_CFLAGS) -c $< -o $@

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(TEST_SUPPORT_OBJS) $(BUILD)/libxdpscope.a
	$(CC) $(USER_CFLAGS) -o $@ $^ $(LDLIBS) -lcriterion

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(TEST_SUPPORT_OBJS) $(BUILD)/libxdpscope.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(USER_CFLAGS) -fsanitize=fuzzer -o $@ $< $(TEST_SUPPORT_OBJS) \
		$(BUILD)/libxdpscope.a $(LDLIBS)

$(BUILD)/fuzz/seed_%: tests/fuzz/seed_%.c $(TEST_SUPPORT_OBJS) $(BUILD)/libxdpscope.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(USER_CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(BUILD)/libxdpscope.a $(LDLIBS)

$(TOOL_BINS): $(BUILD)/tools/%: tools/%.c $(SKELS) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(USER_CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(BUILD)/libxdpscope.a $(LDLIBS)
$(TOOL_BINS): $(TEST_SUPPORT_OBJS) $(BUILD)/libxdpscope.a

$(BUILD)/bench/%.bpf.o: tools/bench/%.bpf.c vmlinux/vmlinux.h $(wildcard bpf/*.h) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(BPFTOOL) gen object $@ $@.tmp
	rm -f $@.tmp

$(BUILD)/bench/%.skel.h: $(BUILD)/bench/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

$(BENCH_BINS): $(BUILD)/tools/bench/%: tools/bench/%.c $(SKELS) $(BENCH_SKELS) $(TEST_SUPPORT_OBJS) \
		$(BUILD)/libxdpscope.a | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(BUILD)/bench -Itests $(USER_CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) \
		$(BUILD)/libxdpscope.a $(LDLIBS)

$(BUILD):
	mkdir -p $(BUILD)

# Installs every Debian package that build, tests, demo and benchmarks use. Idempotent.
deps:
	tools/deps.sh

test: all $(TEST_BINS)
	tests/run.sh $(BUILD)

test-asan:
	$(MAKE) BUILD=build-asan SAN=1 test

# memcheck over the Criterion binaries (tests/valgrind.sh says which and how).
valgrind: all $(TEST_BINS)
	tests/valgrind.sh $(BUILD)

fuzz-bins: $(FUZZ_BINS)

fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=clang FUZZ=1 fuzz-bins

# Every fuzz target for FUZZ_SECONDS (tests/fuzz/README.md).
fuzz: fuzz-build
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

check: test test-asan valgrind
	$(MAKE) fuzz FUZZ_SECONDS=30

demo: all
	tools/demo.sh $(BUILD)

# Benchmarks (root, lab only): every tools/bench/*.sh; BENCH_QUICK=1 for a short run,
# BENCH_ONLY="census_prog sweep" for a subset. Writes docs/benchmarks.md and $(BUILD)/bench/.
bench: all
	BUILD=$(BUILD) tools/bench/run.sh

# Needs CAP_SETFCAP (root) for setcap; a packager without it can pass SETCAP=true and set the
# capabilities at package install time.
install: $(BUILD)/xdpscope
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BUILD)/xdpscope $(DESTDIR)$(PREFIX)/bin/xdpscope
	$(SETCAP) $(INSTALL_CAPS) $(DESTDIR)$(PREFIX)/bin/xdpscope

clean:
	rm -rf build build-asan build-fuzz

# The manual page and the bash completion; `make install` depends on this.
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
.PHONY: install-docs
install-docs:
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 docs/xdpscope.8 $(DESTDIR)$(MANDIR)/man8/xdpscope.8
	install -m 644 tools/xdpscope.bash $(DESTDIR)$(BASHCOMPDIR)/xdpscope
install: install-docs

# make lab-N: exercise N of the lab guide (docs/lab/), in its own namespaces.
lab-%: all
	tools/lab.sh exercise $*

-include $(wildcard $(BUILD)/user/*.d $(BUILD)/tests/*.d $(BUILD)/tools/*.d $(BUILD)/tools/bench/*.d \
	$(BUILD)/fuzz/*.d)
