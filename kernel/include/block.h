/* Block devices: what a file system needs from a disk. A driver registers a block_device with a
 * read_blocks operation in whole logical blocks; block_read turns any byte range into those.
 * Reads are synchronous for the caller. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct block_device;

struct block_ops {
    /* Read `count` logical blocks starting at block `lba` into buf (any kernel address). The
     * range is inside the device (the block layer checked). 0 on success, BLOCK_EIO on error. */
    int (*read_blocks)(struct block_device *bd, uint64_t lba, uint64_t count, void *buf);
    /* Write `count` blocks at `lba` from buf; done once the device completed it (not durable
     * before flush). */
    int (*write_blocks)(struct block_device *bd, uint64_t lba, uint64_t count, const void *buf);
    /* Every completed write is on stable storage when this returns 0. */
    int (*flush)(struct block_device *bd);
};

struct block_device {
    char name[8];                /* "vda" */
    uint64_t capacity;           /* bytes; a multiple of block_size */
    uint32_t block_size;         /* logical block size in bytes, a power of two >= 512 */
    uint64_t max_blocks;         /* most blocks one read_blocks call takes (>= 1) */
    bool read_only;              /* the device refuses writes (QEMU readonly=on) */
    const struct block_ops *ops;
    void *driver_data;
    struct block_device *next;
};

#define BLOCK_OK      0
#define BLOCK_EIO    -5          /* the device reported an error */
#define BLOCK_EINVAL -22         /* the range is outside the device */

/* Make a device findable; with the `blktest` kernel argument the first one registered is read
 * and checksummed for the host's boot test. */
void block_register(struct block_device *bd);
/* The first device registered (the disk QEMU lists first), or NULL. */
struct block_device *block_device_first(void);
/* Read len bytes at any byte offset into buf. 0 on success, BLOCK_EINVAL if [offset, offset+len)
 * is not inside the device, BLOCK_EIO if the device failed. */
int block_read(struct block_device *bd, uint64_t offset, void *buf, uint64_t len);
/* Write len bytes at offset; both must be multiples of the device's block size. */
int block_write(struct block_device *bd, uint64_t offset, const void *buf, uint64_t len);
/* Make every completed write durable (virtio-blk FLUSH). */
int block_flush(struct block_device *bd);
/* The n-th device registered (0 = the first), or NULL. */
struct block_device *block_device_nth(unsigned n);
