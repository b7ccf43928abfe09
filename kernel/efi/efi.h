/* The few UEFI interfaces the EFI stub uses (UEFI 2.10 spec, chapters 4 and 7): the system
 * table, the boot services up to ExitBootServices, the configuration table, the memory map and
 * the text console. Only the members we call are typed; the others keep their slot as void *. */
#pragma once
#include <stdint.h>

typedef uint64_t efi_status;
typedef void *efi_handle;
typedef uint16_t efi_char16;

#define EFI_SUCCESS            0
#define EFI_ERROR_BIT          (1ULL << 63)
#define EFI_LOAD_ERROR         (EFI_ERROR_BIT | 1)
#define EFI_INVALID_PARAMETER  (EFI_ERROR_BIT | 2)
#define EFI_UNSUPPORTED        (EFI_ERROR_BIT | 3)
#define EFI_BUFFER_TOO_SMALL   (EFI_ERROR_BIT | 5)
#define EFI_NOT_FOUND          (EFI_ERROR_BIT | 14)

typedef struct {
    uint32_t data1;
    uint16_t data2, data3;
    uint8_t data4[8];
} efi_guid;

/* Linux's drivers/firmware/efi: the flattened device tree the firmware hands the OS. */
#define EFI_DTB_TABLE_GUID \
    { 0xb1b621d5, 0xf19c, 0x41a5, { 0x83, 0x0b, 0xd9, 0x15, 0x2c, 0x69, 0xaa, 0xe0 } }
/* UEFI 2.10 section 4.6: the ACPI 2.0+ RSDP. */
#define EFI_ACPI_20_TABLE_GUID \
    { 0x8868e871, 0xe4f1, 0x11d3, { 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 } }
#define EFI_LOADED_IMAGE_PROTOCOL_GUID \
    { 0x5b1b31a1, 0x9562, 0x11d2, { 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }

typedef struct {
    uint64_t signature;
    uint32_t revision, header_size, crc32, reserved;
} efi_table_header;

enum efi_memory_type {
    EfiReservedMemoryType, EfiLoaderCode, EfiLoaderData, EfiBootServicesCode, EfiBootServicesData,
    EfiRuntimeServicesCode, EfiRuntimeServicesData, EfiConventionalMemory, EfiUnusableMemory,
    EfiACPIReclaimMemory, EfiACPIMemoryNVS, EfiMemoryMappedIO, EfiMemoryMappedIOPortSpace,
    EfiPalCode, EfiPersistentMemory,
};

enum efi_allocate_type { AllocateAnyPages, AllocateMaxAddress, AllocateAddress };

typedef struct {
    uint32_t type;
    uint32_t pad;
    uint64_t physical_start, virtual_start, number_of_pages, attribute;
} efi_memory_descriptor;

typedef struct efi_text_output {
    void *reset;
    efi_status (*output_string)(struct efi_text_output *self, const efi_char16 *s);
} efi_text_output;

typedef struct {
    efi_table_header hdr;
    void *raise_tpl, *restore_tpl;
    efi_status (*allocate_pages)(uint32_t type, uint32_t memory_type, uint64_t pages, uint64_t *addr);
    efi_status (*free_pages)(uint64_t addr, uint64_t pages);
    efi_status (*get_memory_map)(uint64_t *size, efi_memory_descriptor *map, uint64_t *key,
                                 uint64_t *desc_size, uint32_t *desc_version);
    efi_status (*allocate_pool)(uint32_t memory_type, uint64_t size, void **buf);
    efi_status (*free_pool)(void *buf);
    void *create_event, *set_timer, *wait_for_event, *signal_event, *close_event, *check_event;
    void *install_protocol_interface, *reinstall_protocol_interface, *uninstall_protocol_interface;
    efi_status (*handle_protocol)(efi_handle h, const efi_guid *protocol, void **iface);
    void *reserved, *register_protocol_notify, *locate_handle, *locate_device_path;
    void *install_configuration_table, *load_image, *start_image, *exit, *unload_image;
    efi_status (*exit_boot_services)(efi_handle image, uint64_t map_key);
} efi_boot_services;

typedef struct {
    efi_guid guid;
    void *table;
} efi_configuration_table;

typedef struct {
    efi_table_header hdr;
    efi_char16 *firmware_vendor;
    uint32_t firmware_revision;
    efi_handle console_in_handle;
    void *con_in;
    efi_handle console_out_handle;
    efi_text_output *con_out;
    efi_handle standard_error_handle;
    efi_text_output *std_err;
    void *runtime_services;
    efi_boot_services *boot_services;
    uint64_t number_of_table_entries;
    efi_configuration_table *configuration_table;
} efi_system_table;

typedef struct {
    uint32_t revision;
    efi_handle parent_handle;
    efi_system_table *system_table;
    efi_handle device_handle;
    void *file_path;
    void *reserved;
    uint32_t load_options_size;
    void *load_options;                    /* UCS-2 command line, as the boot entry gave it */
    void *image_base;
    uint64_t image_size;
    uint32_t image_code_type, image_data_type;
    void *unload;
} efi_loaded_image;
