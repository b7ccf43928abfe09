/* The block layer: a list of disks and byte-granular reads on top of their whole-block reads.
 * An unaligned head or tail goes through a one-block scratch buffer; the aligned middle is read
 * straight into the caller's buffer in chunks the driver accepts. */
#include "kernel.h"
#include "block.h"
#include "bootargs.h"
#include "crc32.h"
#include "mm.h"
#include <string.h>

static struct block_device *disks, **disks_tail = &disks;

struct block_device *block_device_first(void) { return disks; }

/* Part of one block: read it whole, copy out what was asked for. */
static int read_partial(struct block_device *bd, uint64_t lba, uint32_t skip, uint8_t *buf, uint64_t len)
{
    uint8_t *scratch = kmalloc(bd->block_size);
    if (!scratch)
        panic("block: %s: out of memory for a %u-byte block", bd->name, bd->block_size);
    int r = bd->ops->read_blocks(bd, lba, 1, scratch);
    if (r == BLOCK_OK)
        memcpy(buf, scratch + skip, len);
    kfree(scratch);
    return r;
}

int block_read(struct block_device *bd, uint64_t offset, void *buf, uint64_t len)
{
    uint8_t *out = buf;
    if (offset > bd->capacity || len > bd->capacity - offset)
        return BLOCK_EINVAL;
    uint64_t bs = bd->block_size;
    while (len) {
        uint64_t lba = offset / bs, skip = offset % bs;
        uint64_t n;
        int r;
        if (skip || len < bs) {
            n = bs - skip < len ? bs - skip : len;
            r = read_partial(bd, lba, (uint32_t)skip, out, n);
        } else {
            uint64_t blocks = len / bs;
            if (blocks > bd->max_blocks)
                blocks = bd->max_blocks;
            n = blocks * bs;
            r = bd->ops->read_blocks(bd, lba, blocks, out);
        }
        if (r != BLOCK_OK)
            return r;
        out += n;
        offset += n;
        len -= n;
    }
    return BLOCK_OK;
}

static void checksum_range(struct block_device *bd, const char *what, uint64_t offset, uint64_t len)
{
    uint8_t *buf = len ? kmalloc(len) : NULL;
    if (len && !buf)
        panic("blktest: out of memory for %lu bytes", len);
    int r = block_read(bd, offset, buf, len);
    if (r != BLOCK_OK)
        panic("blktest: %s: reading %lu bytes at %lu failed (%d)", bd->name, len, offset, r);
    kprintf("blktest: %s %s offset %lu length %lu crc32 %08x\n", bd->name, what, offset, len, crc32(0, buf, len));
    kfree(buf);
}

/* The host's boot test (tests/test_boot_virtio_blk.py) compares these with zlib.crc32 over the
 * same ranges of the image: the first 4 KiB, the last 512 bytes, and a range that starts and
 * ends inside sectors. */
static void blktest(struct block_device *bd)
{
    uint64_t cap = bd->capacity;
    kprintf("blktest: %s capacity %lu block %u\n", bd->name, cap, bd->block_size);
    checksum_range(bd, "head", 0, cap < 4096 ? cap : 4096);
    checksum_range(bd, "tail", cap < 512 ? 0 : cap - 512, cap < 512 ? cap : 512);
    uint64_t off = cap > 777 ? 777 : 0, n = cap - off < 70000 ? cap - off : 70000;
    checksum_range(bd, "unaligned", off, n);
}

void block_register(struct block_device *bd)
{
    if (bd->block_size < 512 || (bd->block_size & (bd->block_size - 1)) || bd->capacity % bd->block_size ||
        bd->max_blocks == 0)
        panic("block: %s: driver registered impossible geometry (block %u, capacity %lu, max %lu blocks)",
              bd->name, bd->block_size, bd->capacity, bd->max_blocks);
    bool first = !disks;
    bd->next = NULL;
    *disks_tail = bd;
    disks_tail = &bd->next;
    if (first && bootargs.blktest)
        blktest(bd);
}
