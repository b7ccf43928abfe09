# QEMU's `virt` board: everything is discovered from the device tree QEMU generates.
ARCH := aarch64
PLATFORM_SRCS := $(addprefix platforms/virt/,platform.c pl011.c pl031.c pci_host.c)
