/* Who the process is: its ids and credentials, groups, umask, and the name and flags prctl sets.
 * Every process starts as root; its ids and supplementary groups are its own (set*id,
 * setgroups), inherited across fork and kept across execve as on Linux. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "seccomp.h"
#include "uaccess.h"
#include "errno.h"
#include "mm.h"
#include "perm.h"
#include <string.h>

SYSCALL(getpid) { return current_process()->pid; }
SYSCALL(getppid) { struct process *p = current_process(); return p->parent ? p->parent->pid : 0; }
static struct creds *cred(void) { return &current_process()->cred; }

SYSCALL(getuid) { return cred()->uid; }
SYSCALL(geteuid) { return cred()->euid; }
SYSCALL(getgid) { return cred()->gid; }
SYSCALL(getegid) { return cred()->egid; }

SYSCALL(umask)
{
    uint32_t old = current_process()->umask;
    current_process()->umask = a0 & 0777;
    return old;
}

SYSCALL(getresuid)
{
    struct creds *c = cred();
    if (copy_to_user(a0, &c->uid, 4) || copy_to_user(a1, &c->euid, 4) || copy_to_user(a2, &c->suid, 4))
        return -EFAULT;
    return 0;
}

SYSCALL(getresgid)
{
    struct creds *c = cred();
    if (copy_to_user(a0, &c->gid, 4) || copy_to_user(a1, &c->egid, 4) || copy_to_user(a2, &c->sgid, 4))
        return -EFAULT;
    return 0;
}

/* Linux's rules for the set*id calls (kernel/sys.c): with an effective id of root (CAP_SETUID)
 * anything goes; otherwise a new id must be one of the real, effective or saved ids. -1 leaves
 * an id as it is. File access is checked against the file-system ids these leave (fs/perm.c). */
static bool may_become(const uint32_t ids[3], uint32_t id, bool privileged)
{
    return privileged || id == ids[0] || id == ids[1] || id == ids[2];
}

static int64_t set_res(uint32_t *ids, uint32_t r, uint32_t e, uint32_t s, bool privileged)
{
    const uint32_t keep = (uint32_t)-1;
    uint32_t old[3] = { ids[0], ids[1], ids[2] };
    if ((r != keep && !may_become(old, r, privileged)) || (e != keep && !may_become(old, e, privileged)) ||
        (s != keep && !may_become(old, s, privileged)))
        return -EPERM;
    if (r != keep) ids[0] = r;
    if (e != keep) ids[1] = e;
    if (s != keep) ids[2] = s;
    return 0;
}

/* Linux asks the capability (ns_capable), not the uid: a process that kept its caps through
 * PR_SET_KEEPCAPS and raised them with capset may change ids as a non-root user. */
static bool capable_now(int cap) { return process_capable(current_process(), cap); }

static int64_t change_setresuid(uint64_t a0, uint64_t a1, uint64_t a2)
{
    uint32_t ids[3] = { cred()->uid, cred()->euid, cred()->suid };
    int64_t err = set_res(ids, (uint32_t)a0, (uint32_t)a1, (uint32_t)a2, capable_now(CAP_SETUID));
    if (!err) {
        cred()->uid = ids[0];
        cred()->euid = ids[1];
        cred()->suid = ids[2];
    }
    return err;
}

static int64_t change_setresgid(uint64_t a0, uint64_t a1, uint64_t a2)
{
    uint32_t ids[3] = { cred()->gid, cred()->egid, cred()->sgid };
    int64_t err = set_res(ids, (uint32_t)a0, (uint32_t)a1, (uint32_t)a2, capable_now(CAP_SETGID));
    if (!err) {
        cred()->gid = ids[0];
        cred()->egid = ids[1];
        cred()->sgid = ids[2];
    }
    return err;
}

/* setuid: root sets all three; anyone else only the effective id, to its real or saved one. */
static int64_t change_setuid(uint64_t a0, uint64_t a1, uint64_t a2)
{
    uint32_t id = (uint32_t)a0;
    struct creds *c = cred();
    if (id == (uint32_t)-1)
        return -EINVAL;
    if (capable_now(CAP_SETUID)) {
        c->uid = c->euid = c->suid = id;
        return 0;
    }
    if (id != c->uid && id != c->suid)
        return -EPERM;
    c->euid = id;
    return 0;
}

static int64_t change_setgid(uint64_t a0, uint64_t a1, uint64_t a2)
{
    uint32_t id = (uint32_t)a0;
    struct creds *c = cred();
    if (id == (uint32_t)-1)
        return -EINVAL;
    if (capable_now(CAP_SETGID)) {
        c->gid = c->egid = c->sgid = id;
        return 0;
    }
    if (id != c->gid && id != c->sgid)
        return -EPERM;
    c->egid = id;
    return 0;
}

/* setreuid/setregid: the saved id follows the effective one when the real one is set or the
 * effective one becomes something other than the old real id. */
static int64_t change_setreuid(uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct creds *c = cred();
    uint32_t r = (uint32_t)a0, e = (uint32_t)a1, old_uid = c->uid;
    uint32_t ids[3] = { c->uid, c->euid, c->suid };
    if (!capable_now(CAP_SETUID) && ((r != (uint32_t)-1 && r != c->uid && r != c->euid) ||
                         (e != (uint32_t)-1 && e != c->uid && e != c->euid && e != c->suid)))
        return -EPERM;
    if (r != (uint32_t)-1) ids[0] = r;
    if (e != (uint32_t)-1) ids[1] = e;
    if (r != (uint32_t)-1 || (e != (uint32_t)-1 && e != old_uid))
        ids[2] = ids[1];
    c->uid = ids[0];
    c->euid = ids[1];
    c->suid = ids[2];
    return 0;
}

static int64_t change_setregid(uint64_t a0, uint64_t a1, uint64_t a2)
{
    struct creds *c = cred();
    uint32_t r = (uint32_t)a0, e = (uint32_t)a1, old_gid = c->gid;
    uint32_t ids[3] = { c->gid, c->egid, c->sgid };
    if (!capable_now(CAP_SETGID) && ((r != (uint32_t)-1 && r != c->gid && r != c->egid) ||
                         (e != (uint32_t)-1 && e != c->gid && e != c->egid && e != c->sgid)))
        return -EPERM;
    if (r != (uint32_t)-1) ids[0] = r;
    if (e != (uint32_t)-1) ids[1] = e;
    if (r != (uint32_t)-1 || (e != (uint32_t)-1 && e != old_gid))
        ids[2] = ids[1];
    c->gid = ids[0];
    c->egid = ids[1];
    c->sgid = ids[2];
    return 0;
}

/* Linux's commit_creds: the file-system ids follow the effective ones, and a process whose
 * effective or file-system ids changed is no longer dumpable (fs.suid_dumpable is 0). */
static int64_t committed(const struct creds *old, int64_t err)
{
    struct creds *c = cred();
    if (err)
        return err;
    c->fsuid = c->euid;
    c->fsgid = c->egid;
    if (c->euid != old->euid || c->egid != old->egid || c->fsuid != old->fsuid || c->fsgid != old->fsgid)
        current_process()->dumpable = 0;
    /* cap_emulate_setxuid: every uid leaving 0 drops the permitted set (unless SECBIT_KEEP_CAPS),
     * the effective uid leaving 0 the effective set, and coming back to 0 raises it again. */
    struct caps *caps = &current_process()->caps;
    bool was_root = !old->uid || !old->euid || !old->suid, root = !c->uid || !c->euid || !c->suid;
    if (was_root && !root && !(caps->securebits & SECBIT_KEEP_CAPS))
        caps->permitted = caps->effective = 0;
    if (!old->euid && c->euid)
        caps->effective = 0;
    if (old->euid && !c->euid)
        caps->effective = caps->permitted;
    return 0;
}
SYSCALL(setresuid) { struct creds old = *cred(); return committed(&old, change_setresuid(a0, a1, a2)); }
SYSCALL(setresgid) { struct creds old = *cred(); return committed(&old, change_setresgid(a0, a1, a2)); }
SYSCALL(setuid) { struct creds old = *cred(); return committed(&old, change_setuid(a0, a1, a2)); }
SYSCALL(setgid) { struct creds old = *cred(); return committed(&old, change_setgid(a0, a1, a2)); }
SYSCALL(setreuid) { struct creds old = *cred(); return committed(&old, change_setreuid(a0, a1, a2)); }
SYSCALL(setregid) { struct creds old = *cred(); return committed(&old, change_setregid(a0, a1, a2)); }

/* setfsuid/setfsgid: the old value back, always; the new one only if it is one of the real,
 * effective, saved or current file-system ids, or with CAP_SETUID/CAP_SETGID (root here). */
SYSCALL(setfsuid)
{
    struct creds *c = cred();
    uint32_t old = c->fsuid, id = (uint32_t)a0;
    if (id != (uint32_t)-1 && (capable_now(CAP_SETUID) || id == c->uid || id == c->euid || id == c->suid || id == c->fsuid)) {
        if (id != old)
            current_process()->dumpable = 0;
        c->fsuid = id;
        /* cap_task_fix_setuid (LSM_SETID_FS): a fsuid leaving 0 drops the file-system
         * capabilities from the effective set, one coming back to 0 raises the permitted ones */
        struct caps *caps = &current_process()->caps;
        if (!old && id)
            caps->effective &= ~CAP_FS_SET;
        if (old && !id)
            caps->effective |= caps->permitted & CAP_FS_SET;
    }
    return old;
}

SYSCALL(setfsgid)
{
    struct creds *c = cred();
    uint32_t old = c->fsgid, id = (uint32_t)a0;
    if (id != (uint32_t)-1 && (capable_now(CAP_SETGID) || id == c->gid || id == c->egid || id == c->sgid || id == c->fsgid)) {
        if (id != old)
            current_process()->dumpable = 0;
        c->fsgid = id;
    }
    return old;
}

SYSCALL(getgroups)
{
    struct process *p = current_process();
    int size = (int)a0;
    if (size < 0)
        return -EINVAL;
    if (size == 0)
        return p->ngroups;
    if (size < p->ngroups)
        return -EINVAL;
    return copy_to_user(a1, p->groups, p->ngroups * sizeof(uint32_t)) ? -EFAULT : p->ngroups;
}

/* Linux keeps the list sorted (groups_sort, for its binary search), so getgroups and
 * /proc/<pid>/status give them in ascending order; duplicates stay. */
static void sort_groups(uint32_t *g, int n)
{
    /* Shell sort (gaps 3k+1): up to NGROUPS_MAX entries without a quadratic worst case. */
    int gap = 1;
    while (gap < n / 3)
        gap = gap * 3 + 1;
    for (; gap > 0; gap /= 3)
        for (int i = gap; i < n; i++) {
            uint32_t v = g[i];
            int j = i;
            for (; j >= gap && g[j - gap] > v; j -= gap)
                g[j] = g[j - gap];
            g[j] = v;
        }
}

/* Linux's order of checks: the capability first, then the size, then the copy. */
SYSCALL(setgroups)
{
    int64_t n = (int64_t)(int32_t)a0;
    if (!capable_now(CAP_SETGID))
        return -EPERM;
    if ((uint64_t)n > NGROUPS_MAX)
        return -EINVAL;
    uint32_t *g = NULL;
    if (n) {
        g = kmalloc(n * sizeof(uint32_t));
        if (!g)
            return -ENOMEM;
        if (copy_from_user(g, a1, n * sizeof(uint32_t))) {
            kfree(g);
            return -EFAULT;
        }
        sort_groups(g, (int)n);
    }
    struct process *p = current_process();
    kfree(p->groups);
    p->groups = g;
    p->ngroups = (int)n;
    return 0;
}

SYSCALL(prctl)
{
    switch ((int)a0) {
    case PR_SET_NAME: {
        char name[16];
        int64_t n = strncpy_from_user(name, a1, sizeof(name));
        if (n == -EFAULT)
            return -EFAULT;
        name[15] = 0;   /* longer names are truncated, as on Linux */
        memcpy(current_thread()->comm, name, sizeof(name));
        return 0;
    }
    case PR_GET_NAME:
        return copy_to_user(a1, current_thread()->comm, sizeof(current_thread()->comm)) ? -EFAULT : 0;
    case PR_SET_DUMPABLE:
        if (a1 > 1)
            return -EINVAL;
        current_process()->dumpable = (int)a1;
        return 0;
    case PR_GET_DUMPABLE:
        return current_process()->dumpable;
    case PR_SET_NO_NEW_PRIVS:
        if (a1 != 1 || a2 || a3 || a4)
            return -EINVAL;
        current_process()->no_new_privs = true;
        return 0;
    case PR_GET_NO_NEW_PRIVS:
        if (a1 || a2 || a3 || a4)
            return -EINVAL;
        return current_process()->no_new_privs;
    case PR_SET_PDEATHSIG:
        if (a1 > 64)
            return -EINVAL;
        current_process()->pdeathsig = (int)a1;
        return 0;
    case PR_GET_PDEATHSIG:
        return copy_to_user(a1, &current_process()->pdeathsig, sizeof(int)) ? -EFAULT : 0;
    case PR_SET_TAGGED_ADDR_CTRL:
        /* Only the enable bit: the MTE fields need MTE, which no CPU here offers to us. */
        if (a2 || a3 || a4 || (a1 & ~(uint64_t)PR_TAGGED_ADDR_ENABLE))
            return -EINVAL;
        current_thread()->tagged_addr = a1 & PR_TAGGED_ADDR_ENABLE;
        return 0;
    case PR_GET_TAGGED_ADDR_CTRL:
        if (a1 || a2 || a3 || a4)
            return -EINVAL;
        return current_thread()->tagged_addr ? PR_TAGGED_ADDR_ENABLE : 0;
    case PR_SET_CHILD_SUBREAPER:
        current_process()->child_subreaper = a1 != 0;
        return 0;
    case PR_GET_CHILD_SUBREAPER: {
        int on = current_process()->child_subreaper;
        return copy_to_user(a1, &on, sizeof(on)) ? -EFAULT : 0;
    }
    case PR_CAPBSET_READ:   /* the bounding set is full: every capability Linux knows */
        return a1 <= CAP_LAST_CAP ? 1 : -EINVAL;
    case PR_GET_SECCOMP:
        return current_thread()->seccomp_mode;
    case PR_SET_SECCOMP:
        return seccomp_prctl_set(a1, a2);
    case PR_GET_SECUREBITS:
        return current_process()->caps.securebits;
    case PR_GET_KEEPCAPS:
        return !!(current_process()->caps.securebits & SECBIT_KEEP_CAPS);
    case PR_SET_KEEPCAPS:   /* cap_task_prctl: 0 or 1, the other arguments unread */
        if (a1 > 1)
            return -EINVAL;
        if (a1)
            current_process()->caps.securebits |= SECBIT_KEEP_CAPS;
        else
            current_process()->caps.securebits &= ~SECBIT_KEEP_CAPS;
        return 0;
    case PR_SET_TIMERSLACK: /* kept per thread; 0 is back to the default (50 us) */
        current_thread()->timer_slack_ns = a1 ? a1 : TIMER_SLACK_DEFAULT_NS;
        return 0;
    case PR_GET_TIMERSLACK:
        return (int64_t)current_thread()->timer_slack_ns;
    case PR_SET_THP_DISABLE:
        if (a2 || a3 || a4)
            return -EINVAL;
        current_process()->thp_disable = a1 != 0;
        return 0;
    case PR_GET_THP_DISABLE:
        if (a1 || a2 || a3 || a4)
            return -EINVAL;
        return current_process()->thp_disable;
    default:
        return -EINVAL;
    }
}
