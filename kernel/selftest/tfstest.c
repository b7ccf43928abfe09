/* The tfstest self-test: kernel option tfstest="PATH[:PATH...]" in the image's manifest.
 * For each path (a leading '@' means: do not follow a final symlink) print its canonical path,
 * then a directory's entries (type, mode, size, name), a file's size and CRC-32, or a symlink's
 * target; or the lookup's errno. tests/test_tfs_kernel.py compares this with the host's view.
 * It reads the tree only through vfs.h, as a program's syscalls would. */
#include "kernel.h"
#include "selftest.h"
#include "vfs.h"
#include "mm.h"
#include "../fs/tfs.h"   /* TFS_SYMLINK_MAX, tfs_crc32: the image's own limits and checksum */
#include <string.h>

/* Bytes as console text: printable ASCII except backslash as is, anything else as \xNN. */
static const char *escape(char *out, size_t size, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < size; i++) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[o++] = c;
        else
            o += snprintf(out + o, size - o, "\\x%02x", c);
    }
    out[o] = 0;
    return out;
}

/* Six octal digits (the kernel's printf has no %o). */
static const char *octal6(char out[7], uint32_t v)
{
    for (int i = 5; i >= 0; i--, v >>= 3)
        out[i] = '0' + (v & 7);
    out[6] = 0;
    return out;
}

static void tfstest_file(struct vnode *v, const char *path)
{
    uint64_t chunk = 64 * 1024, off = 0;
    uint8_t *buf = kmalloc(chunk);
    uint32_t crc = 0;
    if (!buf)
        panic("tfstest: out of memory");
    for (;;) {
        int64_t n = vfs_read(v, off, buf, chunk);
        if (n < 0)
            panic("tfstest: read of %s failed: %ld", path, n);
        if (n == 0)
            break;
        crc = tfs_crc32(crc, buf, n);
        off += n;
    }
    kfree(buf);
    kprintf("tfstest: %s: file size %lu crc32 %08x\n", path, off, crc);
}

static void tfstest_dir(struct vnode *dir, const char *path)
{
    static struct vdirent e;
    static char name[4 * 256];
    uint64_t cookie = 0;
    while (vfs_readdir(dir, &cookie, &e) == 1) {
        struct vnode *child;
        struct vstat st;
        int err = vfs_lookup(dir, e.name, 0, &child);
        if (err || vfs_stat(child, &st))
            panic("tfstest: %s/%s listed but not found (%d)", path, e.name, err);
        if (st.ino != e.ino)
            panic("tfstest: %s/%s: readdir and lookup disagree on the inode", path, e.name);
        char mode[7];
        kprintf("tfstest: %s: %c %s %lu %u %s\n", path,
                e.type == VNODE_DIR ? 'd' : e.type == VNODE_FILE ? 'f' : 'l', octal6(mode, st.mode), st.size, st.nlink,
                escape(name, sizeof(name), e.name, strlen(e.name)));
    }
}

static void tfstest_one(const char *spec, size_t len)
{
    static char spec_path[VFS_PATH_MAX + 2], path[208], text[VFS_PATH_MAX], target[TFS_SYMLINK_MAX],
        canon[VFS_PATH_MAX];
    if (len >= sizeof(spec_path))
        len = sizeof(spec_path) - 1;
    memcpy(spec_path, spec, len);
    spec_path[len] = 0;
    /* The label: the path as given ('@' included), cut to 200 bytes + "..." to fit a line. */
    snprintf(path, sizeof(path), "%.200s%s", spec_path, len > 200 ? "..." : "");
    bool follow = spec_path[0] != '@';
    struct vnode *v;
    int err = vfs_lookup(NULL, spec_path + !follow, follow ? VFS_FOLLOW : 0, &v);
    if (err) {
        kprintf("tfstest: %s: error %d\n", path, -err);
        return;
    }
    int clen = vfs_path(v, canon, sizeof(canon));
    kprintf("tfstest: %s: at %s\n", path, clen < 0 ? "?" : escape(text, sizeof(text), canon, clen));
    struct vstat st;
    vfs_stat(v, &st);
    char mode[7];
    kprintf("tfstest: %s: ino %lu mode %s uid %u gid %u nlink %u blksize %u blocks %lu\n", path, st.ino,
            octal6(mode, st.mode), st.uid, st.gid, st.nlink, st.blksize, st.blocks);
    if (vfs_type(v) == VNODE_DIR) {
        tfstest_dir(v, path);
    } else if (vfs_type(v) == VNODE_FILE) {
        tfstest_file(v, path);
    } else {
        int64_t n = vfs_readlink(v, target, sizeof(target));
        kprintf("tfstest: %s: link %s\n", path, escape(text, sizeof(text), target, n));
    }
}

/* Runs after the mount, before any program: the kernel is single-threaded here, so the
 * buffers above can be static. */
void selftest_tfs(const char *spec)
{
    while (*spec) {
        const char *end = strchr(spec, ':');
        size_t len = end ? (size_t)(end - spec) : strlen(spec);
        tfstest_one(spec, len);
        spec += len + (end != NULL);
    }
    kprintf("tfstest: done\n");
}
