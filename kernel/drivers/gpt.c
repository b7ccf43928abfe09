/* The GUID Partition Table (UEFI 2.10 chapter 5): the primary header at LBA 1 and its entry
 * array, both checked by their CRC-32s, then the first entry whose type GUID is TFS's. The
 * partition becomes a block device of its own (offset reads and writes on the disk's), so the
 * file system code never knows it is on a partition. The backup header is not read: the
 * primary one failing its CRC is already a damaged disk, and the host wrote both. */
#include "kernel.h"
#include "gpt.h"
#include "crc32.h"
#include "mm.h"
#include <string.h>

/* 9eb4bd13-a264-4ee9-9978-8b08f2b88534 (unibuild/disk/gpt.py, docs/tfs.md), in the on-disk
 * byte order: the first three fields little-endian. */
static const uint8_t tfs_partition_type[16] = {
    0x13, 0xbd, 0xb4, 0x9e, 0x64, 0xa2, 0xe9, 0x4e, 0x99, 0x78, 0x8b, 0x08, 0xf2, 0xb8, 0x85, 0x34,
};

struct gpt_header {
    char signature[8];          /* "EFI PART" */
    uint32_t revision, header_size, header_crc32, reserved;
    uint64_t my_lba, alternate_lba, first_usable_lba, last_usable_lba;
    uint8_t disk_guid[16];
    uint64_t entries_lba;
    uint32_t entry_count, entry_size, entries_crc32;
} __attribute__((packed));

struct gpt_entry {
    uint8_t type_guid[16], unique_guid[16];
    uint64_t first_lba, last_lba, attributes;
    uint16_t name[36];
} __attribute__((packed));

struct partition {
    struct block_device *disk;
    uint64_t first_block;       /* in the disk's logical blocks */
};

static int part_read(struct block_device *bd, uint64_t lba, uint64_t count, void *buf)
{
    struct partition *p = bd->driver_data;
    return p->disk->ops->read_blocks(p->disk, p->first_block + lba, count, buf);
}

static int part_write(struct block_device *bd, uint64_t lba, uint64_t count, const void *buf)
{
    struct partition *p = bd->driver_data;
    return p->disk->ops->write_blocks(p->disk, p->first_block + lba, count, buf);
}

static int part_flush(struct block_device *bd)
{
    struct partition *p = bd->driver_data;
    return p->disk->ops->flush(p->disk);
}

static const struct block_ops partition_ops = { part_read, part_write, part_flush };

static struct block_device *partition_device(struct block_device *disk, uint64_t first, uint64_t last,
                                             unsigned index)
{
    struct partition *p = kmalloc(sizeof(*p));
    struct block_device *bd = kmalloc(sizeof(*bd));
    if (!p || !bd)
        panic("gpt: out of memory for %s's partition", disk->name);
    p->disk = disk;
    p->first_block = first;
    memset(bd, 0, sizeof(*bd));
    snprintf(bd->name, sizeof(bd->name), "%.4s%u", disk->name, index);
    bd->capacity = (last - first + 1) * disk->block_size;
    bd->block_size = disk->block_size;
    bd->max_blocks = disk->max_blocks;
    bd->read_only = disk->read_only;
    bd->ops = &partition_ops;
    bd->driver_data = p;
    return bd;
}

struct block_device *gpt_tfs_partition(struct block_device *disk)
{
    if (!disk)
        return NULL;
    uint32_t bs = disk->block_size;
    struct gpt_header h;
    if (disk->capacity < 2 * (uint64_t)bs || block_read(disk, bs, &h, sizeof(h)))
        return disk;
    if (memcmp(h.signature, "EFI PART", 8))
        return disk;                          /* no GPT: the disk is the image */
    uint32_t want = h.header_crc32;
    if (h.header_size < sizeof(h) || h.header_size > bs)
        panic("gpt: %s: GPT header size %u is not valid", disk->name, h.header_size);
    uint8_t *raw = kmalloc(bs);
    if (!raw || block_read(disk, bs, raw, bs))
        panic("gpt: %s: cannot read the GPT header", disk->name);
    memset(raw + 16, 0, 4);                   /* the CRC is over the header with its field zeroed */
    if (crc32(0, raw, h.header_size) != want)
        panic("gpt: %s: the GPT header's CRC-32 does not match (a damaged disk)", disk->name);
    kfree(raw);
    if (h.entry_size < sizeof(struct gpt_entry) || h.entry_size > 4096 || h.entry_count > 4096)
        panic("gpt: %s: GPT entry array (%u entries of %u bytes) is not valid", disk->name,
              h.entry_count, h.entry_size);
    uint64_t bytes = (uint64_t)h.entry_count * h.entry_size;
    uint8_t *entries = kmalloc(bytes);
    if (!entries)
        panic("gpt: out of memory for %s's partition entries", disk->name);
    if (h.entries_lba > disk->capacity / bs || block_read(disk, h.entries_lba * bs, entries, bytes))
        panic("gpt: %s: the GPT partition entries lie outside the disk", disk->name);
    if (crc32(0, entries, bytes) != h.entries_crc32)
        panic("gpt: %s: the GPT partition entries' CRC-32 does not match (a damaged disk)", disk->name);
    for (uint32_t i = 0; i < h.entry_count; i++) {
        struct gpt_entry e;
        memcpy(&e, entries + (uint64_t)i * h.entry_size, sizeof(e));
        if (memcmp(e.type_guid, tfs_partition_type, 16))
            continue;
        if (e.last_lba < e.first_lba || (e.last_lba + 1) * bs > disk->capacity)
            panic("gpt: %s: TFS partition %u lies outside the disk", disk->name, i + 1);
        kfree(entries);
        return partition_device(disk, e.first_lba, e.last_lba, i + 1);
    }
    panic("gpt: %s is a GPT disk without a TFS partition (type 9eb4bd13-a264-4ee9-9978-8b08f2b88534)",
          disk->name);
}
