# libfdt, from the C sources inside PyPI's pylibfdt sdist (pinned by version and sha256),
# fetched once into $(CACHE_DIR) and compiled with the kernel's target flags.
LIBFDT_VERSION := 1.7.2.post2
LIBFDT_SHA256  := b23d03d10ab62ad1f4e7eedde0eb8a7a8872cc08d2a5c2bba7b48bb6fd3c69f4
LIBFDT_DIR     := $(CACHE_DIR)/pylibfdt-$(LIBFDT_VERSION)/libfdt
LIBFDT_STAMP   := $(CACHE_DIR)/pylibfdt-$(LIBFDT_VERSION)/.fetched
# The read-only parts (the kernel parses the tree), and the read-write ones the EFI stub uses to
# give the firmware's tree the load options and the firmware's reservations (efi/efi_stub.c).
# fdt_sw.c, fdt_empty_tree.c: the empty tree the stub fills from ACPI tables (efi/acpi_fdt.c).
LIBFDT_SRCS    := fdt.c fdt_ro.c fdt_addresses.c fdt_check.c fdt_strerror.c fdt_rw.c fdt_wip.c fdt_sw.c fdt_empty_tree.c
LIBFDT_OBJS    := $(patsubst %.c,$(TOBJ)/third_party/libfdt/%.o,$(LIBFDT_SRCS))
# libfdt is not our code: keep -Werror off its style warnings but on everything else. It also
# runs before the MMU is on (early_map reads the memory nodes), hence EARLY_CFLAGS.
LIBFDT_CFLAGS  := $(EARLY_CFLAGS) -Wno-sign-compare -Wno-unused-parameter -Wno-implicit-fallthrough

$(LIBFDT_STAMP):
	@echo "  FETCH   pylibfdt $(LIBFDT_VERSION) (libfdt sources)"
	$(Q)$(KDIR)/third_party/fetch-libfdt.sh "$(CACHE_DIR)" "$(LIBFDT_VERSION)" "$(LIBFDT_SHA256)"

# The sources come with the stamp; never let make treat them as disposable intermediates.
.PRECIOUS: $(LIBFDT_DIR)/%.c
$(LIBFDT_DIR)/%.c: $(LIBFDT_STAMP)
	@true

$(TOBJ)/third_party/libfdt/%.o: $(LIBFDT_DIR)/%.c $(LIBFDT_STAMP) $(BUILD_RULES) $(KDIR)/third_party/libfdt.mk
	@mkdir -p $(dir $@)
	@echo "  CC      libfdt/$*.c"
	$(Q)$(TARGET_CC) $(TARGET_CFLAGS) $(LIBFDT_CFLAGS) -I$(LIBFDT_DIR) -c $< -o $@
