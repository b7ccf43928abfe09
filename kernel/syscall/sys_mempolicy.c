/* NUMA memory policies on a machine of one node: set_mempolicy, get_mempolicy, mbind,
 * set_mempolicy_home_node, migrate_pages and move_pages with Linux 6.1's checks, in its order
 * (mm/mempolicy.c, mm/migrate.c), and its answers for a single node (nr_node_ids 1,
 * MAX_NUMNODES 16 as Debian arm64's CONFIG_NODES_SHIFT=4). Every page is on node 0, so no page
 * ever needs moving: the policies are recorded (mempolicy.h) and reported. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "uaccess.h"
#include "mempolicy.h"
#include "vm.h"
#include "uvm.h"
#include "mm.h"
#include "errno.h"

#define MPOL_DEFAULT        0
#define MPOL_PREFERRED      1
#define MPOL_BIND           2
#define MPOL_INTERLEAVE     3
#define MPOL_LOCAL          4
#define MPOL_PREFERRED_MANY 5
#define MPOL_MAX            6

#define MPOL_F_NUMA_BALANCING (1 << 13)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#define MPOL_F_STATIC_NODES   (1 << 15)
#define MPOL_MODE_FLAGS (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING)

/* get_mempolicy's flags */
#define MPOL_F_NODE         1
#define MPOL_F_ADDR         2
#define MPOL_F_MEMS_ALLOWED 4

/* mbind's flags */
#define MPOL_MF_STRICT   1
#define MPOL_MF_MOVE     2
#define MPOL_MF_MOVE_ALL 4
#define MPOL_MF_VALID    (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)

#define MAX_NUMNODES  16
#define NR_NODE_IDS   1
#define ONLINE_NODES  1u               /* node 0 */
#define BITS_PER_LONG 64

typedef uint64_t nodemask;             /* MAX_NUMNODES bits */

/* sanitize_mpol_flags: the mode flags come off the mode. */
static int64_t split_mode(uint64_t arg, int *mode, int *flags)
{
    int m = (int)arg;
    *flags = m & MPOL_MODE_FLAGS;
    *mode = m & ~MPOL_MODE_FLAGS;
    if ((unsigned)*mode >= MPOL_MAX)
        return -EINVAL;
    if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
        return -EINVAL;
    if ((*flags & MPOL_F_NUMA_BALANCING) && *mode != MPOL_BIND)
        return -EINVAL;
    return 0;
}

/* get_bitmap: `bits` bits from user words at uaddr, the rest of the last word cleared. */
static int64_t read_bits(uint64_t *out, uint64_t uaddr, uint64_t bits)
{
    uint64_t words = (bits + BITS_PER_LONG - 1) / BITS_PER_LONG;
    if (copy_from_user(out, uaddr, words * sizeof(uint64_t)))
        return -EFAULT;
    if (bits % BITS_PER_LONG)
        out[words - 1] &= (1ULL << (bits % BITS_PER_LONG)) - 1;
    return 0;
}

/* get_nodes: a node mask of maxnode - 1 bits from user space; bits past MAX_NUMNODES must be
 * clear (checked a word at a time from the top, as Linux does). */
static int64_t get_nodes(nodemask *nodes, uint64_t umask, uint64_t maxnode)
{
    maxnode--;
    *nodes = 0;
    if (maxnode == 0 || !umask)
        return 0;
    if (maxnode > PAGE_SIZE * 8)
        return -EINVAL;
    while (maxnode > MAX_NUMNODES) {
        uint64_t bits = maxnode < BITS_PER_LONG ? maxnode : BITS_PER_LONG, t;
        if (read_bits(&t, umask + (maxnode - 1) / BITS_PER_LONG * sizeof(uint64_t), bits))
            return -EFAULT;
        if (maxnode - bits >= MAX_NUMNODES) {
            maxnode -= bits;
        } else {
            maxnode = MAX_NUMNODES;
            t &= ~((1ULL << (MAX_NUMNODES % BITS_PER_LONG)) - 1);
        }
        if (t)
            return -EINVAL;
    }
    return read_bits(nodes, umask, maxnode);
}

/* copy_nodes_to_user: maxnode - 1 bits, the words past nr_node_ids' cleared. */
static int64_t put_nodes(uint64_t umask, uint64_t maxnode, nodemask nodes)
{
    uint64_t copy = ((maxnode - 1 + 63) & ~63ULL) / 8, nbytes = sizeof(uint64_t);
    if (copy > nbytes) {
        if (copy > PAGE_SIZE)
            return -EINVAL;
        static const uint8_t zeros[PAGE_SIZE];
        if (copy_to_user(umask + nbytes, zeros, copy - nbytes))
            return -EFAULT;
        copy = nbytes;
    }
    return copy_to_user(umask, &nodes, copy) ? -EFAULT : 0;
}

/* mpol_new + mpol_set_nodemask: the policy a mode and mask make, or -EINVAL. */
static int64_t make_policy(int mode, int flags, nodemask nodes, struct mempolicy *out)
{
    *out = (struct mempolicy){ 0 };
    bool static_or_relative = flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES);
    if (mode == MPOL_DEFAULT)
        return nodes ? -EINVAL : 0;
    if (mode == MPOL_PREFERRED && !nodes) {
        if (static_or_relative)
            return -EINVAL;
        mode = MPOL_LOCAL;             /* preferred with no node: local allocation */
    } else if (mode == MPOL_LOCAL) {
        if (nodes || static_or_relative)
            return -EINVAL;
    } else if (!nodes) {
        return -EINVAL;
    }
    out->mode = (uint16_t)mode;
    out->flags = (uint16_t)flags;
    if (mode == MPOL_LOCAL)
        return 0;
    /* The nodes it may use: relative ones fold onto the online nodes (any node given maps to
     * node 0), others are the ones given that are online. */
    nodemask usable = flags & MPOL_F_RELATIVE_NODES ? (nodes ? ONLINE_NODES : 0) : nodes & ONLINE_NODES;
    if (!usable)
        return -EINVAL;
    out->nodes = (uint16_t)(mode == MPOL_PREFERRED ? usable & -usable : usable);   /* preferred: the first */
    if (static_or_relative)
        out->user_nodes = (uint16_t)nodes;
    return 0;
}

SYSCALL(set_mempolicy)
{
    int mode, flags;
    nodemask nodes;
    int64_t err = split_mode(a0, &mode, &flags);
    if (!err)
        err = get_nodes(&nodes, a1, a2);
    struct mempolicy policy;
    if (!err)
        err = make_policy(mode, flags, nodes, &policy);
    if (!err)
        current_thread()->mempolicy = policy;
    return err;
}

/* get_policy_nodemask (or the mask given, for STATIC/RELATIVE) */
static nodemask reported_nodes(const struct mempolicy *p)
{
    if (p->flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
        return p->user_nodes;
    return p->mode == MPOL_DEFAULT || p->mode == MPOL_LOCAL ? 0 : p->nodes;
}

/* do_get_mempolicy: the mode (or node) and mask to report. */
static int64_t get_policy(int *value, nodemask *nodes, uint64_t addr, uint64_t flags)
{
    if (flags & ~(uint64_t)(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED))
        return -EINVAL;
    if (flags & MPOL_F_MEMS_ALLOWED) {
        if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
            return -EINVAL;
        *value = 0;
        *nodes = ONLINE_NODES;
        return 0;
    }
    struct thread *me = current_thread();
    const struct mempolicy *pol = &me->mempolicy;
    struct vm *vm = me->proc->vm;
    if (flags & MPOL_F_ADDR) {
        struct vma *v = vm_find(vm, addr);
        if (!v)
            return -EFAULT;
        pol = &v->policy;              /* a range without one is MPOL_DEFAULT, not the thread's */
    } else if (addr) {
        return -EINVAL;
    }
    if (flags & MPOL_F_NODE) {
        if (flags & MPOL_F_ADDR) {
            if (!vm_user_page(vm, addr, ACCESS_READ))   /* lookup_node faults the page in */
                return -EFAULT;
            *value = 0;
        } else if (pol == &me->mempolicy && pol->mode == MPOL_INTERLEAVE) {
            *value = 0;                /* the next interleave node: the only one */
        } else {
            return -EINVAL;
        }
    } else {
        *value = pol->mode | pol->flags;
    }
    *nodes = reported_nodes(pol);
    return 0;
}

SYSCALL(get_mempolicy)
{
    uint64_t upolicy = a0, umask = a1, maxnode = a2, addr = user_untag(a3), flags = a4;
    if (umask && maxnode < NR_NODE_IDS)
        return -EINVAL;
    int value;
    nodemask nodes;
    int64_t err = get_policy(&value, &nodes, addr, flags);
    if (err)
        return err;
    if (upolicy && copy_to_user(upolicy, &value, sizeof(value)))
        return -EFAULT;
    return umask ? put_nodes(umask, maxnode, nodes) : 0;
}

/* queue_pages_range's hole rules: a policy needs [start, end) mapped without holes; the
 * default one (DISCONTIG_OK) only needs some VMA in it. */
static int64_t check_range(struct vm *vm, uint64_t start, uint64_t end, bool holes_ok)
{
    bool any = false;
    uint64_t at = start;
    for (struct vma *v = vm->vmas; v && v->start < end; v = v->next) {
        if (v->end <= start)
            continue;
        if (v->start > at && !holes_ok)
            return -EFAULT;
        any = true;
        at = v->end;
    }
    if (!any || (at < end && !holes_ok))
        return -EFAULT;
    return 0;
}

SYSCALL(mbind)
{
    uint64_t start = user_untag(a0), len = a1, maxnode = a4, flags = a5;
    int mode, mode_flags;
    nodemask nodes;
    int64_t err = split_mode(a2, &mode, &mode_flags);
    if (!err)
        err = get_nodes(&nodes, a3, maxnode);
    if (err)
        return err;
    if (flags & ~(uint64_t)MPOL_MF_VALID)
        return -EINVAL;
    if ((flags & MPOL_MF_MOVE_ALL) && !process_capable(current_process(), CAP_SYS_NICE))
        return -EPERM;
    if (start & (PAGE_SIZE - 1))
        return -EINVAL;
    len = (len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    uint64_t end = start + len;
    if (end < start)
        return -EINVAL;
    if (end == start)
        return 0;
    struct mempolicy policy;
    err = make_policy(mode, mode_flags, nodes, &policy);
    if (err)
        return err;
    struct vm *vm = current_process()->vm;
    err = check_range(vm, start, end, mode == MPOL_DEFAULT);
    if (err)
        return err;
    /* MPOL_MF_STRICT's -EIO is for pages off the policy's nodes, and MOVE's work moving them:
     * every page is on node 0, which every policy made here allows. */
    for (struct vma *v = vm->vmas; v && v->start < end; v = v->next) {
        if (v->end <= start)
            continue;
        uint64_t s = v->start > start ? v->start : start, e = v->end < end ? v->end : end;
        err = vm_set_policy(vm, s, e, &policy);
        if (err)
            return err;
        v = vm_find(vm, s);            /* the list changed: go on from the piece just set */
    }
    return 0;
}

SYSCALL(set_mempolicy_home_node)
{
    uint64_t start = user_untag(a0), len = a1, home = a2, flags = a3;
    if (start & (PAGE_SIZE - 1))
        return -EINVAL;
    if (flags)
        return -EINVAL;
    if (home >= MAX_NUMNODES || !(ONLINE_NODES & (1u << home)))
        return -EINVAL;
    len = (len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    uint64_t end = start + len;
    if (end < start)
        return -EINVAL;
    if (end == start)
        return 0;
    struct vm *vm = current_process()->vm;
    int64_t err = -ENOENT;             /* no VMA in the range has a policy */
    for (struct vma *v = vm->vmas; v && v->start < end; v = v->next) {
        if (v->end <= start || v->policy.mode == MPOL_DEFAULT)
            continue;
        if (v->policy.mode != MPOL_BIND && v->policy.mode != MPOL_PREFERRED_MANY)
            return -EOPNOTSUPP;        /* the ones set before stay set, as Linux leaves them */
        struct mempolicy p = v->policy;
        p.has_home = true;
        uint64_t s = v->start > start ? v->start : start, e = v->end < end ? v->end : end;
        err = vm_set_policy(vm, s, e, &p);
        if (err)
            return err;
        v = vm_find(vm, s);
    }
    return err;
}

/* find_mm_struct's target: the caller for pid 0, else the process of any thread id; whether
 * it may be looked into is ptrace's real-credential check (process_may_inspect). */
static struct process *target(int pid)
{
    return pid ? process_of_task(pid) : current_process();
}

static bool may_inspect(const struct process *t) { return process_may_inspect(current_process(), t); }

SYSCALL(migrate_pages)
{
    int pid = (int)a0;
    uint64_t maxnode = a1;
    nodemask old, new;
    int64_t err = get_nodes(&old, a2, maxnode);
    if (!err)
        err = get_nodes(&new, a3, maxnode);
    if (err)
        return err;
    struct process *t = target(pid);
    if (!t)
        return -ESRCH;
    if (!may_inspect(t))
        return -EPERM;
    if ((new & ~(nodemask)ONLINE_NODES) && !process_capable(current_process(), CAP_SYS_NICE))
        return -EPERM;
    if (!(new & ONLINE_NODES) || !t->vm)
        return -EINVAL;
    return 0;                          /* the pages that could not be moved: none (all on node 0) */
}

/* move_pages' status for one page: the node it is on, or why there is none (do_pages_stat,
 * add_page_for_migration: follow_page with FOLL_DUMP): -EFAULT outside any VMA and for an
 * anonymous page never touched (Linux 4.3+), -ENOENT for a file page not mapped yet. */
static int page_status(struct vm *vm, uint64_t addr)
{
    struct vma *v = vm_find(vm, addr);
    if (!v)
        return -EFAULT;
    if (uvm_lookup(vm->root, addr & ~(uint64_t)(PAGE_SIZE - 1), NULL))
        return 0;
    return v->file || v->shared_anon ? -ENOENT : -EFAULT;
}

SYSCALL(move_pages)
{
    int pid = (int)a0;
    uint64_t count = a1, upages = a2, unodes = a3, ustatus = a4;
    int flags = (int)a5;
    if (flags & ~(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
        return -EINVAL;
    if ((flags & MPOL_MF_MOVE_ALL) && !process_capable(current_process(), CAP_SYS_NICE))
        return -EPERM;
    struct process *t = target(pid);
    if (!t)
        return -ESRCH;
    if (!may_inspect(t))
        return -EPERM;
    if (!t->vm)
        return -EINVAL;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t page;
        if (copy_from_user(&page, upages + i * sizeof(page), sizeof(page)))
            return -EFAULT;
        if (unodes) {
            int node;
            if (copy_from_user(&node, unodes + i * sizeof(node), sizeof(node)))
                return -EFAULT;
            if (node < 0 || node >= MAX_NUMNODES || !(ONLINE_NODES & (1u << node)))
                return -ENODEV;
        }
        int status = page_status(t->vm, user_untag(page));   /* already on the node asked for */
        if (copy_to_user(ustatus + i * sizeof(status), &status, sizeof(status)))
            return -EFAULT;
    }
    return 0;
}
