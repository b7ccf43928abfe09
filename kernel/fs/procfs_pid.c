/* Each live process's directory, /proc/<pid> (made at fork, gone when it is reaped:
 * procfs_process_added/gone): stat, cmdline, comm, mounts, maps, the exe, cwd and root links,
 * fd/ (a link per open descriptor, named as Linux names them) and task/<tid>/, in Linux's
 * formats (fs/proc/array.c, fs/proc/base.c, fs/proc/fd.c, fs/proc_namespace.c), so ps, top and
 * programs reading about themselves or another find what Linux gives; status and statm,
 * fdinfo/, environ and auxv, limits are its siblings' (procfs_pid.h). Each file finds its
 * process from its path. /proc/self and /proc/thread-self point at the caller's (procfs.c). */
#include "kernel.h"
#include "kfile.h"
#include "tty.h"
#include "procfs_comm.h"
#include "memfile.h"
#include "mm.h"
#include "vm.h"
#include "process.h"
#include "thread.h"
#include "bootargs.h"
#include "signal.h"
#include "idle.h"
#include "timer.h"
#include "linux_abi.h"
#include "vfs.h"
#include "cpu.h"
#include "vnode.h"
#include "errno.h"
#include "file.h"
#include "pipe.h"
#include "kfile.h"
#include "cputime.h"
#include "procfs_pid.h"
#include "pipe_buffers.h"
#include <string.h>

#define TEXT_MAX 4096

struct file *text_file(char *text, size_t len, int flags)
{
    struct file *f = memfile_open(text, len, 0444, flags);
    kfree(text);
    return f;
}

struct process *process_of(const char *path, struct thread **thread)
{
    int pid = 0, tid = 0;
    const char *p = path + 6;          /* past "/proc/" */
    while (*p >= '0' && *p <= '9')
        pid = pid * 10 + (*p++ - '0');
    if (!strncmp(p, "/task/", 6))
        for (p += 6; *p >= '0' && *p <= '9'; p++)
            tid = tid * 10 + (*p - '0');
    struct process *proc = process_find(pid);
    if (thread) {
        *thread = NULL;
        for (struct thread *t = proc ? proc->threads : NULL; t; t = t->next)
            if (t->tid == (tid ? tid : pid))
                *thread = t;
    }
    return proc;
}

/* fs/proc/array.c's task_state_array: a zombie, a thread stopped in a group stop (jobctl.c),
 * one asleep in a wait, or one that runs (or may: on a ring waiting for a CPU). */
const char *state_of(const struct process *p, const struct thread *t)
{
    if (p->state == PROCESS_ZOMBIE)
        return "Z (zombie)";
    if (t && t->job_stopped)
        return "T (stopped)";
    return t && t->state == THREAD_WAITING ? "S (sleeping)" : "R (running)";
}

int procfs_pid_dir_pid(struct file *f)
{
    char path[32];
    struct vnode *v = f->vnode;
    if (!v || v->type != VNODE_DIR)
        return -EBADF;
    /* A reaped process's directory is gone from the tree: its last path still names the pid. */
    const char *at = path;
    if (v->nlink || !v->gone_path) {
        if (vfs_path(v, path, sizeof(path)) < 0)
            return -EBADF;
    } else
        at = v->gone_path;
    if (strncmp(at, "/proc/", 6) || at[6] < '1' || at[6] > '9')
        return -EBADF;
    int pid = 0;
    for (at += 6; *at >= '0' && *at <= '9' && pid < (1 << 24); at++)
        pid = pid * 10 + (*at - '0');
    return *at ? -EBADF : pid;
}

bool in_task_dir(const char *path)
{
    const char *p = path + 6;          /* past "/proc/" */
    while (*p >= '0' && *p <= '9')
        p++;
    return !strncmp(p, "/task/", 6);
}

/* A zombie's threads are gone, so it keeps the name of the file it ran. */
void process_comm(const struct process *p, const struct thread *t, char comm[16])
{
    if (t || (t = p->threads)) {
        memcpy(comm, t->comm, 16);
        comm[15] = 0;
        return;
    }
    size_t n = p->exe && p->exe->name ? (p->exe->name_len < 15 ? p->exe->name_len : 15) : 0;
    memcpy(comm, n ? p->exe->name : "", n);
    comm[n] = 0;
}

/* Nanoseconds in clock ticks (USER_HZ, TICK_HZ here), as stat's time fields count. */
static uint64_t ticks(uint64_t ns) { return ns / (1000000000UL / TICK_HZ); }

int nr_threads_of(const struct process *p) { return p->state == PROCESS_ZOMBIE ? 1 : p->live_threads; }

/* Caught: a handler of the program's own. */
uint64_t sig_mask_of(struct process *p, bool ignored)
{
    uint64_t mask = 0;
    for (int sig = 1; sig <= NSIG; sig++) {
        uint64_t h = p->sig.action[sig - 1].handler;
        if (ignored ? h == SIG_IGN : h != SIG_IGN && h != SIG_DFL)
            mask |= SIG_BIT(sig);
    }
    return mask;
}

/* The 52 fields of proc_pid_stat(5); what a unikernel has no notion of (a parent, a terminal,
 * page-fault counts, the layout's markers) is 0, as Linux shows for a field it hides. starttime
 * is the thread's creation in ticks since boot, processor the CPU it runs or ran on last,
 * exit_code a zombie's wait status. */
static struct file *stat_open(const char *path, int flags)
{
    struct thread *t;
    struct process *p = process_of(path, &t);
    if (!p)
        return NULL;
    char comm[16];
    process_comm(p, t, comm);
    /* task/<tid>/stat: that thread's time; the process's: all its threads', and its reaped
     * children's in cutime/cstime (a thread's file shows them too, as Linux's does). */
    struct cputime used = in_task_dir(path) && t ? thread_cpu_times(t) : process_cpu_times(p);
    struct cputime children = process_children_cpu_times(p);
    /* A zombie's leader is gone: Linux shows the defaults then too. */
    struct thread_sched sa = t ? t->sched : (struct thread_sched){ 0 };
    char *s = kmalloc(TEXT_MAX);
    if (!s)
        return NULL;
    int n = snprintf(s, TEXT_MAX,
                     "%d (%s) %c %d %d %d %u %d 4194560 0 0 0 0 %lu %lu %lu %lu %d %d %d 0 %lu %lu %lu "
                     "%lu 0 0 0 0 0 %lu %lu %lu %lu 0 0 0 17 %d %d %d 0 0 0 0 0 0 0 0 0 0 %d\n",
                     t ? t->tid : p->pid, comm, state_of(p, t)[0], p->parent ? p->parent->pid : 0,
                     p->pgid, p->sid, tty_stat_number(p), tty_stat_foreground(p), ticks(used.user_ns), ticks(used.system_ns), ticks(children.user_ns),
                     ticks(children.system_ns), sched_attr_proc_priority(&sa), sa.nice, nr_threads_of(p),
                     ticks(t ? t->start_ns : p->start_ns), vm_mapped_bytes(p->vm), p->vm ? p->vm->pages : 0,
                     p->rlimits[RLIMIT_RSS].rlim_cur, p->sig.pending | (t ? t->sig.pending : 0),
                     t ? t->sig.blocked : 0UL, sig_mask_of(p, true), sig_mask_of(p, false),
                     t ? (t->cpu >= 0 ? t->cpu : t->last_cpu >= 0 ? t->last_cpu : 0) : 0, sa.rt_priority, sa.policy,
                     p->state == PROCESS_ZOMBIE ? p->wait_status : 0);
    return text_file(s, (size_t)n, flags);
}

/* The arguments the program was started with, each ended by a NUL (as its memory holds them now). */
static struct file *cmdline_open(const char *path, int flags)
{
    struct process *p = process_of(path, NULL);
    if (!p)
        return NULL;
    struct file *f;
    if (cmdline_from_memory(p, flags, &f))
        return f;
    if (p->cmdline)
        return memfile_open(p->cmdline, p->cmdline_len, 0444, flags);
    const struct boot_manifest *m = boot_manifest();
    size_t len = 0;
    for (int i = 0; m && i < m->argc; i++)
        len += strlen(m->argv[i]) + 1;
    char *s = kmalloc(len ? len : 1);
    if (!s)
        return NULL;
    len = 0;
    for (int i = 0; m && i < m->argc; i++) {
        size_t n = strlen(m->argv[i]) + 1;
        memcpy(s + len, m->argv[i], n);
        len += n;
    }
    return text_file(s, len, flags);
}

static struct file *comm_open(const char *path, int flags)
{
    struct thread *t;
    struct process *p = process_of(path, &t);
    if (!p)
        return NULL;
    if ((flags & O_ACCMODE) != O_RDONLY)
        return procfs_comm_open_writable(p->pid, in_task_dir(path) && t ? t->tid : 0, flags);
    char comm[17];
    process_comm(p, t, comm);
    size_t n = strlen(comm);
    comm[n] = '\n';
    return memfile_open(comm, n + 1, 0444, flags);
}

/* The root (the image's tree, in memory) and the volumes; statfs says TFS_MAGIC for each. */
static struct file *mounts_open(const char *path, int flags)
{
    char *s = kmalloc(TEXT_MAX);
    return s ? text_file(s, vfs_mounts(s, TEXT_MAX), flags) : NULL;
}

static struct file *mountinfo_open(const char *path, int flags)
{
    char *s = kmalloc(TEXT_MAX);
    return s ? text_file(s, vfs_mountinfo(s, TEXT_MAX), flags) : NULL;
}

static int number_of(const char *name)
{
    int n = 0;
    for (; *name; name++) {
        if (*name < '0' || *name > '9')
            return -1;
        n = n * 10 + (*name - '0');
    }
    return n;
}

/* Linux's d_path: as the reader's root sees it, an unlinked file's with " (deleted)". */
static int path_link(struct vnode *v, char *buf, size_t size)
{
    return v ? vfs_proc_path(v, buf, size) : -ENOENT;
}

static int exe_link(const char *path, char *buf, size_t size)
{
    struct process *p = process_of(path, NULL);
    return p ? path_link(p->exe, buf, size) : -ENOENT;
}

static int cwd_link(const char *path, char *buf, size_t size)
{
    struct process *p = process_of(path, NULL);
    return p ? path_link(p->cwd, buf, size) : -ENOENT;
}

/* The process's root directory (chroot's, else the tree's), as the reader sees it. */
static int root_link(const char *path, char *buf, size_t size)
{
    struct process *p = process_of(path, NULL);
    return p ? path_link(p->root ? p->root : vfs_root(), buf, size) : -ENOENT;
}

/* The open file a /proc/<pid>/fd/N link names (NULL once the descriptor or process is gone). */
static struct file *fd_link_file(struct vnode *link)
{
    char path[KFILE_PATH_MAX];
    if (vfs_path(link, path, sizeof(path)) < 0)
        return NULL;
    struct process *p = process_of(path, NULL);
    const char *slash = strrchr(path, '/');
    return p && slash ? fd_get(p, number_of(slash + 1)) : NULL;
}

int procfs_fd_stat(struct vnode *link, struct linux_stat *st)
{
    struct file *f = fd_link_file(link);
    return f ? file_stat(f, st) : -ENOENT;
}

int procfs_fd_reopen(struct vnode *link, int flags, struct file **out)
{
    struct file *f = fd_link_file(link);
    if (!f)
        return -ENOENT;
    if (f->kind == FILE_CONSOLE) {     /* the piped console: the same stream again */
        *out = devfs_reopen_console(f, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC));
        return *out ? 0 : -ENOMEM;
    }
    struct pipe *pipe = file_pipe(f);
    return pipe ? pipe_reopen(pipe, flags, out) : -ENXIO;
}

/* A descriptor's link as fs/proc/fd.c names it: the file's path, or the kind and inode of an
 * object without one (pipe:[N], socket:[N] with the inode fstat shows, anon_inode:[eventfd]). */
static int fd_link(const char *path, char *buf, size_t size)
{
    struct process *p = process_of(path, NULL);
    const char *slash = strrchr(path, '/');
    struct file *f = p && slash ? fd_get(p, number_of(slash + 1)) : NULL;
    if (!f)
        return -ENOENT;
    struct linux_stat st = { 0 };
    file_stat(f, &st);                 /* pipes' and sockets' inode numbers: the ones fstat gives */
    uint64_t ino = st.st_ino;
    switch (f->kind) {
    case FILE_VNODE: return path_link(f->vnode, buf, size);
    case FILE_PIPE: return f->vnode ? path_link(f->vnode, buf, size) : snprintf(buf, size, "pipe:[%lu]", ino);
    case FILE_SOCKET: return snprintf(buf, size, "socket:[%lu]", ino);
    case FILE_EVENTFD: return snprintf(buf, size, "anon_inode:[eventfd]");
    case FILE_EPOLL: return snprintf(buf, size, "anon_inode:[eventpoll]");
    case FILE_TIMERFD: return snprintf(buf, size, "anon_inode:[timerfd]");
    case FILE_SIGNALFD: return snprintf(buf, size, "anon_inode:[signalfd]");
    case FILE_INOTIFY: return snprintf(buf, size, "anon_inode:inotify");
    case FILE_CONSOLE: {
        uint64_t pipe_ino;
        return devfs_console_pipe(f, &pipe_ino) ? snprintf(buf, size, "pipe:[%lu]", pipe_ino)
                                                : snprintf(buf, size, "/dev/console");
    }
    case FILE_TTY: return tty_fd_link(f, buf, size);
    case FILE_NULL:      /* /dev/full is of /dev/null's kind, /dev/random of /dev/urandom's */
    case FILE_URANDOM: {
        unsigned minor = st.st_rdev & 0xff;
        return snprintf(buf, size, minor == 7 ? "/dev/full" : minor == 8 ? "/dev/random" :
                                   f->kind == FILE_NULL ? "/dev/null" : "/dev/urandom");
    }
    case FILE_ZERO: return snprintf(buf, size, "/dev/zero");
    default: return snprintf(buf, size, "anon_inode:[%d]", (int)f->kind);
    }
}

static int fd_entry, task_dir_entry;

/* Remove every entry of a kernel directory, depth first. */
static void remove_all(struct vnode *dir)
{
    for (struct dentry *d; (d = dir->entries); ) {
        if (d->v->type == VNODE_DIR)
            remove_all(d->v);
        vnode_unlink(dir, d);
    }
}

/* fd/ (fdinfo/ too): an entry per descriptor open now. */
/* An fd/N link's permission bits say how the file is open (tid_fd_update_inode): r-x for reading,
 * -wx for writing, both for O_RDWR, none for O_PATH. fdinfo/N files keep their template's. */
static void fd_link_mode(struct vnode *v, const struct file *f, int template)
{
    if (template != fd_entry)
        return;
    int acc = f->flags & O_PATH ? -1 : f->flags & O_ACCMODE;
    v->mode = (acc == O_RDONLY || acc == O_RDWR ? 0500 : 0) | (acc == O_WRONLY || acc == O_RDWR ? 0300 : 0);
}

void procfs_fd_entries(struct vnode *dir, const char *path, int template)
{
    struct process *p = process_of(path, NULL);
    for (struct dentry *d = dir->entries, *next; d; d = next) {
        next = d->next;
        struct file *f = p ? fd_get(p, number_of(d->name)) : NULL;
        if (!f)
            vnode_unlink(dir, d);
        else
            fd_link_mode(d->v, f, template);     /* the number may name another file since (dup2) */
    }
    for (int fd = 0; p && fd < fd_table_end(p); fd++) {
        char name[12];
        snprintf(name, sizeof(name), "%d", fd);
        struct file *f = fd_get(p, fd);
        struct vnode *v;
        if (f && !vnode_find(dir, name, strlen(name)) && !kfile_instantiate(dir, name, template, &v))
            fd_link_mode(v, f, template);
    }
}

static void fd_refresh(struct vnode *dir, const char *path) { procfs_fd_entries(dir, path, fd_entry); }

static int stat_entry, comm_entry, cmdline_entry, mounts_entry, mountinfo_entry, maps_entry, exe_entry, cwd_entry;
static int root_entry;
static int fd_dir_entry, task_entry;

/* The siblings' entries (procfs_pid_entry), made in each /proc/<pid> after this file's own. */
#define MAX_SIBLING_ENTRIES 16
static struct { const char *name; int template; } siblings[MAX_SIBLING_ENTRIES];
static int nsiblings;

void procfs_pid_entry(const char *name, int template)
{
    if (nsiblings == MAX_SIBLING_ENTRIES)
        panic("procfs: more than %d /proc/<pid> entries", MAX_SIBLING_ENTRIES);
    siblings[nsiblings].name = name;
    siblings[nsiblings++].template = template;
}

/* task/: a directory per live thread. */
static void task_refresh(struct vnode *dir, const char *path)
{
    struct process *p = process_of(path, NULL);
    for (struct dentry *d = dir->entries, *next; d; d = next) {
        next = d->next;
        struct thread *t = NULL;
        for (t = p ? p->threads : NULL; t && t->tid != number_of(d->name); t = t->next)
            ;
        if (!t || t->state == THREAD_DEAD) {
            remove_all(d->v);
            vnode_unlink(dir, d);
        }
    }
    for (struct thread *t = p ? p->threads : NULL; t; t = t->next) {
        char name[12];
        snprintf(name, sizeof(name), "%d", t->tid);
        struct vnode *td;
        if (t->state == THREAD_DEAD || vnode_find(dir, name, strlen(name)) ||
            kfile_instantiate(dir, name, task_dir_entry, &td))
            continue;
        kfile_instantiate(td, "stat", stat_entry, NULL);
        kfile_instantiate(td, "comm", comm_entry, NULL);
        for (int i = 0; i < nsiblings; i++)   /* status (the thread's), and the process's others */
            kfile_instantiate(td, siblings[i].name, siblings[i].template, NULL);
    }
}

static struct vnode *proc_dir(void)
{
    struct vnode *root = vnode_root();
    struct dentry *d = root ? vnode_find(root, "proc", 4) : NULL;
    return d && d->v->kfile ? d->v : NULL;
}

void procfs_process_added(struct process *p)
{
    struct vnode *proc = proc_dir(), *dir;
    char name[12];
    snprintf(name, sizeof(name), "%d", p->pid);
    if (!proc || vnode_find(proc, name, strlen(name)) || kfile_instantiate(proc, name, task_dir_entry, &dir))
        return;
    struct { const char *name; int entry; } files[] = {
        { "stat", stat_entry }, { "cmdline", cmdline_entry }, { "comm", comm_entry },
        { "mounts", mounts_entry }, { "mountinfo", mountinfo_entry }, { "maps", maps_entry }, { "exe", exe_entry }, { "cwd", cwd_entry },
        { "root", root_entry }, { "fd", fd_dir_entry }, { "task", task_entry },
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        kfile_instantiate(dir, files[i].name, files[i].entry, NULL);
    for (int i = 0; i < nsiblings; i++)
        kfile_instantiate(dir, siblings[i].name, siblings[i].template, NULL);
}

void procfs_process_gone(struct process *p)
{
    struct vnode *proc = proc_dir();
    char name[12];
    snprintf(name, sizeof(name), "%d", p->pid);
    struct dentry *d = proc ? vnode_find(proc, name, strlen(name)) : NULL;
    if (d && d->v->kfile) {
        remove_all(d->v);
        vnode_unlink(proc, d);
    }
}

void procfs_pid_init(void)
{
    stat_entry = kfile_template("stat", stat_open, NULL, NULL, PID_FILE);
    cmdline_entry = kfile_template("cmdline", cmdline_open, NULL, NULL, PID_FILE);
    comm_entry = kfile_template("comm", comm_open, NULL, NULL, S_IFREG | 0644);
    mounts_entry = kfile_template("mounts", mounts_open, NULL, NULL, PID_FILE);
    mountinfo_entry = kfile_template("mountinfo", mountinfo_open, NULL, NULL, PID_FILE);
    maps_entry = kfile_template("maps", procfs_maps_open, NULL, NULL, PID_FILE);
    exe_entry = kfile_template("exe", NULL, exe_link, NULL, S_IFLNK | 0777);
    cwd_entry = kfile_template("cwd", NULL, cwd_link, NULL, S_IFLNK | 0777);
    root_entry = kfile_template("root", NULL, root_link, NULL, S_IFLNK | 0777);
    fd_entry = kfile_template("fd/N", NULL, fd_link, NULL, S_IFLNK | 0700);
    fd_dir_entry = kfile_template("fd", NULL, NULL, fd_refresh, S_IFDIR | 0500);
    task_entry = kfile_template("task", NULL, NULL, task_refresh, S_IFDIR | 0555);
    task_dir_entry = kfile_template("<pid>", NULL, NULL, NULL, S_IFDIR | 0555);
    procfs_status_init();
    procfs_fdinfo_init();
    procfs_exec_init();
    procfs_limits_init();
    procfs_maps_init();
}
