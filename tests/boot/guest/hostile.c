/* What a hostile or buggy program gets back, against Linux: bad buffers must not eat data, bad
 * addresses are errors and never kernel faults. `hostile DIR` works in an empty directory;
 * `hostile oom` touches memory until the kernel kills it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("%s = %ld\n", what, r);
}

static sigjmp_buf back;
static volatile int segv_code;
static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    segv_code = si->si_code;
    siglongjmp(back, 1);
}
static void forge_pstate(int sig, siginfo_t *si, void *ucv)
{
    (void)sig; (void)si;
    ucontext_t *uc = ucv;
    uc->uc_mcontext.pstate |= 0x3c0 | 0x5;   /* DAIF masked, EL1h: not a user state */
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "oom")) {
        for (;;) {
            char *p = malloc(1 << 20);
            if (!p)
                return 3;
            memset(p, 1, 1 << 20);
        }
    }
    if (argc < 2 || chdir(argv[1]))
        return 2;
    setvbuf(stdout, NULL, _IONBF, 0);
    int p[2];
    if (pipe(p) || write(p[1], "sixteen bytes!!!", 16) != 16)
        return 1;
    show("pipe read into NULL", read(p[0], NULL, 16));
    char buf[32] = { 0 };
    show("then a good read", read(p[0], buf, sizeof(buf)));
    printf("got \"%s\"\n", buf);

    long page = sysconf(_SC_PAGESIZE);
    char *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(two + page, page);
    int fd = open("data", O_CREAT | O_RDWR | O_TRUNC, 0644);
    for (int i = 0; i < 100; i++)
        if (write(fd, "0123456789", 10) != 10)
            return 1;
    lseek(fd, 0, SEEK_SET);
    show("file read crossing into an unmapped page", read(fd, two + page - 10, 100));
    show("offset after it", lseek(fd, 0, SEEK_CUR));
    show("pwrite at 2^63-1", pwrite(fd, "x", 1, INT64_MAX));
    show("pwrite at 2^63-2 (cut short)", pwrite(fd, "xy", 2, INT64_MAX - 1) > 0 ? 0 : -1);

    show("FUTEX_WAKE on a kernel address", syscall(SYS_futex, (void *)0xffff000000001000UL, FUTEX_WAKE, 1, 0, 0, 0));
    show("FUTEX_WAKE unaligned", syscall(SYS_futex, (void *)(buf + 1), FUTEX_WAKE, 1, 0, 0, 0));
    show("MAP_FIXED at a kernel address", (long)mmap((void *)0xffff000000000000UL, page, PROT_READ,
                                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == -1 ? -1 : 0);
    show("MAP_FIXED across the top of user space", (long)mmap((void *)((1UL << 48) - page), 2 * page, PROT_READ,
                                                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == -1 ? -1 : 0);
    long pid = getpid();
    printf("syscall number with upper bits set is getpid: %s\n",
           syscall((1L << 32) | SYS_getpid) == pid ? "yes" : "no");

    struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
    sigaction(SIGSEGV, &sa, NULL);
    struct sigaction forge = { .sa_sigaction = forge_pstate, .sa_flags = SA_SIGINFO };
    sigaction(SIGUSR1, &forge, NULL);
    if (!sigsetjmp(back, 1)) {
        raise(SIGUSR1);
        printf("forged pstate: returned normally\n");
    } else {
        printf("forged pstate: SIGSEGV code %d\n", segv_code);
    }
    return 0;
}
