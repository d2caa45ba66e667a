# Kite: one Makefile for the kernel, the images, the tests and the benchmarks.
#
#   make            build the kernel (build/kite.elf)
#   make run        boot it under QEMU (ARGS="..." adds kernel arguments)
#   make iso        a GRUB-bootable ISO (build/kite.iso)
#   make test       host unit tests and boot tests; the last line is "N passed, N failed"
#                   (T=name runs the tests whose name contains "name")

BUILD := build
CC := gcc
LD := ld

# Every Debian package the build and the tests need (scripts/deps.sh).
DEPS_STAMP := $(BUILD)/.deps-ok

KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-Iinclude -Iarch/x86_64/include -Icore/lib/include -I$(BUILD)/gen -MMD -MP
KERNEL_LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack -T arch/x86_64/kernel.ld
# lwIP's readers of an IPv6 path MTU get it through net/lwip/hooks.c, which
# keeps it at 1280 or more.
KERNEL_LDFLAGS += --wrap=nd6_get_destination_mtu

# musl, from Debian's source package (pinned), built with Kite's system-call
# glue (libc/musl/syscall_arch.h: system calls are function calls) for the
# kernel's code model. libgcc supplies the 128-bit division the clock code uses.
MUSL_VERSION := 1.2.3
MUSL_DEBIAN_VERSION := 1.2.3-1
MUSL_SRC := $(BUILD)/src/musl-$(MUSL_VERSION)
MUSL_TREE := $(BUILD)/musl
MUSL_LIB := $(MUSL_TREE)/lib/libc.a
# What the kernel links: all of musl (applications import any of it), less the
# string functions the kernel has its own copies of, musl's malloc (the kernel
# heap is malloc: libc/musl/malloc.c), and what libc/ and loader/ define
# otherwise: TLS access, dl_iterate_phdr, locale objects glibc-built code can
# read, sendmsg (libc/musl/sendmsg.c). free.o and realloc.o appear twice in the
# archive (wrapper and mallocng), hence twice here.
MUSL_KERNEL_LIB := $(MUSL_TREE)/lib/libc-kite.a
MUSL_REPLACED := memcmp.o memcpy.o memmove.o memset.o strchr.o strcmp.o strcpy.o strlcpy.o \
	strlen.o strncmp.o strnlen.o strstr.o \
	malloc.o calloc.o libc_calloc.o lite_malloc.o free.o free.o realloc.o realloc.o \
	aligned_alloc.o posix_memalign.o memalign.o malloc_usable_size.o donate.o __tls_get_addr.o \
	dl_iterate_phdr.o dlopen.o dlsym.o __dlsym.o dlclose.o dladdr.o dlinfo.o \
	newlocale.o duplocale.o freelocale.o sendmsg.o
MUSL_CFLAGS := -O2 -mcmodel=kernel -fno-pic -fno-pie -fno-omit-frame-pointer -fno-stack-protector
KERNEL_LIBS := --whole-archive $(MUSL_KERNEL_LIB) --no-whole-archive $(shell $(CC) -print-libgcc-file-name)

# lwIP, from Debian's source package (pinned), built with Kite's port
# (net/lwip/: lwipopts.h, the compiler glue, sys_arch.c) into the kernel.
LWIP_VERSION := 2.1.3
LWIP_DEBIAN_VERSION := 2.1.3+dfsg1-2
LWIP_SRC := $(BUILD)/src/lwip-$(LWIP_VERSION)
LWIP_SOURCES := $(addprefix core/,init.c def.c dns.c inet_chksum.c ip.c mem.c memp.c netif.c pbuf.c raw.c stats.c \
	sys.c tcp.c tcp_in.c tcp_out.c timeouts.c udp.c) \
	$(addprefix core/ipv4/,dhcp.c etharp.c icmp.c igmp.c ip4_frag.c ip4.c ip4_addr.c) \
	$(addprefix core/ipv6/,ethip6.c icmp6.c inet6.c ip6.c ip6_addr.c ip6_frag.c mld6.c nd6.c) \
	$(addprefix api/,api_lib.c api_msg.c err.c netbuf.c netifapi.c tcpip.c) netif/ethernet.c
LWIP_OBJS := $(patsubst %.c,$(BUILD)/lwip/%.o,$(LWIP_SOURCES))
# lwIP and Kite both have a mem_init: lwIP's is renamed.
LWIP_INCLUDES := -Inet/lwip/include -isystem $(LWIP_SRC)/src/include -Dmem_init=lwip_mem_init

KERNEL_SRCS := $(wildcard arch/x86_64/*.c arch/x86_64/*.S core/*.c core/lib/*.c drivers/*.c fs/*.c libc/*.c loader/*.c \
	net/*.c net/lwip/*.c) bench/sched/schedbench.c bench/sched/os_kite.c
KERNEL_OBJS = $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS)) $(MUSL_GLUE_OBJS) $(LWIP_OBJS)

.PHONY: all deps run image iso test unit-tests fuzz-elf clean
all: $(BUILD)/kite.elf

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@bash scripts/deps.sh
	@mkdir -p $(BUILD) && touch $@

# Kernel code never touches vector registers (so interrupts need not save them);
# the FPU self-test is the exception: it runs in threads only, and computes the
# values it loads into the registers in C.
$(BUILD)/arch/x86_64/fputest.c.o: KERNEL_CFLAGS := $(filter-out -mgeneral-regs-only,$(KERNEL_CFLAGS)) -msse2
$(BUILD)/libc/libctest.c.o: KERNEL_CFLAGS := $(filter-out -mgeneral-regs-only,$(KERNEL_CFLAGS)) -msse2

$(BUILD)/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KERNEL_CFLAGS) -D__ASSEMBLER__ -c $< -o $@

$(LWIP_SRC)/.unpacked: scripts/fetch-source.sh | $(DEPS_STAMP)
	@echo "  FETCH   lwip $(LWIP_DEBIAN_VERSION)"
	@bash scripts/fetch-source.sh lwip $(LWIP_DEBIAN_VERSION) $(LWIP_VERSION)

# lwIP's own sources are not held to Kite's warnings.
$(BUILD)/lwip/%.o: $(LWIP_SRC)/.unpacked net/lwip/include/lwipopts.h net/lwip/include/arch/cc.h net/lwip/include/arch/sys_arch.h \
	net/lwip/include/lwip_hooks.h
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/$*.c"
	@$(CC) $(filter-out -Werror -Wall -Wextra -MMD -MP,$(KERNEL_CFLAGS)) -w $(LWIP_INCLUDES) -c $(LWIP_SRC)/src/$*.c -o $@

# Kite's side of the network (net/) includes lwIP's headers: they must be there
# first, and a change of lwIP's configuration (its structures) rebuilds it.
NET_OBJS := $(patsubst %,$(BUILD)/%.o,$(wildcard net/*.c net/lwip/*.c))
$(BUILD)/net/%.c.o: KERNEL_CFLAGS += $(LWIP_INCLUDES)
$(NET_OBJS): net/lwip/include/lwipopts.h net/lwip/include/arch/cc.h net/lwip/include/arch/sys_arch.h \
	net/lwip/include/lwip_hooks.h \
	| $(LWIP_SRC)/.unpacked

$(MUSL_SRC)/.unpacked: scripts/fetch-source.sh | $(DEPS_STAMP)
	@echo "  FETCH   musl $(MUSL_DEBIAN_VERSION)"
	@bash scripts/fetch-source.sh musl $(MUSL_DEBIAN_VERSION) $(MUSL_VERSION)

$(MUSL_LIB): $(MUSL_SRC)/.unpacked libc/musl/syscall_arch.h
	@echo "  MUSL    $@"
	@rm -rf $(MUSL_TREE) && cp -a $(MUSL_SRC) $(MUSL_TREE)
	@cp libc/musl/syscall_arch.h $(MUSL_TREE)/arch/x86_64/syscall_arch.h
	@cd $(MUSL_TREE) && CC=$(CC) sh ./configure --target=x86_64 --disable-shared \
		CFLAGS="$(MUSL_CFLAGS)" >configure.log 2>&1 || { tail -5 configure.log; exit 1; }
	@$(MAKE) -s -C $(MUSL_TREE) lib/libc.a AR=ar RANLIB=ranlib >$(MUSL_TREE)/build.log 2>&1 || \
		{ grep -m5 error $(MUSL_TREE)/build.log; exit 1; }

# musl functions that touch objects a program may have copied (COPY relocations):
# renamed __musl_NAME, and wrapped by libc/musl/copy_sync.c under their own names.
MUSL_WRAPPED := __libc_start_main getopt getopt_long getopt_long_only getenv secure_getenv \
	setenv unsetenv putenv clearenv
# musl functions Kite defines again for musl's own callers (their members share
# names with others, so they are weakened rather than deleted): thread start and
# exit (libc/clone.c), exit (libc/musl/exit.c).
MUSL_OVERRIDDEN := __clone __unmapself exit
$(MUSL_KERNEL_LIB): $(MUSL_LIB) Makefile
	@cp $< $@.tmp && ar d $@.tmp $(MUSL_REPLACED)
	@objcopy $(foreach f,$(MUSL_WRAPPED),--redefine-sym $(f)=__musl_$(f)) \
		$(foreach f,$(MUSL_OVERRIDDEN),--weaken-symbol=$(f)) $@.tmp && mv $@.tmp $@

# Kite's glue that needs musl's internal headers (its thread descriptor).
# (musl's headers come in as system headers: their own warnings are not ours.)
MUSL_INTERNAL_CFLAGS := -std=c99 -nostdinc -ffreestanding -D_XOPEN_SOURCE=700 -Wall -Wextra -Werror \
	-isystem $(MUSL_TREE)/arch/x86_64 -isystem $(MUSL_TREE)/arch/generic -isystem $(MUSL_TREE)/obj/src/internal \
	-isystem $(MUSL_TREE)/src/include -isystem $(MUSL_TREE)/src/internal -isystem $(MUSL_TREE)/obj/include \
	-isystem $(MUSL_TREE)/include -idirafter include $(MUSL_CFLAGS)
MUSL_GLUE_OBJS := $(patsubst libc/musl/%.c,$(BUILD)/libc/musl/%.o,$(wildcard libc/musl/*.c))
$(BUILD)/libc/musl/%.o: libc/musl/%.c $(MUSL_LIB)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(MUSL_INTERNAL_CFLAGS) -c $< -o $@

# System-call numbers and names, from Linux's own header.
$(BUILD)/gen/syscall_list.h: scripts/gen-syscalls.sh | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@sh scripts/gen-syscalls.sh > $@
$(BUILD)/libc/syscall.c.o: $(BUILD)/gen/syscall_list.h

# The symbol table is linked into the kernel it describes: link with an empty
# table, generate the real one, link again, generate again (now with the final
# sizes) and link a third time; the last two tables must agree.
$(BUILD)/ksyms.0.c: scripts/gen-ksyms.sh | $(DEPS_STAMP)
	@sh scripts/gen-ksyms.sh > $@

$(BUILD)/kite.elf: $(KERNEL_OBJS) $(BUILD)/ksyms.0.c arch/x86_64/kernel.ld scripts/gen-ksyms.sh Makefile $(MUSL_KERNEL_LIB)
	@echo "  LD      $@"
	@link() { $(CC) $(KERNEL_CFLAGS) -c $(BUILD)/ksyms.$$1.c -o $(BUILD)/ksyms.$$1.o && \
		$(LD) $(KERNEL_LDFLAGS) $(KERNEL_OBJS) $(BUILD)/ksyms.$$1.o $(KERNEL_LIBS) -o $$2; }; \
	link 0 $(BUILD)/kite.1.elf && sh scripts/gen-ksyms.sh $(BUILD)/kite.1.elf > $(BUILD)/ksyms.1.c && \
	link 1 $(BUILD)/kite.2.elf && sh scripts/gen-ksyms.sh $(BUILD)/kite.2.elf > $(BUILD)/ksyms.2.c && \
	link 2 $@.tmp && sh scripts/gen-ksyms.sh $@.tmp > $(BUILD)/ksyms.3.c && \
	{ cmp -s $(BUILD)/ksyms.2.c $(BUILD)/ksyms.3.c || { echo "ksyms: the symbol table did not settle" >&2; exit 1; }; } && \
	mv $@.tmp $@

# make image APP=foo: builds apps/foo with its own Makefile (the host's compiler
# and default flags) and packs the program, /foo in the image, into a boot archive.
# make run APP=foo ARGS="..." boots it with those arguments; without APP, the
# kernel alone boots (ARGS are then kernel options).
IMAGE := $(BUILD)/images/$(APP).cpio
image: $(BUILD)/kite.elf
	@test -n "$(APP)" || { echo "make image: say which app: make image APP=hello" >&2; exit 2; }
	@test -d apps/$(APP) || { echo "make image: no apps/$(APP)" >&2; exit 2; }
	@$(MAKE) -s -C apps/$(APP)
	@mkdir -p $(BUILD)/images
	@scripts/app-manifest.sh apps/$(APP) > $(BUILD)/images/$(APP).manifest
	@scripts/mkimage.sh $(BUILD)/images/$(APP).manifest $(IMAGE)

ifeq ($(APP),)
run: $(BUILD)/kite.elf
	scripts/run.sh $(RUNFLAGS) -- $(ARGS)
else
run: image
	scripts/run.sh $(RUNFLAGS) --initrd $(IMAGE) -- $(KERNEL_ARGS) $(foreach e,$(ENV),--env=$(e)) /$(APP) $(ARGS)
endif

# GRUB's `multiboot` command boots the very same kernel file from an ISO.
iso: $(BUILD)/kite.iso
$(BUILD)/kite.iso: $(BUILD)/kite.elf scripts/make-iso.sh
	sh scripts/make-iso.sh $(BUILD)/kite.elf $@

# Host unit tests: the pure logic of core/, built for the host with sanitizers.
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -Icore/tests/include \
	-fno-omit-frame-pointer -Iinclude -Iarch/x86_64/include -Itests
# Unit tests live beside their subsystem: core/tests/, fs/tests/, ...
UNIT_TEST_SRCS := $(wildcard */tests/test_*.c)
UNIT_TESTS := $(patsubst %.c,$(BUILD)/tests/%,$(notdir $(UNIT_TEST_SRCS)))
UNIT_LIB := tests/unit.c core/tests/host_stubs.c

$(BUILD)/tests/test_frame: core/frame.c
$(BUILD)/tests/test_heap: core/frame.c core/heap.c
$(BUILD)/tests/test_cmdline: core/cmdline.c core/lib/format.c
$(BUILD)/tests/test_ksyms: core/ksyms.c
$(BUILD)/tests/test_format: core/lib/format.c
$(BUILD)/tests/test_kva: core/kva.c core/heap.c core/frame.c
$(BUILD)/tests/test_cpio: fs/cpio.c core/lib/format.c
$(BUILD)/tests/test_random: core/chacha20.c
$(BUILD)/tests/test_vfs: fs/vnode.c fs/namei.c fs/ramfs.c core/tests/host_kernel.c
$(BUILD)/tests/test_pipe: fs/pipe.c core/tests/host_kernel.c
$(BUILD)/tests/test_elf: loader/elf.c core/lib/format.c
$(BUILD)/tests/test_tcp_checksum: drivers/tcp_checksum.c
$(BUILD)/tests/test_rx_checksum: drivers/rx_checksum.c drivers/tcp_checksum.c
vpath test_%.c $(sort $(dir $(UNIT_TEST_SRCS)))
$(BUILD)/tests/%: %.c $(UNIT_LIB) tests/unit.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(CC) $(UNIT_CFLAGS) $< $(filter %.c,$(filter-out $<,$^)) -o $@ -lpthread

unit-tests: $(UNIT_TESTS)

test: all unit-tests iso
	@bash tests/run-all.sh $(T)

# Fuzzing the ELF parser with libFuzzer (clang, from Debian's clang-14 and
# libclang-rt-14-dev): make fuzz-elf FUZZ_SECONDS=600
FUZZ_SECONDS ?= 60
$(BUILD)/fuzz/elf_fuzz: loader/fuzz/elf_fuzz.c loader/elf.c loader/symbols.c core/lib/format.c
	@mkdir -p $(dir $@)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Iarch/x86_64/include $^ -o $@
fuzz-elf: $(BUILD)/fuzz/elf_fuzz
	@mkdir -p $(BUILD)/fuzz/corpus
	@cp -n /usr/bin/env /usr/bin/true /usr/lib/x86_64-linux-gnu/libc.so.6 $(BUILD)/fuzz/corpus/ 2>/dev/null || true
	$(BUILD)/fuzz/elf_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=262144 $(BUILD)/fuzz/corpus

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
