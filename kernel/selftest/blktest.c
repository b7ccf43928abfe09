/* The blktest self-test (kernel argument `blktest`): the first disk registered is read through
 * the block layer's byte-granular reads and checksummed; the host's boot test
 * (tests/test_boot_virtio_blk.py) compares the lines with zlib.crc32 over the same ranges of the
 * image. The disk is raw then: main.c does not mount it. */
#include "kernel.h"
#include "selftest.h"
#include "block.h"
#include "crc32.h"
#include "mm.h"

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

/* Three ranges of the disk: the first 4 KiB, the last 512 bytes, and a range that starts and
 * ends inside sectors. */
void selftest_blk(struct block_device *bd)
{
    uint64_t cap = bd->capacity;
    kprintf("blktest: %s capacity %lu block %u\n", bd->name, cap, bd->block_size);
    checksum_range(bd, "head", 0, cap < 4096 ? cap : 4096);
    checksum_range(bd, "tail", cap < 512 ? 0 : cap - 512, cap < 512 ? cap : 512);
    uint64_t off = cap > 777 ? 777 : 0, n = cap - off < 70000 ? cap - off : 70000;
    checksum_range(bd, "unaligned", off, n);
}
