/* execve and execveat: a new program in the calling process, as Linux's do_execveat_common.
 * The arguments are copied out of the old address space first; a `#!` script names its
 * interpreter (which may itself be a script, up to Linux's depth); the ELF loader builds the new
 * address space aside, so a program that cannot be loaded leaves the caller as it was. Past that
 * point the other threads end, the old address space goes, close-on-exec descriptors close,
 * handled signals return to their default action, and a vfork parent goes on. */
#include "posix_timer.h"
#include "kernel.h"
#include "perm.h"
#include "rseq.h"
#include "linux_uapi.h"
#include "linux_abi.h"
#include "syscall.h"
#include "syscall_path.h"
#include "process.h"
#include "sysv_ipc.h"
#include "rlimit_mem.h"
#include "thread.h"
#include "signal.h"
#include "signal_arch.h"
#include "context.h"
#include "exec.h"
#include "file.h"
#include "vfs.h"
#include "vm.h"
#include "uvm.h"
#include "mm.h"
#include "uaccess.h"
#include "trap.h"
#include "sched.h"
#include "wait.h"
#include "errno.h"
#include <string.h>

#define MAX_ARG_STRLEN  (32 * 4096)       /* Linux's, per string (E2BIG past it) */
#define ARG_MAX_TOTAL   (6UL << 20)       /* the most Linux's room ever is (rlimit_exec_arg_space) */
#define MAX_ARGS        (ARG_MAX_TOTAL / 8)
#define SCRIPT_DEPTH    5                 /* Linux's bprm->interp recursion limit */
#define BINPRM_BUF      256               /* how much of a `#!` line Linux reads */
#define AT_EMPTY_PATH   0x1000

struct strings {
    char **s;
    int n, cap;
    uint64_t bytes;
};

static void strings_free(struct strings *v)
{
    for (int i = 0; i < v->n; i++)
        kfree(v->s[i]);
    kfree(v->s);
    *v = (struct strings){ 0 };
}

/* Add a copy of s at position `at` (0: the front, v->n: the end). */
static int strings_insert(struct strings *v, int at, const char *s, size_t len)
{
    if (v->n + 1 > (int)MAX_ARGS || v->bytes + len + 1 + 8 > ARG_MAX_TOTAL)
        return -E2BIG;
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 16;
        char **grown = kmalloc(sizeof(char *) * (size_t)cap);
        if (!grown)
            return -ENOMEM;
        if (v->n)
            memcpy(grown, v->s, sizeof(char *) * (size_t)v->n);
        kfree(v->s);
        v->s = grown;
        v->cap = cap;
    }
    char *copy = kmalloc(len + 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, s, len);
    copy[len] = 0;
    memmove(v->s + at + 1, v->s + at, sizeof(char *) * (size_t)(v->n - at));
    v->s[at] = copy;
    v->n++;
    v->bytes += len + 1 + 8;
    return 0;
}

/* A NULL-terminated array of user strings (NULL itself: none). */
static int copy_strings(uint64_t uarray, struct strings *v, char *scratch)
{
    for (uint64_t i = 0; uarray; i++) {
        uint64_t ptr;
        if (copy_from_user(&ptr, uarray + i * 8, 8))
            return -EFAULT;
        if (!ptr)
            return 0;
        int64_t n = strncpy_from_user(scratch, ptr, MAX_ARG_STRLEN);
        if (n == -ENAMETOOLONG)
            return -E2BIG;             /* longer than MAX_ARG_STRLEN */
        if (n < 0)
            return (int)n;
        if (n >= MAX_ARG_STRLEN)
            return -E2BIG;
        int err = strings_insert(v, v->n, scratch, (size_t)n);
        if (err)
            return err;
    }
    return 0;
}

/* Linux's prepare_arg_pages and copy_strings: the pointers, then the strings (the file name
 * with them), must fit in the room RLIMIT_STACK gives, and the strings' pages in the new stack,
 * which may not grow past RLIMIT_STACK while they are copied (E2BIG). Each string's bytes counts
 * its pointer too (strings_insert). */
static int within_arg_space(const struct strings *argv, const struct strings *envp, const char *filename)
{
    uint64_t room = rlimit_exec_arg_space(), pointers = (uint64_t)(argv->n + envp->n) * 8;
    uint64_t bytes = argv->bytes + envp->bytes + strlen(filename) + 1;
    if (pointers >= room || bytes > room)
        return -E2BIG;
    if (ALIGN_UP(bytes - pointers + sizeof(void *), PAGE_SIZE) > rlimit_stack_max())
        return -E2BIG;
    return 0;
}

/* May this vnode be executed? Linux's do_open_execat: a regular file the caller may execute
 * (root too needs some x bit: generic_permission), then deny_write_access: not one open for
 * writing (ETXTBSY). */
static int executable(struct vnode *v)
{
    if (vfs_type(v) != VNODE_FILE)
        return -EACCES;
    int err = perm_check(v, MAY_EXEC);
    if (err)
        return err;
    return vfs_open_for_write(v) ? -ETXTBSY : 0;
}

/* A `#!` line: the interpreter and its one optional argument, as Linux's load_script splits
 * it (whitespace around both trimmed; the rest of the line is the argument). 1: a script,
 * 0: not one, or an error. */
static int parse_script(struct vnode *v, char *interp, char **arg)
{
    char buf[BINPRM_BUF + 1];
    int64_t n = vfs_read(v, 0, buf, BINPRM_BUF);
    if (n < 2 || buf[0] != '#' || buf[1] != '!')
        return 0;
    buf[n] = 0;
    char *end = memchr(buf, '\n', (size_t)n);
    if (!end) {
        /* Linux: a line longer than its buffer is fine only if the interpreter fits whole. */
        end = buf + n;
    }
    *end = 0;
    char *p = buf + 2;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return -ENOEXEC;
    char *name = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (!*p && end == buf + n && n == BINPRM_BUF)
        return -ENOEXEC;               /* the interpreter's name may be cut short */
    size_t len = (size_t)(p - name);
    if (*p)
        *p++ = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    char *a = p;
    char *last = a + strlen(a);
    while (last > a && (last[-1] == ' ' || last[-1] == '\t'))
        *--last = 0;
    memcpy(interp, name, len + 1);
    *arg = *a ? a : NULL;
    return 1;
}

static bool others_gone(void *arg) { return ((struct process *)arg)->live_threads == 1; }

/* Linux's de_thread: every other thread leaves (as at exit_group: they see exec_thread at their
 * next wait or return to user space), and the caller takes the process's id as its tid. */
static void end_other_threads(struct process *p, struct thread *t)
{
    if (p->live_threads == 1)
        return;
    p->exec_thread = t;
    for (struct thread *o = p->threads; o; o = o->next)
        if (o != t && o->state != THREAD_DEAD)
            sched_interrupt(o);
    while (p->live_threads > 1)
        wait_until(others_gone, p, WAIT_FOREVER);
    p->exec_thread = NULL;
    t->tid = p->pid;
}

/* The point of no return is passed: the caller becomes the new program. */
static void become(struct process *p, struct vm *old, const struct user_entry *entry)
{
    struct thread *t = current_thread();
    struct vm *fresh = p->vm;
    p->vm = old;                       /* the leaving threads' last writes (clear_child_tid) go there */
    end_other_threads(p, t);
    p->vm = fresh;
    sched_user_space_changed();
    process_vfork_release(p);          /* a vfork parent no longer shares `old` with us */
    process_note_maxrss(p, old);       /* Linux's setmax_mm_hiwater_rss at exec */
    shm_vm_gone(p, old);
    vm_put(old);
    fd_close_on_exec(p);
    posix_timers_delete_all(p);        /* Linux's exit_itimers; setitimer's timers stay */
    for (int i = 0; i < NSIG; i++) {   /* Linux's flush_signal_handlers */
        struct kernel_sigaction *a = &p->sig.action[i];
        if (a->handler != SIG_IGN)
            a->handler = SIG_DFL;
        a->flags = 0;
        a->mask = 0;
        a->restorer = 0;
    }
    t->sig.altstack = (struct altstack){ 0 };
    t->clear_child_tid = 0;
    t->robust_list = t->robust_list_len = 0;
    t->tagged_addr = false;
    rseq_exec(t);                      /* the registration named the old address space */
    t->vma_hint = NULL;
    p->membarrier = 0;                 /* registrations belonged to the old address space */
    process_caps_at_exec(p);
    p->did_exec = true;
    /* Linux's setup_new_exec: dumpable again unless the ids differ (a set-id program). */
    p->dumpable = p->cred.euid == p->cred.uid && p->cred.egid == p->cred.gid;
    /* The registers a program starts with: all zero but pc and sp (x0 is this call's 0). */
    struct trap_frame *f = t->frame;
    memset(f, 0, sizeof(*f));
    f->elr = entry->pc;
    f->sp_el0 = entry->sp;
    f->spsr = 0;
    write_sysreg(tpidr_el0, 0);
    memset(&t->ctx.fpsimd, 0, sizeof(t->ctx.fpsimd));
    fpsimd_load(&t->ctx.fpsimd);
    signal_forget_syscall();           /* nothing to restart: the old program is gone */
}

static int64_t do_execve(int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp, int flags)
{
    struct process *p = current_process();
    int err;
    char *path = user_path(upath, &err);
    if (!path)
        return err;
    /* Linux's order: the name (ENOENT for "" without AT_EMPTY_PATH), the flags, the file's
     * own checks, then the strings (E2BIG, EFAULT), then the format (#! and ELF). */
    if (!path[0] && !(flags & AT_EMPTY_PATH)) {
        kfree(path);
        return -ENOENT;
    }
    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
        kfree(path);
        return -EINVAL;
    }
    char *scratch = kmalloc(MAX_ARG_STRLEN);
    char *interp = kmalloc(BINPRM_BUF + 1);
    char *filename = kmalloc(strlen(path) + 24);
    struct strings argv = { 0 }, envp = { 0 };
    struct vnode *v = NULL;
    if (!scratch || !interp || !filename) {
        err = -ENOMEM;
        goto out;
    }
    if (!path[0]) {
        struct file *f = fd_get(p, dirfd);
        if (!f) {
            err = -EBADF;
            goto out;
        }
        if (f->kind != FILE_VNODE) {
            err = -EACCES;
            goto out;
        }
        v = f->vnode;
    } else if ((err = lookup_at(dirfd, path, flags & AT_SYMLINK_NOFOLLOW ? 0 : VFS_FOLLOW, &v))) {
        goto out;
    }
    if (vfs_type(v) == VNODE_SYMLINK) {
        err = -ELOOP;
        goto out;
    }
    if ((err = executable(v)))
        goto out;
    if ((err = copy_strings(uargv, &argv, scratch)) || (err = copy_strings(uenvp, &envp, scratch)))
        goto out;
    if (!argv.n && (err = strings_insert(&argv, 0, "", 0)))   /* Linux 5.18: argv[0] is "" */
        goto out;
    /* The name the new program sees (AT_EXECFN, a script's argument): a name relative to a
     * descriptor is made up as Linux's bprm->fdpath; a script behind a close-on-exec one could
     * not be opened by its interpreter (ENOENT, Linux's BINPRM_FLAGS_PATH_INACCESSIBLE). */
    bool fd_relative = dirfd != AT_FDCWD && path[0] != '/';
    if (!fd_relative)
        memcpy(filename, path, strlen(path) + 1);
    else if (!path[0])
        snprintf(filename, strlen(path) + 24, "/dev/fd/%d", dirfd);
    else
        snprintf(filename, strlen(path) + 24, "/dev/fd/%d/%s", dirfd, path);
    bool inaccessible = fd_relative && fd_get(p, dirfd) && dirfd < p->fd_slots && p->cloexec[dirfd];
    if ((err = within_arg_space(&argv, &envp, filename)))
        goto out;
    char *name = filename;
    for (int depth = 0;; depth++) {
        if ((err = executable(v)))
            goto out;
        char *arg;
        int script = parse_script(v, interp, &arg);
        if (script < 0) {
            err = script;
            goto out;
        }
        if (!script)
            break;
        if (inaccessible) {
            err = -ENOENT;
            goto out;
        }
        if (depth + 1 >= SCRIPT_DEPTH) {
            err = -ELOOP;
            goto out;
        }
        /* argv becomes: interpreter, [its argument], the script's name, argv[1...]. */
        if (argv.n) {
            kfree(argv.s[0]);
            memmove(argv.s, argv.s + 1, sizeof(char *) * (size_t)(argv.n - 1));
            argv.n--;
        }
        if ((err = strings_insert(&argv, 0, name, strlen(name))) ||
            (arg && (err = strings_insert(&argv, 0, arg, strlen(arg)))) ||
            (err = strings_insert(&argv, 0, interp, strlen(interp))))
            goto out;
        if ((err = lookup_at(AT_FDCWD, interp, VFS_FOLLOW, &v)))
            goto out;
        name = argv.s[0];
    }
    struct vm *old = p->vm, *fresh = vm_create();
    if (!fresh) {
        err = -ENOMEM;
        goto out;
    }
    struct vnode *old_exe = p->exe;
    uint64_t old_sigpage = p->sigreturn_page;
    struct user_entry entry;
    p->vm = fresh;                     /* the loader fills the current process's address space */
    err = exec_vnode(p, v, filename, argv.n, (const char *const *)argv.s, envp.n, (const char *const *)envp.s, &entry);
    if (err) {
        p->vm = old;
        p->exe = old_exe;
        p->sigreturn_page = old_sigpage;
        current_thread()->vma_hint = NULL;
        vm_put(fresh);
        goto out;
    }
    /* comm: the name's last part (a script's own); for execveat(fd, "", AT_EMPTY_PATH) the
     * file's name instead of "/dev/fd/N"'s (Linux 6.14). */
    char *own = NULL;
    if (!path[0] && (own = kmalloc(4096)) && vfs_path(v, own, 4096) < 0)
        own[0] = 0;
    thread_set_comm_from_path(current_thread(), path[0] || !own || !own[0] ? filename : own);
    kfree(own);
    become(p, old, &entry);
out:
    kfree(filename);
    strings_free(&argv);
    strings_free(&envp);
    kfree(interp);
    kfree(scratch);
    kfree(path);
    return err;
}

SYSCALL(execve) { return do_execve(AT_FDCWD, a0, a1, a2, 0); }

SYSCALL(execveat) { return do_execve((int)a0, a1, a2, a3, (int)a4); }
