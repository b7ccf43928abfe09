/* What the system is and what the process used: uname, sysinfo, getrandom, resource limits and
 * usage (rlimits, getrusage, times), CPU placement (affinity, getcpu; one memory node). */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "vm.h"
#include "thread.h"
#include "cpu.h"
#include "sched.h"
#include "mm.h"
#include "timer.h"
#include "random.h"
#include "uts.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

static void str_copy(char *dst, const char *src) { memcpy(dst, src, strlen(src) + 1); }

SYSCALL(uname)
{
    struct linux_utsname u;
    memset(&u, 0, sizeof(u));
    str_copy(u.sysname, UTS_SYSNAME);
    str_copy(u.nodename, uts_hostname());
    str_copy(u.release, UTS_RELEASE);
    str_copy(u.version, UTS_VERSION(KERNEL_VERSION));
    str_copy(u.machine, "aarch64");
    str_copy(u.domainname, uts_domainname());
    return copy_to_user(a0, &u, sizeof(u)) ? -EFAULT : 0;
}

SYSCALL(getrandom)
{
    uint8_t buf[256];
    uint64_t done = 0, len = a1;
    if (a2 & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    if ((a2 & GRND_RANDOM) && (a2 & GRND_INSECURE))
        return -EINVAL;
    if (len > 0x1ffffff)   /* Linux caps one call at 32 MiB - 1 */
        len = 0x1ffffff;
    while (done < len) {
        uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
        random_bytes(buf, n);
        if (copy_to_user(a0 + done, buf, n))
            return done ? (int64_t)done : -EFAULT;
        done += n;
    }
    return done;
}

SYSCALL(sysinfo)
{
    struct linux_sysinfo si;
    memset(&si, 0, sizeof(si));
    si.uptime = (int64_t)(counter_to_ns(counter_now()) / 1000000000UL);
    si.totalram = page_total_count() * PAGE_SIZE;
    si.freeram = page_free_count() * PAGE_SIZE;
    /* Linux's nr_threads: every task until it is reaped (a zombie counts as its leader). */
    uint32_t tasks = 0;
    for (struct process *p = process_first(); p; p = p->all_next)
        tasks += p->live_threads > 0 ? (uint32_t)p->live_threads : 1;
    si.procs = (uint16_t)(tasks < 0xffff ? tasks : 0xffff);
    si.mem_unit = 1;
    return copy_to_user(a0, &si, sizeof(si)) ? -EFAULT : 0;
}

/* The thread named by a sched_*affinity pid: 0 is the caller; any thread of the process may be
 * named by its tid, as on Linux. */
static struct thread *affinity_target(uint64_t pid)
{
    return pid == 0 ? current_thread() : (int)pid > 0 ? thread_find((int)pid) : NULL;
}

/* The mask is one 64-bit word (cpumask_size() for up to 64 CPUs). */
SYSCALL(sched_getaffinity)
{
    uint64_t len = a1;
    if (len * 8 < 64 || (len & 7))
        return -EINVAL;
    struct thread *t = affinity_target(a0);
    if (!t)
        return -ESRCH;
    uint64_t mask = t->affinity & CPUS_ONLINE_MASK;
    if (copy_to_user(a2, &mask, sizeof(mask)))
        return -EFAULT;
    return sizeof(mask);
}

/* A shorter mask is zero-extended, a longer one cut to our word; CPUs that are not online are
 * dropped, and a mask left empty is EINVAL (Linux's __sched_setaffinity). */
SYSCALL(sched_setaffinity)
{
    uint64_t mask = 0, len = a1 < sizeof(mask) ? a1 : sizeof(mask);
    if (copy_from_user(&mask, a2, len))
        return -EFAULT;
    struct thread *t = affinity_target(a0);
    if (!t)
        return -ESRCH;
    if (!(mask & CPUS_ONLINE_MASK))
        return -EINVAL;
    t->affinity = mask & CPUS_ONLINE_MASK;
    sched_affinity_changed(t);
    return 0;
}


/* The CPU the caller runs on now (it may be another by the time it looks); one memory node. */
SYSCALL(getcpu)
{
    uint32_t cpu = (uint32_t)this_cpu()->id, zero = 0;
    if ((a0 && copy_to_user(a0, &cpu, sizeof(cpu))) || (a1 && copy_to_user(a1, &zero, sizeof(zero))))
        return -EFAULT;
    return 0;
}

/* CPU time in clock ticks (AT_CLKTCK, TICK_HZ: Linux's USER_HZ of 100): the process's own user
 * and system time and its reaped children's. Returns ticks since boot. */
SYSCALL(times)
{
    const uint64_t ns_per_tick = NSEC_PER_SEC / TICK_HZ;
    struct process *p = current_process();
    struct cputime self = process_cpu_times(p), children = process_children_cpu_times(p);
    int64_t tms[4] = { (int64_t)(self.user_ns / ns_per_tick), (int64_t)(self.system_ns / ns_per_tick),
                       (int64_t)(children.user_ns / ns_per_tick), (int64_t)(children.system_ns / ns_per_tick) };
    if (a0 && copy_to_user(a0, tms, sizeof(tms)))
        return -EFAULT;
    return (int64_t)(counter_to_ns(counter_now()) / ns_per_tick);
}

/* CPU time of the process, the calling thread, or the reaped children (cputime.h). ru_maxrss is
 * the process's high-water resident size (for the thread too, as Linux's), or the largest
 * reaped child's; the other counters are not kept (0). */
SYSCALL(getrusage)
{
    struct linux_rusage ru;
    int who = (int)a0;
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
        return -EINVAL;
    memset(&ru, 0, sizeof(ru));
    struct process *p = current_process();
    if (who == RUSAGE_CHILDREN) {
        cputime_to_rusage(process_children_cpu_times(p), &ru);
        ru.maxrss = (int64_t)p->children_maxrss_kb;
    } else {
        cputime_to_rusage(who == RUSAGE_THREAD ? thread_cpu_times(current_thread()) : process_cpu_times(p), &ru);
        ru.maxrss = (int64_t)process_maxrss_kb(p);
    }
    return copy_to_user(a1, &ru, sizeof(ru)) ? -EFAULT : 0;
}
