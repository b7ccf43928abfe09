/* Running the image's program: a process, its standard descriptors on the console, exec, and
 * the first drop to EL0. Everything after that happens in traps. */
#include "kernel.h"
#include "profile.h"
#include "bootargs.h"
#include "run.h"
#include "process.h"
#include "thread.h"
#include "sched.h"
#include "file.h"
#include "console.h"
#include "exec.h"
#include "vfs.h"
#include "vm.h"
#include "mm.h"
#include "uvm.h"
#include "trap.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

extern void enter_user(struct trap_frame *f) __attribute__((noreturn));

static void open_console(struct process *p, int fd, int flags)
{
    struct file *f = devfs_open_stdio(fd, flags | O_LARGEFILE);
    if (f)
        f->priv = (void *)(uintptr_t)((fd == 2 ? CONSOLE_STDERR : CONSOLE_STDOUT) | (fd + 1) << 8);
    if (!f || fd_alloc(p, f, fd, false) != fd)
        panic("run: cannot open the console as descriptor %d", fd);
}

void run_program(const struct boot_manifest *m)
{
    struct process *p = process_create();
    struct user_entry entry;
    if (!p)
        panic("run: out of memory creating the process");
    p->cwd = vfs_root();
    if (m->cwd) {                  /* unibuild run --workdir (docker's -w, Nanos's cwd) */
        struct vnode *dir;
        int err = vfs_lookup(NULL, m->cwd, VFS_FOLLOW, &dir);
        if (!err && vfs_type(dir) != VNODE_DIR)
            err = -ENOTDIR;
        if (err) {
            kinfo_replay();
            kprintf("run: working directory %s: %s\n", m->cwd, err == -ENOTDIR ? "not a directory" : "not in the image");
            kernel_exit(126, EXIT_KERNEL_ERROR);
        }
        p->cwd = dir;
    }
    open_console(p, 0, O_RDONLY);
    open_console(p, 1, O_WRONLY);
    open_console(p, 2, O_WRONLY);

    profile_program_mark(PROGRAM_EXEC_START);
    int err = exec_program(p, m->program, m->argc, m->argv, m->envc, m->envp, &entry);
    profile_program_mark(PROGRAM_EXEC_DONE);
    if (err) {
        kinfo_replay();
        kprintf("run: cannot start %s (error %d)\n", m->program, -err);
        kernel_exit(err == -ENOENT ? 127 : 126, EXIT_KERNEL_ERROR);
    }

    struct thread *main_thread = thread_create(p, p->pid);
    if (!main_thread)
        panic("run: out of memory for the main thread");
    thread_set_comm_from_path(main_thread, m->program);
    sched_start(main_thread);
    struct trap_frame *f = main_thread->frame;
    f->elr = entry.pc;
    f->sp_el0 = entry.sp;
    f->spsr = 0;   /* EL0t, interrupts unmasked */
    enter_user(f);                 /* sched_start loaded the address space */
}
