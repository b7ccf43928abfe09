/* tmpfs's side of the mount table (fs/mount.c): its options as shmem_parse_one takes them
 * and shmem_show_options shows them, and the space its tree holds (statfs). */
#include "kernel.h"
#include "errno.h"
#include "mm.h"
#include "mount.h"
#include "mount_internal.h"
#include "vfs.h"
#include "vnode.h"
#include "volume.h"
#include "process.h"
#include "linux_uapi.h"
#include <string.h>

/* memparse: a number with an optional k/m/g/t/p/e suffix (binary units); *end past it. */
static bool parse_size(const char *s, size_t len, uint64_t *out, bool *percent)
{
    uint64_t n = 0;
    size_t i = 0;
    if (!len)
        return false;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        n = n * 10 + (uint64_t)(s[i] - '0');
    if (i == 0)
        return false;
    *percent = false;
    if (i < len) {
        const char *units = "kmgtpe";
        const char *u = NULL;
        for (const char *c = units; *c; c++)
            if (s[i] == *c || s[i] == *c - 32)
                u = c;
        if (u)
            n <<= 10 * (u - units + 1);
        else if (s[i] == '%' && percent)
            *percent = true;
        else
            return false;
        i++;
    }
    if (i != len)
        return false;
    *out = n;
    return true;
}

static bool parse_uint(const char *s, size_t len, int base, uint64_t *out)
{
    uint64_t n = 0;
    if (!len)
        return false;
    for (size_t i = 0; i < len; i++) {
        int digit = s[i] - '0';
        if (digit < 0 || digit >= base)
            return false;
        n = n * (uint64_t)base + (uint64_t)digit;
        if (n > 0xffffffffu)
            return false;
    }
    *out = n;
    return true;
}

/* The options a tmpfs takes (shmem_parse_one), comma-separated; the generic sb flags ("ro",
 * "rw", ...) as vfs_parse_sb_flag takes them. Unknown ones, bad values: EINVAL. */
int mnt_parse_options(struct superblock *sb, const char *data, bool remount)
{
    uint64_t ram = page_total_count();
    for (const char *p = data; p && *p;) {
        const char *key = p, *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        p = comma ? comma + 1 : p + len;
        if (!len)
            continue;
        const char *eq = memchr(key, '=', len);
        size_t klen = eq ? (size_t)(eq - key) : len;
        const char *val = eq ? eq + 1 : NULL;
        size_t vlen = eq ? len - klen - 1 : 0;
        uint64_t n;
        bool pct;
#define IS(word) (klen == sizeof(word) - 1 && !memcmp(key, word, klen))
        if (IS("ro") && !val) {
            sb->read_only = true;
        } else if (IS("rw") && !val) {
            sb->read_only = false;
        } else if (IS("size") && val && sb->tmpfs) {
            if (!parse_size(val, vlen, &n, &pct))
                return -EINVAL;
            sb->max_blocks = pct ? ram * n / 100 : (n + PAGE_SIZE - 1) / PAGE_SIZE;
            sb->sized = true;
        } else if (IS("nr_blocks") && val && sb->tmpfs) {
            if (!parse_size(val, vlen, &n, &pct) || pct)
                return -EINVAL;
            sb->max_blocks = n;
            sb->sized = true;
        } else if (IS("nr_inodes") && val && sb->tmpfs) {
            if (!parse_size(val, vlen, &n, &pct) || pct)
                return -EINVAL;
            sb->max_inodes = n;
            sb->inodes_set = true;
        } else if (IS("mode") && val) {
            if (!parse_uint(val, vlen, 8, &n))
                return -EINVAL;
            if (!remount)
                sb->mode = (uint32_t)n & 07777;
        } else if (IS("uid") && val) {
            if (!parse_uint(val, vlen, 10, &n))
                return -EINVAL;
            if (!remount)
                sb->uid = (uint32_t)n;
        } else if (IS("gid") && val) {
            if (!parse_uint(val, vlen, 10, &n))
                return -EINVAL;
            if (!remount)
                sb->gid = (uint32_t)n;
        } else {
            return -EINVAL;            /* "tmpfs: Unknown parameter" */
        }
#undef IS
    }
    return 0;
}

/* shmem_show_options: what differs from the defaults. */
size_t mnt_sb_options(char *buf, size_t size, const struct superblock *sb)
{
    size_t n = 0;
    buf[0] = 0;
    if (!sb || !sb->tmpfs)
        return sb && !strcmp(sb->type, "ramfs") && sb->mode != 0755 ?
               (size_t)snprintf(buf, size, ",mode=%03o", sb->mode) : 0;
    if (sb->max_blocks != page_total_count() / 2)
        n += (size_t)snprintf(buf + n, size - n, ",size=%luk", sb->max_blocks << (PAGE_SHIFT - 10));
    if (n < size && sb->max_inodes != page_total_count() / 2)
        n += (size_t)snprintf(buf + n, size - n, ",nr_inodes=%lu", sb->max_inodes);
    if (n < size && sb->mode != 01777)
        n += (size_t)snprintf(buf + n, size - n, ",mode=%03o", sb->mode);
    if (n < size && sb->uid)
        n += (size_t)snprintf(buf + n, size - n, ",uid=%u", sb->uid);
    if (n < size && sb->gid)
        n += (size_t)snprintf(buf + n, size - n, ",gid=%u", sb->gid);
    return n < size ? n : size;
}

uint64_t mnt_pages_in(const struct vnode *v, uint64_t *inodes, int depth)
{
    uint64_t n = v->type == VNODE_FILE && v->in_memory ? v->pages_used : 0;
    (*inodes)++;
    if (v->type == VNODE_DIR && depth < 64)
        for (struct dentry *d = v->entries; d; d = d->next)
            n += d->v->parent == v || d->v->type != VNODE_DIR ? mnt_pages_in(d->v, inodes, depth + 1) : 0;
    return n;
}
