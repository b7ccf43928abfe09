/* libFuzzer target for the kernel's TFS reader (kernel/fs/tfs.c, built for the host).
 *
 * The input is a whole image. tfs_open must either reject it with a recorded reason or return
 * a tree on which every operation the VFS uses (directory lookup, file reads including holes)
 * works; the sanitizers turn any fault, overflow or leak into a crash. */
#include "tfs.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mem_device {
    const uint8_t *data;
    size_t size;
};

static int mem_read(void *ctx, uint64_t offset, void *buf, uint64_t len)
{
    struct mem_device *d = ctx;
    if (offset > d->size || len > d->size - offset)
        abort();   /* tfs.c promised never to read past device_size */
    memcpy(buf, d->data + offset, len);
    return 0;
}

static void *mem_alloc(void *ctx, size_t size) { return malloc(size); }
static void mem_free(void *ctx, void *p) { free(p); }

/* Reads of at most this many bytes per file keep a sparse multi-GiB file from stalling a run. */
#define READ_LIMIT (256 * 1024)

static void exercise(struct tfs *fs)
{
    static uint8_t buf[READ_LIMIT];
    for (uint32_t i = 0; i < fs->node_count; i++) {
        struct tfs_node *n = &fs->nodes[i];
        if (n->kind == TFS_DIR) {
            for (uint32_t k = 0; k < n->entry_count; k++) {
                const struct tfs_dirent *d = &n->entries[k];
                if (tfs_dir_lookup(n, d->name, d->len) != d->node || d->node->parent != n)
                    abort();
            }
            if (tfs_dir_lookup(n, "", 0))   /* names are never empty */
                abort();
        } else if (n->kind == TFS_FILE) {
            uint64_t len = n->size < READ_LIMIT ? n->size : READ_LIMIT;
            if (tfs_file_read(fs, n, 0, buf, len) != (int64_t)len)
                abort();
            /* An unaligned read straddling the end must be clipped to the size. */
            if (n->size > 100) {
                int64_t got = tfs_file_read(fs, n, n->size - 100, buf, 4096);
                if (got != 100)
                    abort();
            }
            if (tfs_file_read(fs, n, n->size, buf, 1) != 0)
                abort();
        } else if (n->kind == TFS_SYMLINK) {
            if (strlen(n->target) != n->size)
                abort();
        } else {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mem_device dev = { data, size };
    struct tfs_io io = { mem_read, mem_alloc, mem_free, &dev, size };
    struct tfs *fs;
    struct tfs_error err;
    if (tfs_open(&io, &fs, &err) != TFS_OK) {
        if (err.status != TFS_CORRUPT || !err.what)
            abort();   /* memory never runs out here and reads never fail */
        return 0;
    }
    exercise(fs);
    tfs_close(fs);
    return 0;
}
