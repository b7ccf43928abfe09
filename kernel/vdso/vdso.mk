# The vDSO: a small shared object of its own (target toolchain, position-independent, no libc),
# linked by vdso.lds and embedded in the kernel image by image.S. Included by kernel/Makefile,
# which sets TARGET_CC, TARGET_LD, ARCH_CFLAGS and TOBJ.
VDSO_DIR := $(TOBJ)/vdso
VDSO_SO  := $(VDSO_DIR)/vdso.so
# Position-independent with hidden data (PC-relative), so the object has no relocations at all;
# no unwind tables or stack protector (there is no libc behind it); general registers only, and
# x18 left alone (the platform register).
VDSO_CFLAGS := -std=gnu11 -O2 -fPIC -ffreestanding -nostdinc -isystem $(shell $(TARGET_CC) -print-file-name=include) \
               -I$(KDIR)/include -fno-stack-protector -fno-common -fno-builtin \
               -fno-asynchronous-unwind-tables -fno-unwind-tables -ffixed-x18 -mgeneral-regs-only \
               -march=armv8-a -Wall -Wextra -Werror -MMD -MP
VDSO_LDFLAGS := -shared -nostdlib -soname=linux-vdso.so.1 --hash-style=sysv --build-id=none \
                -Bsymbolic --no-undefined -z noexecstack -z max-page-size=4096 --eh-frame-hdr
VDSO_OBJS := $(VDSO_DIR)/vgettime.o $(VDSO_DIR)/sigreturn.o

$(VDSO_DIR)/vgettime.o: $(KDIR)/vdso/vgettime.c $(BUILD_RULES)
	@mkdir -p $(dir $@)
	@echo "  CC      kernel/vdso/vgettime.c"
	$(Q)$(TARGET_CC) $(VDSO_CFLAGS) -c $< -o $@

$(VDSO_DIR)/sigreturn.o: $(KDIR)/vdso/sigreturn.S $(BUILD_RULES)
	@mkdir -p $(dir $@)
	@echo "  AS      kernel/vdso/sigreturn.S"
	$(Q)$(TARGET_CC) $(VDSO_CFLAGS) -c $< -o $@

# A vDSO with a relocation would need a loader we do not run: refuse to build one.
$(VDSO_SO): $(VDSO_OBJS) $(KDIR)/vdso/vdso.lds
	@echo "  LD      $(patsubst $(TOP)/%,%,$@)"
	$(Q)$(TARGET_LD) $(VDSO_LDFLAGS) -T $(KDIR)/vdso/vdso.lds -o $@.tmp $(VDSO_OBJS)
	$(Q)if $(CROSS_COMPILE)readelf -r $@.tmp | grep -q '^Relocation section'; then \
	    echo "vdso: $@ has dynamic relocations" >&2; rm -f $@.tmp; exit 1; fi
	$(Q)mv $@.tmp $@

# Where the signal trampoline is inside the vDSO, for exec/vdso.c (Linux's vdso-offsets.h).
$(VDSO_DIR)/vdso_offsets.h: $(VDSO_SO)
	$(Q)$(CROSS_COMPILE)nm $< | awk '$$3 == "__kernel_rt_sigreturn" { print "#define VDSO_RT_SIGRETURN_OFFSET 0x" $$1 }' > $@.tmp
	$(Q)grep -q VDSO_RT_SIGRETURN_OFFSET $@.tmp || { echo "vdso: no __kernel_rt_sigreturn in $<" >&2; rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@
$(TOBJ)/kernel/exec/vdso.c.o: $(VDSO_DIR)/vdso_offsets.h
$(TOBJ)/kernel/exec/vdso.c.o: TARGET_CFLAGS += -I$(VDSO_DIR)

$(TOBJ)/kernel/vdso/image.S.o: $(VDSO_SO)
$(TOBJ)/kernel/vdso/image.S.o: TARGET_CFLAGS += -DVDSO_SO='"$(VDSO_SO)"'

-include $(VDSO_DIR)/vgettime.d
