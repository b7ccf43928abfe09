# ACPICA's table definitions (include/acpi/actbl*.h), pinned by Debian package version and the
# .deb's sha256, fetched once into $(CACHE_DIR) (fetch-acpica.sh says from where and why). Debian
# drops an old kernel ABI's packages from bookworm at a point release: then the newest 6.1
# headers package is taken instead, and pinned by the ACPICA release its headers carry
# (ACPI_CA_VERSION; Linux's 6.1 stable series keeps one). Only headers: kernel/acpi/acpica.h
# gives them the environment ACPICA's acenv.h would.
ACPICA_PACKAGE := linux-headers-6.1.0-50-common
ACPICA_VERSION := 6.1.176-1
ACPICA_SHA256  := 7f6f7bee50efbc36dc02c976be5982b96cf36abe544f03f09368e98cfcc5ac3b
ACPICA_RELEASE := 0x20220331
ACPICA_DIR     := $(CACHE_DIR)/acpica-$(ACPICA_VERSION)
ACPICA_STAMP   := $(ACPICA_DIR)/.fetched
ACPICA_INCLUDES := -I$(ACPICA_DIR)/include

$(ACPICA_STAMP):
	@echo "  FETCH   $(ACPICA_PACKAGE) $(ACPICA_VERSION) (ACPICA's table headers)"
	$(Q)$(KDIR)/third_party/fetch-acpica.sh "$(CACHE_DIR)" "$(ACPICA_PACKAGE)" "$(ACPICA_VERSION)" "$(ACPICA_SHA256)" "$(ACPICA_RELEASE)"
