/* The virt board's PCIe host bridge, from its "pci-host-ecam-generic" device-tree node. */
#pragma once

/* Find and check the host bridge node and register it with the PCI core (nothing if absent). */
void virt_pci_host_init(void);
