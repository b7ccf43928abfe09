/* tfs_dump IMAGE: the kernel's TFS reader (kernel/fs/tfs.c) run on the host. Prints the boot
 * manifest and every node (files with their CRC-32), or the reader's complaint and exit status 1. tests/unit/test_tfs_kernel.py
 * compares this against unibuild's Python reader on valid and corrupted images. */
#include "tfs.h"
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int file_read(void *ctx, uint64_t offset, void *buf, uint64_t len)
{
    int fd = *(int *)ctx;
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(fd, p, len, offset);
        if (n <= 0)
            return -1;
        p += n;
        len -= n;
        offset += n;
    }
    return 0;
}

/* Files larger than this get no checksum: a corrupted size field may claim terabytes of holes. */
#define CRC_LIMIT (16u << 20)

static void *mem_alloc(void *ctx, size_t size) { return malloc(size); }
static void mem_free(void *ctx, void *p) { free(p); }

/* Bytes as text: printable ASCII except backslash as is, everything else as \xNN. */
static void show(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            putchar(c);
        else
            printf("\\x%02x", c);
    }
}

static void print_path(const struct tfs_node *n)
{
    if (n->parent == n)
        return;
    print_path(n->parent);
    putchar('/');
    show(n->name, n->name_len);
}

static const char *kind_name(enum tfs_kind k)
{
    return k == TFS_FILE ? "file" : k == TFS_DIR ? "dir" : "symlink";
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: tfs_dump IMAGE\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        perror(argv[1]);
        return 2;
    }
    struct tfs_io io = { file_read, mem_alloc, mem_free, &fd, (uint64_t)st.st_size };
    struct tfs *fs;
    struct tfs_error err;
    if (tfs_open(&io, &fs, &err) != TFS_OK) {
        printf("tfs: corrupt image: %s at offset 0x%" PRIx64 "\n", err.what, err.offset);
        return 1;
    }
    printf("block_size %u\n", fs->block_size);
    if (fs->writable)
        printf("commit %" PRIu64 " end 0x%" PRIx64 " generation %" PRIu64 "\n", fs->last_seq, fs->log_end,
               fs->generation);
    printf("program ");
    if (fs->boot.program)
        show(fs->boot.program, strlen(fs->boot.program));
    else
        putchar('-');                  /* a volume: no boot manifest */
    putchar('\n');
    for (uint32_t i = 0; i < fs->boot.argc; i++) {
        printf("argv ");
        show(fs->boot.argv[i], strlen(fs->boot.argv[i]));
        putchar('\n');
    }
    for (uint32_t i = 0; i < fs->boot.envc; i++) {
        printf("env ");
        show(fs->boot.envp[i], strlen(fs->boot.envp[i]));
        putchar('\n');
    }
    for (uint32_t i = 0; i < fs->boot.kopt_count; i++) {
        const struct tfs_kopt *o = &fs->boot.kopts[i];
        printf("kernel ");
        show(o->key, strlen(o->key));
        if (o->is_int)
            printf(" %" PRId64 "\n", o->ival);
        else {
            printf(" '");
            show(o->sval, strlen(o->sval));
            printf("'\n");
        }
    }
    static uint8_t buf[1 << 16];
    for (uint32_t i = 0; i < fs->node_count; i++) {
        const struct tfs_node *n = &fs->nodes[i];
        printf("node ");
        if (n == fs->root)
            putchar('/');
        print_path(n);
        printf(" %s %u %04o %u %u %" PRId64 " %" PRIu64 " %u %" PRIu64, kind_name(n->kind), n->id, n->mode,
               n->uid, n->gid, n->mtime_ns, n->size, n->nlink, n->blocks512);
        if (n->kind == TFS_FILE && n->size > CRC_LIMIT) {
            printf(" crc -");
        } else if (n->kind == TFS_FILE) {
            uint32_t crc = 0;
            for (uint64_t off = 0; off < n->size;) {
                int64_t got = tfs_file_read(fs, n, off, buf, sizeof(buf));
                if (got <= 0) {
                    printf("\nread error\n");
                    return 3;
                }
                crc = tfs_crc32(crc, buf, got);
                off += got;
            }
            printf(" crc %08x", crc);
        } else if (n->kind == TFS_SYMLINK) {
            printf(" -> ");
            show(n->target, n->size);
        }
        putchar('\n');
    }
    tfs_close(fs);
    return 0;
}
