/* What the last exec gave the process, as /proc/<pid>/cmdline, environ and auxv show it
 * (fs/proc/base.c): the arguments and the environment read from the process's own memory between
 * the bounds exec recorded (Linux's arg_start..env_end, so a program that rewrites its strings in
 * place is seen doing so), and the auxiliary vector exec built, as it was built (saved_auxv). */
#include "kernel.h"
#include "kfile.h"
#include "procfs_pid.h"
#include "process.h"
#include "memfile.h"
#include "mm.h"
#include "errno.h"
#include "vm.h"
#include "linux_abi.h"
#include <string.h>

/* Copy [addr, addr + len) of vm into buf, faulting pages in as Linux's access_remote_vm does, up
 * to the first page that cannot be read. The bytes copied. */
static size_t copy_from_vm(struct vm *vm, uint64_t addr, char *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        uint64_t va = addr + done, pa = vm_user_page(vm, va, ACCESS_READ);
        if (!pa)
            break;
        size_t in = va & (PAGE_SIZE - 1), n = PAGE_SIZE - in < len - done ? PAGE_SIZE - in : len - done;
        memcpy(buf + done, (char *)phys_to_virt(pa) + in, n);
        done += n;
    }
    return done;
}

/* get_mm_cmdline: argv's strings, [arg_start, arg_end); unless argv's last byte is no longer a NUL
 * (setproctitle(3) wrote over it, on into the environment): then, as get_mm_proctitle, what lies
 * from arg_start up to its first NUL (that NUL included), within a page and env_end. */
bool cmdline_from_memory(struct process *p, int flags, struct file **out)
{
    if (!p->vm) {                      /* a zombie has no memory: Linux reads nothing */
        *out = memfile_open("", 0, 0444, flags);
        return true;
    }
    if (p->arg_end <= p->arg_start)
        return false;                  /* no exec recorded it */
    uint64_t end = p->env_end >= p->env_start && p->env_start == p->arg_end ? p->env_end : p->arg_end;
    size_t len = end - p->arg_start;
    char last = 0;
    copy_from_vm(p->vm, p->arg_end - 1, &last, 1);
    if (last) {
        len = len < PAGE_SIZE ? len : PAGE_SIZE;
    } else {
        len = p->arg_end - p->arg_start;
    }
    char *s = kmalloc(len ? len : 1);
    if (!s) {
        *out = NULL;
        return true;
    }
    len = copy_from_vm(p->vm, p->arg_start, s, len);
    if (last) {
        size_t n = strnlen(s, len);
        len = n < len ? n + 1 : len;   /* up to and with the first NUL */
    }
    *out = text_file(s, len, flags);
    return true;
}

static struct file *environ_open(const char *path, int flags)
{
    struct process *p = process_of(path, NULL);
    if (!p)
        return NULL;
    if (!process_may_inspect(current_process(), p))
        return kfile_fail(-EACCES);   /* proc_mem_open's mm_access: ptrace's read check */
    size_t len = p->vm && p->env_end > p->env_start ? p->env_end - p->env_start : 0;
    char *s = kmalloc(len ? len : 1);
    if (!s)
        return NULL;
    len = len ? copy_from_vm(p->vm, p->env_start, s, len) : 0;   /* a zombie's is empty, as Linux's */
    return text_file(s, len, flags);
}

/* The pairs up to and including AT_NULL, in the words of the machine (auxv_read). */
static struct file *auxv_open(const char *path, int flags)
{
    struct process *p = process_of(path, NULL);
    if (!p)
        return NULL;
    size_t words = 0;
    while (words + 2 <= PROCESS_AUXV_WORDS && p->saved_auxv[words] != 0)
        words += 2;
    words = words + 2 <= PROCESS_AUXV_WORDS ? words + 2 : words;
    return memfile_open((const char *)p->saved_auxv, words * sizeof(uint64_t), 0400, flags);
}

void procfs_exec_init(void)
{
    procfs_pid_entry("environ", kfile_template("environ", environ_open, NULL, NULL, S_IFREG | 0400));
    procfs_pid_entry("auxv", kfile_template("auxv", auxv_open, NULL, NULL, S_IFREG | 0400));
}
