/* The block layer: a list of disks and byte-granular reads on top of their whole-block reads.
 * An unaligned head or tail goes through a one-block scratch buffer; the aligned middle is read
 * straight into the caller's buffer in chunks the driver accepts. */
#include "kernel.h"
#include "block.h"
#include "bootargs.h"
#include "selftest.h"
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

int block_write(struct block_device *bd, uint64_t offset, const void *buf, uint64_t len)
{
    uint64_t bs = bd->block_size;
    if (offset > bd->capacity || len > bd->capacity - offset || offset % bs || len % bs)
        return BLOCK_EINVAL;
    if (bd->read_only)
        return BLOCK_EIO;
    const uint8_t *in = buf;
    while (len) {
        uint64_t blocks = len / bs;
        if (blocks > bd->max_blocks)
            blocks = bd->max_blocks;
        int r = bd->ops->write_blocks(bd, offset / bs, blocks, in);
        if (r != BLOCK_OK)
            return r;
        in += blocks * bs;
        offset += blocks * bs;
        len -= blocks * bs;
    }
    return BLOCK_OK;
}

int block_flush(struct block_device *bd)
{
    return bd->ops->flush(bd);
}

struct block_device *block_device_nth(unsigned n)
{
    struct block_device *bd = disks;
    while (bd && n--)
        bd = bd->next;
    return bd;
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
        selftest_blk(bd);
}
