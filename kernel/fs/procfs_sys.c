/* /proc/sys/kernel: the sysctls programs read to learn what the system is (kernel/sysctl.c,
 * kernel/utsname_sysctl.c), each the value uname or the process table has, and a newline.
 * /proc/version is here too: the line uname's fields make, as fs/proc/version.c prints it.
 * Read-only here: sethostname/setdomainname change the names, there is no sysctl to write.
 * /proc/sys/fs/aio-nr and aio-max-nr: native AIO's count and its (writable) limit. */
#include "kernel.h"
#include "kfile.h"
#include "file.h"
#include "mm.h"
#include "procfs.h"
#include "memfile.h"
#include "process.h"
#include "uts.h"
#include "errno.h"
#include "aio.h"
#include "linux_abi.h"
#include <string.h>

static struct file *line_file(const char *value, int flags)
{
    char t[UTS_NAME_LEN + 2];
    int n = snprintf(t, sizeof(t), "%s\n", value);
    return memfile_open(t, (size_t)n, 0444, flags);
}

static struct file *ostype_open(const char *path, int flags) { return line_file(UTS_SYSNAME, flags); }
static struct file *osrelease_open(const char *path, int flags) { return line_file(UTS_RELEASE, flags); }
static struct file *version_open(const char *path, int flags) { return line_file(UTS_VERSION(KERNEL_VERSION), flags); }
static struct file *hostname_open(const char *path, int flags) { return line_file(uts_hostname(), flags); }
static struct file *domainname_open(const char *path, int flags) { return line_file(uts_domainname(), flags); }

static struct file *pid_max_open(const char *path, int flags)
{
    char t[16];
    snprintf(t, sizeof(t), "%d", PID_MAX);
    return line_file(t, flags);
}

/* "Linux version RELEASE (BUILDER) (COMPILER) VERSION": what tools (and bug reports) read. */
static struct file *proc_version_open(const char *path, int flags)
{
    char t[192];
    int n = snprintf(t, sizeof(t), "%s version %s (unibuild@unibuild) (gcc version " __VERSION__ ") %s\n",
                     UTS_SYSNAME, UTS_RELEASE, UTS_VERSION(KERNEL_VERSION));
    return memfile_open(t, (size_t)n, 0444, flags);
}

/* /proc/sys/fs/aio-nr (0444) and aio-max-nr (0644): unsigned longs as proc_doulongvec_minmax
 * serves them. sysctl_perm gives root the owner's bits (so aio-nr is EACCES to write even for
 * root) and everyone else the others'. A write is one decimal number (spaces around it allowed;
 * none, a sign or anything else is EINVAL); io_setup checks against the new limit from then on. */
struct sysctl_ulong {
    uint64_t *value;
    bool writable;
};

static int64_t ulong_read(struct file *f, void *kbuf, uint64_t len, uint64_t offset, bool use_offset)
{
    const struct sysctl_ulong *s = f->priv;
    char t[24];
    uint64_t n = (uint64_t)snprintf(t, sizeof(t), "%lu\n", *s->value), at = use_offset ? offset : f->offset;
    if (at >= n)
        return 0;
    uint64_t k = n - at < len ? n - at : len;
    memcpy(kbuf, t + at, k);
    if (!use_offset)
        f->offset += k;
    return (int64_t)k;
}

static bool space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

static int64_t ulong_write(struct file *f, const void *kbuf, uint64_t len)
{
    const struct sysctl_ulong *s = f->priv;
    const char *c = kbuf, *end = c + len;
    while (c < end && space(*c))
        c++;
    if (c == end)
        return -EINVAL;                /* no number: __do_proc_doulongvec_minmax's `first` */
    uint64_t v = 0;
    const char *digits = c;
    for (; c < end && *c >= '0' && *c <= '9'; c++) {
        if (v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
            return -EINVAL;
        v = v * 10 + (uint64_t)(*c - '0');
    }
    if (c == digits)
        return -EINVAL;
    while (c < end && space(*c))
        c++;
    if (c != end)
        return -EINVAL;
    *s->value = v;
    return (int64_t)len;
}

static int ulong_stat(struct file *f, struct linux_stat *st)
{
    const struct sysctl_ulong *s = f->priv;
    memset(st, 0, sizeof(*st));
    st->st_dev = 6;
    st->st_ino = (uint64_t)(uintptr_t)s->value >> 4;
    st->st_mode = S_IFREG | (s->writable ? 0644 : 0444);
    st->st_nlink = 1;
    st->st_blksize = 1024;             /* procfs's */
    return 0;
}

static const struct file_ops sysctl_ulong_ops = {
    .kind = FILE_MEMORY, .read = ulong_read, .write = ulong_write, .stat = ulong_stat, .seekable = true,
};

static const struct sysctl_ulong aio_nr_sysctl = { &aio_nr, false }, aio_max_nr_sysctl = { &aio_max_nr, true };

static struct file *sysctl_open(const struct sysctl_ulong *s, int flags)
{
    if ((flags & O_ACCMODE) != O_RDONLY && (!s->writable || current_process()->cred.euid != 0))
        return kfile_fail(-EACCES);
    return file_alloc(&sysctl_ulong_ops, (void *)s, flags);
}

static struct file *aio_nr_open(const char *path, int flags) { return sysctl_open(&aio_nr_sysctl, flags); }
static struct file *aio_max_nr_open(const char *path, int flags) { return sysctl_open(&aio_max_nr_sysctl, flags); }

void procfs_sys_init(void)
{
    kfile_register("/proc/version", proc_version_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/ostype", ostype_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/osrelease", osrelease_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/version", version_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/hostname", hostname_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/domainname", domainname_open, S_IFREG | 0444);
    kfile_register("/proc/sys/kernel/pid_max", pid_max_open, S_IFREG | 0444);
    kfile_register("/proc/sys/fs/aio-nr", aio_nr_open, S_IFREG | 0444);
    kfile_register("/proc/sys/fs/aio-max-nr", aio_max_nr_open, S_IFREG | 0644);
}
