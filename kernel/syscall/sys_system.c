/* The system-wide odds and ends a program asks of its kernel: personality, capabilities
 * (capget/capset), the host and domain names uname reports, reboot, and the file-range hints
 * sync_file_range and readahead. Linux's checks and answers for a root caller (kernel/sys.c,
 * kernel/capability.c, kernel/reboot.c, fs/sync.c, mm/readahead.c). */
#include "kernel.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "uts.h"
#include "file.h"
#include "vfs.h"
#include "uaccess.h"
#include "errno.h"
#include <string.h>

static struct process *proc(void) { return current_process(); }

/* arm64's personality: PER_LINUX32 needs 32-bit EL0, which we do not run; 0xffffffff only asks. */
SYSCALL(personality)
{
    uint32_t old = proc()->personality, want = (uint32_t)a0;
    if (want == 0xffffffff)
        return old;
    if ((want & 0xff) == PER_LINUX32)
        return -EINVAL;
    proc()->personality = want;
    return old;
}

/* --- capabilities: the v1 (32-bit) and v2/v3 (64-bit, two data structs) headers --- */
#define CAP_V1 0x19980330
#define CAP_V2 0x20071026
#define CAP_V3 0x20080522

struct cap_header { uint32_t version; int32_t pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

/* cap_validate_magic: how many data structs the version moves; an unknown version is EINVAL
 * with v3 written back, so a library can ask which version to use. */
static int64_t cap_words(uint64_t uheader, int *words)
{
    uint32_t version;
    if (copy_from_user(&version, uheader, sizeof(version)))
        return -EFAULT;
    switch (version) {
    case CAP_V1: *words = 1; return 0;
    case CAP_V2:
    case CAP_V3: *words = 2; return 0;
    default: {
        uint32_t v3 = CAP_V3;
        return copy_to_user(uheader, &v3, sizeof(v3)) ? -EFAULT : -EINVAL;
    }
    }
}

struct caps process_caps(const struct process *p)
{
    return p->caps;                    /* kept as Linux keeps them: set*uid and exec change them */
}

bool process_capable(const struct process *p, int cap)
{
    return process_caps(p).effective & (1ULL << cap);
}

void process_caps_at_exec(struct process *p)
{
    /* handle_privileged_root: a root uid gets every capability permitted, a root euid them
     * effective too; anyone else (no file capabilities here) none. */
    bool root = p->cred.uid == 0 || p->cred.euid == 0;
    p->caps.permitted = root ? CAP_FULL_SET : 0;
    p->caps.effective = p->cred.euid == 0 ? p->caps.permitted : 0;
    p->caps.securebits &= ~SECBIT_KEEP_CAPS;   /* cap_bprm_creds_from_file clears it */
}

SYSCALL(capget)
{
    int words;
    int64_t err = cap_words(a0, &words);
    if (!a1 || err)   /* no data: asking which version (0 even when it was not this one) */
        return !a1 && err == -EINVAL ? 0 : err;
    struct cap_header h;
    if (copy_from_user(&h, a0, sizeof(h)))
        return -EFAULT;
    if (h.pid < 0)
        return -EINVAL;
    struct process *p = h.pid && h.pid != proc()->pid ? process_find(h.pid) : proc();
    if (!p)
        return -ESRCH;   /* a zombie still answers, as its task does on Linux */
    struct caps c = process_caps(p);
    struct cap_data d[2];
    for (int i = 0; i < 2; i++)
        d[i] = (struct cap_data){ (uint32_t)(c.effective >> (32 * i)), (uint32_t)(c.permitted >> (32 * i)),
                                  (uint32_t)(c.inheritable >> (32 * i)) };
    return copy_to_user(a1, d, (size_t)words * sizeof(d[0])) ? -EFAULT : 0;
}

/* capset changes only the caller's sets: permitted may only shrink, effective stays inside the
 * new permitted set, inheritable inside the old inheritable plus permitted sets (root has
 * CAP_SETPCAP) and the bounding set (full). A v1 header sets the upper 32 bits to 0, as Linux. */
SYSCALL(capset)
{
    int words;
    int64_t err = cap_words(a0, &words);
    if (err)
        return err;
    struct cap_header h;
    if (copy_from_user(&h, a0, sizeof(h)))
        return -EFAULT;
    if (h.pid != 0 && h.pid != proc()->pid)
        return -EPERM;
    struct cap_data d[2] = { 0 };
    if (copy_from_user(d, a1, (size_t)words * sizeof(d[0])))
        return -EFAULT;
    struct caps old = process_caps(proc()), new = old;
    new.effective = d[0].effective | (uint64_t)d[1].effective << 32;
    new.permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
    new.inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
    new.effective &= CAP_FULL_SET;
    new.permitted &= CAP_FULL_SET;
    new.inheritable &= CAP_FULL_SET;
    bool setpcap = old.effective & (1ULL << 8);   /* CAP_SETPCAP */
    uint64_t inheritable_limit = old.inheritable | (setpcap ? old.permitted : 0);
    if ((new.permitted & ~old.permitted) || (new.effective & ~new.permitted) ||
        (new.inheritable & ~inheritable_limit))
        return -EPERM;
    proc()->caps = new;
    return 0;
}

/* --- the names uname reports: the caller's UTS namespace's (proc/uts_ns.c) --- */

static int64_t set_name(char *dst, uint64_t uname, int64_t len)
{
    char tmp[UTS_NAME_LEN];
    if (!process_capable(proc(), CAP_SYS_ADMIN))
        return -EPERM;
    if (len < 0 || len > UTS_NAME_LEN)
        return -EINVAL;
    if (copy_from_user(tmp, uname, (size_t)len))
        return -EFAULT;
    memcpy(dst, tmp, (size_t)len);
    memset(dst + len, 0, UTS_NAME_LEN + 1 - (size_t)len);
    return 0;
}

SYSCALL(sethostname) { return set_name(uts_hostname_buf(), a0, (int64_t)(int)a1); }
SYSCALL(setdomainname) { return set_name(uts_domainname_buf(), a0, (int64_t)(int)a1); }

/* --- reboot: the guest is a container's pid namespace, so Linux's reboot_pid_ns applies:
 * power-off and halt end pid 1 as killed by SIGINT, restart as killed by SIGHUP (exit status
 * 128 + signal, what a container's supervisor reports); other commands are EINVAL. --- */
#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_CMD_RESTART   0x01234567
#define REBOOT_CMD_HALT      0xcdef0123
#define REBOOT_CMD_POWER_OFF 0x4321fedc
#define REBOOT_CMD_RESTART2  0xa1b2c3d4

SYSCALL(reboot)
{
    uint32_t magic2 = (uint32_t)a1, cmd = (uint32_t)a2;
    if (!process_capable(proc(), CAP_SYS_BOOT))
        return -EPERM;
    if ((uint32_t)a0 != REBOOT_MAGIC1 ||
        (magic2 != 672274793 && magic2 != 85072278 && magic2 != 369367448 && magic2 != 537993216))
        return -EINVAL;
    switch (cmd) {
    case REBOOT_CMD_RESTART:
    case REBOOT_CMD_RESTART2:
        process_reboot(SIGHUP);
    case REBOOT_CMD_HALT:
    case REBOOT_CMD_POWER_OFF:
        process_reboot(SIGINT);
    default:
        return -EINVAL;
    }
}

/* --- file-range hints --- */
#define SYNC_FILE_RANGE_VALID 7   /* WAIT_BEFORE | WRITE | WAIT_AFTER */
#define SYNC_FILE_RANGE_WRITE 2

/* A file with pages behind it: a regular file of the tree (Linux's S_ISREG with a mapping). */
static bool has_pages(struct file *f)
{
    return f->kind == FILE_VNODE && f->vnode && vfs_type(f->vnode) == VNODE_FILE;
}

/* Everything is in memory or one write-back away: asking for the write starts the volume's
 * sync, as fsync does (more than Linux's range, never less). */
SYSCALL(sync_file_range)
{
    int64_t offset = (int64_t)a1, nbytes = (int64_t)a2;
    if ((uint32_t)a3 & ~SYNC_FILE_RANGE_VALID)
        return -EINVAL;
    if (offset < 0 || (int64_t)((uint64_t)offset + (uint64_t)nbytes) < 0 || offset + nbytes < offset)
        return -EINVAL;
    struct file *f = fd_get(proc(), (int)a0);
    if (!f)
        return -EBADF;
    bool tree = f->kind == FILE_VNODE && f->vnode;
    if (!tree && f->kind != FILE_MEMORY)
        return -ESPIPE;   /* pipes, sockets, devices: not a regular file, directory or link */
    if (tree && vfs_type(f->vnode) == VNODE_SOCKET)
        return -ESPIPE;
    if (((uint32_t)a3 & SYNC_FILE_RANGE_WRITE) && tree && vfs_type(f->vnode) == VNODE_FILE)
        return vfs_fsync(f->vnode);
    return 0;
}

/* POSIX_FADV_WILLNEED: a file's pages are its own memory or the page cache's next fill, so
 * there is nothing to start early; the checks are Linux's. */
SYSCALL(readahead)
{
    struct file *f = fd_get(proc(), (int)a0);
    if (!f || (f->flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (!has_pages(f))
        return -EINVAL;
    return 0;
}
