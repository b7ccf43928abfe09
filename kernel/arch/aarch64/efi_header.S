/* The PE/COFF header that makes the kernel Image an EFI application as well, the way Linux's
 * arch/arm64/kernel/efi-header.S does (PE/COFF spec; UEFI 2.10 section 2.1.1): the Image
 * header's code0 spells "MZ", its last word points here, and firmware that loads us as a PE
 * image enters at efi_pe_entry (efi_entry.S) instead of primary_entry. The numbers that
 * depend on the layout are the linker script's _pe_* symbols (differences from _head).
 * Two sections, code+rodata read-execute and data+bss read-write, so no page is both. */
#define IMAGE_FILE_MACHINE_ARM64        0xaa64
#define IMAGE_FILE_EXECUTABLE_IMAGE     0x0002
#define IMAGE_FILE_LINE_NUMS_STRIPPED   0x0004
#define IMAGE_FILE_DEBUG_STRIPPED       0x0200
#define PE_OPT_MAGIC_PE32PLUS           0x020b
#define IMAGE_SUBSYSTEM_EFI_APPLICATION 10
#define IMAGE_SCN_CNT_CODE              0x00000020
#define IMAGE_SCN_CNT_INITIALIZED_DATA  0x00000040
#define IMAGE_SCN_MEM_EXECUTE           0x20000000
#define IMAGE_SCN_MEM_READ              0x40000000
#define IMAGE_SCN_MEM_WRITE             0x80000000

    .section .head.pe, "a"
    .balign 8
    .global pe_header
pe_header:
    .ascii  "PE\0\0"
    .short  IMAGE_FILE_MACHINE_ARM64
    .short  2                               /* NumberOfSections */
    .long   0, 0, 0                         /* TimeDateStamp, PointerToSymbolTable, NumberOfSymbols */
    .short  section_table - optional_header /* SizeOfOptionalHeader */
    .short  IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_LINE_NUMS_STRIPPED | IMAGE_FILE_DEBUG_STRIPPED

optional_header:
    .short  PE_OPT_MAGIC_PE32PLUS
    .byte   0, 0                            /* linker version */
    .long   _pe_text_size                   /* SizeOfCode */
    .long   _pe_data_file_size              /* SizeOfInitializedData */
    .long   0                               /* SizeOfUninitializedData: .bss is in .data's VirtualSize */
    .long   _pe_entry                       /* AddressOfEntryPoint */
    .long   _pe_text_offset                 /* BaseOfCode */
    .quad   0                               /* ImageBase: no preference; nothing needs relocating */
    .long   0x1000                          /* SectionAlignment: the page the linker script aligns to */
    .long   0x200                           /* FileAlignment */
    .short  0, 0, 0, 0, 0, 0                /* OS, image and subsystem versions */
    .long   0                               /* Win32VersionValue */
    .long   _pe_image_size                  /* SizeOfImage, .bss included */
    .long   _pe_text_offset                 /* SizeOfHeaders: everything before .text */
    .long   0                               /* CheckSum */
    .short  IMAGE_SUBSYSTEM_EFI_APPLICATION
    .short  0                               /* DllCharacteristics */
    .quad   0, 0, 0, 0                      /* stack and heap reserve/commit: unused by UEFI */
    .long   0                               /* LoaderFlags */
    .long   (section_table - data_dirs) / 8 /* NumberOfRvaAndSizes */
data_dirs:
    .quad   0, 0, 0, 0, 0, 0                /* export, import, resource, exception, certificate,
                                             * base relocation: none (position-independent entry) */
section_table:
    .ascii  ".text\0\0\0"
    .long   _pe_text_size                   /* VirtualSize */
    .long   _pe_text_offset                 /* VirtualAddress */
    .long   _pe_text_size                   /* SizeOfRawData */
    .long   _pe_text_offset                 /* PointerToRawData */
    .long   0, 0                            /* relocations, line numbers */
    .short  0, 0
    .long   IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_EXECUTE

    .ascii  ".data\0\0\0"
    .long   _pe_data_mem_size               /* VirtualSize: .bss too, zeroed by the loader */
    .long   _pe_data_offset
    .long   _pe_data_file_size
    .long   _pe_data_offset
    .long   0, 0
    .short  0, 0
    .long   IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_WRITE
