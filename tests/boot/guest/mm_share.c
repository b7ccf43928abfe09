/* Memory two mappings or two processes share, against Linux (oracle: the same static binary
 * under qemu-aarch64-static): mremap with MREMAP_FIXED and MREMAP_DONTUNMAP, a raw futex wait
 * in a parent woken from its child on a MAP_SHARED|MAP_ANONYMOUS page, and process-shared
 * pthread mutexes and condition variables. Only what is the same on any Linux is printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static long page;

static void *map(size_t pages, int flags, char fill)
{
    char *p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        abort();
    memset(p, fill, pages * page);
    return p;
}

static const char *result(void *r) { return r == MAP_FAILED ? strerror(errno) : "ok"; }
static int mapped(void *p) { return msync(p, page, MS_ASYNC) == 0; }

static void section_mremap_fixed(void)
{
    printf("1. mremap MREMAP_FIXED\n");
    char *a = map(3, MAP_PRIVATE, 'a'), *b = map(4, MAP_PRIVATE, 'b');
    a[page] = '1';
    void *r = mremap(a, 3 * page, 3 * page, MREMAP_MAYMOVE | MREMAP_FIXED, b);
    printf("  move onto a mapping: %s at target %d, contents %c%c%c, old mapped %d, rest of target %c\n", result(r),
           r == b, b[0], b[page], b[2 * page], mapped(a), b[3 * page]);
    char *c = map(1, MAP_PRIVATE, 'c');
    munmap(c, page);
    r = mremap(b, 3 * page, page, MREMAP_MAYMOVE | MREMAP_FIXED, c);
    printf("  shrink while moving: %s at target %d, contents %c, old pages mapped %d %d\n", result(r), r == c, c[0],
           mapped(b), mapped(b + page));
    char *d = map(4, MAP_PRIVATE, 'd');
    munmap(d, 4 * page);
    r = mremap(c, page, 4 * page, MREMAP_MAYMOVE | MREMAP_FIXED, d);
    printf("  grow while moving: %s, contents %c, new pages %d %d\n", result(r), d[0], d[page], d[3 * page]);
    errno = 0;
    r = mremap(d, page, page, MREMAP_FIXED, b);
    printf("  FIXED without MAYMOVE: %s\n", result(r));
    r = mremap(d, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, d + page);
    printf("  overlapping ranges: %s\n", result(r));
    r = mremap(d, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, d + 4 * page + 1);
    printf("  unaligned target: %s\n", result(r));
    r = mremap(d, page, page, 8 | MREMAP_MAYMOVE, NULL);
    printf("  unknown flag: %s\n", result(r));
    munmap(b, 4 * page);
    r = mremap(b, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, d + 8 * page);
    printf("  nothing mapped at old: %s\n", result(r));

    /* A shared anonymous mapping moved stays shared with a later fork's child. */
    char *s = map(2, MAP_SHARED, 's'), *t = map(2, MAP_PRIVATE, 't');
    r = mremap(s, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, t);
    pid_t pid = fork();
    if (pid == 0) {
        t[0] = 'C';
        t[page] = 'D';
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("  moved shared mapping: %s, the child's writes seen %c%c\n", result(r), t[0], t[page]);
}

static void section_dontunmap(void)
{
    printf("2. mremap MREMAP_DONTUNMAP\n");
    char *a = map(2, MAP_PRIVATE, 'a');
    char *r = mremap(a, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
    printf("  private: %s, moved %c%c, old still mapped %d and empty %d\n", result(r), r == MAP_FAILED ? '-' : r[0],
           r == MAP_FAILED ? '-' : r[page], mapped(a), a[0] == 0 && a[page] == 0);
    r = mremap(a, 2 * page, 3 * page, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
    printf("  other length: %s\n", result(r));
    r = mremap(a, 2 * page, 2 * page, MREMAP_DONTUNMAP, NULL);
    printf("  without MAYMOVE: %s\n", result(r));
}

static long futex(void *word, int op, int val, const struct timespec *ts)
{
    return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

/* The child wakes until its wake finds the parent asleep (bounded), then ends the wait. */
static void section_futex(void)
{
    printf("3. futex across processes\n");
    volatile int *word = map(1, MAP_SHARED, 0);
    pid_t pid = fork();
    if (pid == 0) {
        int found = 0;
        for (int i = 0; i < 5000 && !found; i++) {
            found = futex((void *)word, FUTEX_WAKE, 1, NULL) == 1;
            if (!found)
                usleep(1000);
        }
        *word = 1;
        futex((void *)word, FUTEX_WAKE, 1, NULL);
        _exit(found);
    }
    int waits = 0, woken = 0;
    struct timespec limit = { 5, 0 };
    while (*word == 0 && waits < 5) {
        long r = futex((void *)word, FUTEX_WAIT, 0, &limit);
        woken += r == 0;
        waits++;
    }
    int status;
    waitpid(pid, &status, 0);
    printf("  parent woken %d, child's wake found it %d\n", woken > 0, WEXITSTATUS(status));
}

struct shared {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int flag, counter;
};

static void section_pshared(void)
{
    printf("4. process-shared mutex and condition variable\n");
    struct shared *s = map(1, MAP_SHARED, 0);
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&s->mutex, &ma);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &ca);
    pid_t pid = fork();
    if (pid == 0) {
        int timed_out = 0;
        pthread_mutex_lock(&s->mutex);
        while (!s->flag && !timed_out) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_sec += 10;
            timed_out = pthread_cond_timedwait(&s->cond, &s->mutex, &until) == ETIMEDOUT;
        }
        pthread_mutex_unlock(&s->mutex);
        for (int i = 0; i < 20000; i++) {
            pthread_mutex_lock(&s->mutex);
            s->counter++;
            pthread_mutex_unlock(&s->mutex);
        }
        _exit(timed_out ? 2 : 0);
    }
    usleep(20000);
    pthread_mutex_lock(&s->mutex);
    s->flag = 1;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->mutex);
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&s->mutex);
        s->counter++;
        pthread_mutex_unlock(&s->mutex);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("  child signalled (not timed out): %d, counter %d\n", WEXITSTATUS(status) == 0, s->counter);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    page = sysconf(_SC_PAGESIZE);
    section_mremap_fixed();
    section_dontunmap();
    section_futex();
    section_pshared();
    return 0;
}
