/* The process: one program running in its own address space, with one or more threads
 * (thread.h) sharing its memory, descriptors, working directory and signal actions. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "signal.h"
#include "cputime.h"
#include "itimer.h"
#include "linux_uapi.h"

/* pid 1, the first program (the image's). */
#define PROCESS_PID     1
/* ids (pids and tids) are below this, Linux's default pid_max; they wrap round to 2 */
#define PID_MAX         32768

struct vm;
struct vnode;
struct file;
struct posix_timer;
struct tty;

/* RLIMIT_NOFILE as Linux sets it for a process: soft 1024, hard fs.nr_open's default, and
 * nr_open is the ceiling for the hard limit. The table grows with use, up to the soft limit. */
#define FD_LIMIT_DEFAULT 1024
#define FD_NR_OPEN       1048576

/* Linux's default pid_max (/proc/sys/kernel/pid_max): ids wrap around below it. */
#define PID_MAX 32768
/* Room for the auxiliary vector exec builds (exec/elf.c), AT_NULL included: Linux's
 * AT_VECTOR_SIZE for arm64 is 2 * (2 + 20 + 1 + 1) words. */
#define PROCESS_AUXV_WORDS 48

enum process_state { PROCESS_LIVE, PROCESS_ZOMBIE };

struct process {
    int pid;
    int pgid, sid;              /* process group and session (setpgid, setsid) */
    struct tty *tty;            /* controlling terminal (fs/tty_ctty.c): only a pty whose master is open */
    enum process_state state;
    struct process *parent;     /* NULL only for pid 1 */
    int parent_tid;             /* the parent's thread that made it (__WNOTHREAD): Linux's real_parent */
    struct process *children;   /* newest first, linked by `sibling` */
    struct process *sibling;
    struct process *all_next;   /* every process, live or zombie (process.c) */
    int exit_signal;            /* sent to the parent at exit (clone's CSIGNAL byte; SIGCHLD) */
    int wait_status;            /* a zombie's status as wait4 reports it (Linux's encoding) */
    bool exiting;               /* exit_group or a fatal signal: every thread leaves at once */
    struct thread *exec_thread; /* execve in progress: every other thread leaves */
    bool autoreap;              /* nobody will wait: freed with its last thread, not a zombie */
    bool did_exec;              /* setpgid on it by its parent is EACCES from now on */
    /* Job control (jobctl.c). A group stop is in effect while stop_signal is set: each thread
     * stops at its next return to user space (thread->job_stopped) until SIGCONT. */
    int stop_signal;            /* the stop signal that started it (SIGSTOP...); 0: none */
    bool stop_complete;         /* every live thread has stopped (the parent was told) */
    int stop_report;            /* a completed stop no wait has reported yet: its signal */
    bool continue_report;       /* continued since it stopped, no WCONTINUED wait reported it */
    /* vfork: the parent's thread waits until this child execs or ends. */
    struct thread *vfork_parent;
    /* CPU time (cputime.c): of threads already freed, and of reaped children with theirs. */
    struct cputime_sum exited_threads_cputime;
    struct cputime children_cputime;
    /* ru_maxrss in KiB: of the address spaces it had before this one (exec), and the largest of
     * its reaped children's (with theirs), as Linux's signal->maxrss and cmaxrss. */
    uint64_t maxrss_kb, children_maxrss_kb;
    struct process_itimers itimers;   /* setitimer (itimer.c) */
    struct posix_timer *posix_timers; /* timer_create (posix_timer.c), newest first */
    int next_timer_id;                /* Linux's per-process counter: 0, 1, ...; kept across exec */
    struct vm *vm;
    struct vnode *exe;          /* the program's vnode, for /proc/self/exe */
    struct vnode *cwd;
    struct vnode *root;         /* chroot's "/" (vfs_lookup_root); NULL: the tree's root */
    struct file **fds;          /* fd_slots entries (fdtable.c) */
    bool *cloexec;
    int fd_slots;
    int fd_free_from;           /* every descriptor below it is in use (fd_alloc starts there) */
    uint64_t fd_limit;          /* soft RLIMIT_NOFILE: descriptors are below it */
    struct thread *threads;     /* creation order; the first is the main thread (tid == pid) */
    int live_threads;           /* those not dead yet */
    struct process_signals sig;
    uint64_t sigreturn_page;    /* user address of the rt_sigreturn trampoline (no SA_RESTORER) */
    uint32_t umask;
    char *cmdline;              /* the arguments of the last exec, each ended by a NUL (/proc/<pid>/cmdline) */
    size_t cmdline_len;
    /* What the last exec left on the new stack, as Linux's mm keeps it (fork copies it): the
     * argument and environment strings' user ranges (/proc/<pid>/cmdline and environ read them
     * there, so a program that rewrites them in place, setproctitle's way, is seen doing so) and
     * a copy of the auxiliary vector (auxv). */
    uint64_t arg_start, arg_end, env_start, env_end;
    uint64_t start_ns;          /* when it was made (its first thread's start_ns; a zombie keeps it) */
    uint64_t saved_auxv[PROCESS_AUXV_WORDS];
    struct creds { uint32_t uid, euid, suid, gid, egid, sgid, fsuid, fsgid; } cred;   /* all 0: root */
    uint32_t *groups;           /* supplementary groups, sorted as Linux keeps them (setgroups) */
    int ngroups;
    /* The capability sets, as Linux's creds hold them: all of them for pid 1, changed by capset,
     * by set*uid (cap_emulate_setxuid, in sys_ident.c) and at exec. securebits: Linux's (only
     * SECBIT_KEEP_CAPS, PR_SET_KEEPCAPS, is ever set: it keeps the permitted set through setuid). */
    struct caps { uint64_t effective, permitted, inheritable; uint32_t securebits; } caps;
    int membarrier;             /* the membarrier commands it registered for (sys_membarrier.c) */
    bool child_subreaper;       /* PR_SET_CHILD_SUBREAPER: adopts its descendants' orphans (not inherited) */
    bool thp_disable;           /* PR_SET_THP_DISABLE (no huge pages are made anyway) */
    uint32_t personality;       /* personality(2); ADDR_NO_RANDOMIZE fixes the next exec's layout */
    struct linux_rlimit rlimits[RLIM_NLIMITS];   /* inherited by fork, kept by exec (rlimit.c) */
    /* prctl's: PR_SET_DUMPABLE (reset by exec and by an id change), PR_SET_NO_NEW_PRIVS (kept for
     * good), PR_SET_PDEATHSIG (sent when the parent ends; a child starts without it). */
    int dumpable, pdeathsig;
    bool no_new_privs;
    struct uts_ns *uts;         /* its UTS namespace (proc/uts_ns.c); NULL: the first one */
    struct mnt_ns *mnt_ns;      /* its mount namespace (fs/mount.c); NULL: the first one */
};

/* The process of the running thread (before the first thread runs: pid 1, being set up). */
struct process *current_process(void);
/* pid 1, the first program (run.c). */
struct process *process_create(void);
/* A new process for fork/clone: a pid (the one given, already claimed, or 0: a fresh one), the
 * parent's identity (pgid, sid, umask, limits); the caller fills in the address space,
 * descriptors and threads. NULL when out of pids or memory (-EAGAIN for fork). */
struct process *process_new_child(struct process *parent, int pid);
/* ru_maxrss: the largest resident size p's address spaces have had (KiB). */
uint64_t process_maxrss_kb(const struct process *p);
/* p gives up vm (exec, exit): its high-water mark stays in p's maxrss. */
void process_note_maxrss(struct process *p, const struct vm *vm);
/* A fresh id for a thread or process (pids and tids share one space, as on Linux). */
int process_alloc_id(void);
/* clone3's set_tid: that id, or -EEXIST when a process, thread, group or session has it. */
int process_claim_id(int id);
/* The id handed out last (/proc/loadavg's last field). */
int process_last_id(void);
struct process *process_find(int pid);
/* Iterate over every process (zombies too). */
struct process *process_first(void);
/* The process is done with (reaped, or never to be waited for): free it. */
void process_free(struct process *p);
/* How many processes exist (the fork limit counts these). */
int process_count(void);
/* The descriptor table copied for a child: every file gains a reference. */
int fd_table_copy(struct process *to, const struct process *from);
/* Close every descriptor (a process ending) / the close-on-exec ones (execve). */
void fd_close_all(struct process *p);
void fd_close_on_exec(struct process *p);
/* The descriptor table (proc/fdtable.c). Lowest free descriptor >= min, or -EMFILE (none below
 * the soft RLIMIT_NOFILE) or -ENOMEM. */
int fd_alloc(struct process *p, struct file *f, int min, bool cloexec);
struct file *fd_get(struct process *p, int fd);
/* fd_get for calls that use the open file itself (I/O, mmap, ioctl, fchmod, ...): NULL for an
 * O_PATH descriptor too, which Linux's fdget() refuses (EBADF) and only fdget_raw() users (fstat,
 * fchdir, *at dirfds, dup, close, a few fcntl commands) accept. */
struct file *fd_get_open(struct process *p, int fd);
/* Put f at fd (dup2/dup3), closing what was there; fd must be below the limit. 0 or -ENOMEM. */
int fd_install(struct process *p, int fd, struct file *f, bool cloexec);
/* Take f off fd and drop the reference: the process's record locks on the file go too. */
void fd_close(struct process *p, int fd);
/* Forget fd without dropping a reference (undoing an fd_alloc whose file is freed elsewhere). */
void fd_forget(struct process *p, int fd);
bool fd_cloexec(struct process *p, int fd);
void fd_set_cloexec(struct process *p, int fd, bool on);
/* One past the highest descriptor that may be open (for loops over the table). */
int fd_table_end(struct process *p);
/* The process ends with exit status `status` (exit_group, its last thread's exit): for pid 1
 * that is the guest's end (report and power off), for any other the process becomes a zombie
 * its parent reaps (proc/exit.c; never returns). */
__attribute__((noreturn)) void process_exit(int status);
/* The process is killed by sig (its default action, a fault, the OOM killer). */
__attribute__((noreturn)) void process_die(int sig);
/* Resource limits (rlimit.c): the defaults; the caller's soft value of RLIMIT_*; may a write
 * at pos of count bytes proceed (how many: RLIMIT_FSIZE, SIGXFSZ and -EFBIG past it); may an
 * address space of `total` bytes grow by `more` (RLIMIT_AS); may parent fork (RLIMIT_NPROC). */
void rlimit_init(struct process *p);
uint64_t rlimit_current(int resource);
int64_t rlimit_file_size(uint64_t pos, uint64_t count);
bool rlimit_new_file_size(uint64_t size);
bool rlimit_may_fork(struct process *parent);
/* p's capability sets as capget and /proc/<pid>/status show them (masked by its ids, as set*id
 * leaves them without PR_SET_KEEPCAPS), and does the effective one hold cap (CAP_*)? (sys_system.c) */
struct caps process_caps(const struct process *p);
bool process_capable(const struct process *p, int cap);
/* May caller look into t (ptrace's real-credential access: proc/ptrace_access.c)? */
bool process_may_inspect(const struct process *caller, const struct process *t);
/* The process of a pid or of any thread id (Linux's find_task_by_vpid), NULL when none. */
struct process *process_of_task(int id);
/* exec recomputes the sets (no file capabilities, no ambient ones): root's are full again. */
void process_caps_at_exec(struct process *p);
/* reboot(2): the guest ends as a container's pid namespace does, pid 1 killed by sig
 * (SIGINT: power-off/halt, SIGHUP: restart), quietly; never returns. */
__attribute__((noreturn)) void process_reboot(int sig);
/* The last thread of a process other than pid 1 left: release what it owns, tell the parent. */
void process_teardown(struct process *p);
/* The scheduler freed one of p's dead threads (p is freed too if it was the last and nobody
 * waits for p). */
void process_thread_freed(struct process *p);
/* Its /proc/<pid> directory: made when the process is, gone when it is freed (fs/procfs_pid.c). */
void procfs_process_added(struct process *p);
void procfs_process_gone(struct process *p);
/* The thread's name after an exec of path: the file's base name, cut as Linux cuts it. */
void thread_set_comm_from_path(struct thread *t, const char *path);
/* A child of parent changed state (ended, stopped, continued): its threads in wait4/waitid look
 * again now, on whichever CPU they sleep (SIGCHLD, ignored by default, would not wake them). */
void child_wait_wake(struct process *parent);
/* A vfork child execs or ends: its parent goes on. */
void process_vfork_release(struct process *p);
