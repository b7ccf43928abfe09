/* Thread behaviour probe: every line must match Linux (oracle: this program under
 * qemu-aarch64-static). Covers pthread create/join, mutex and condition variable hand-offs
 * (futex wait/wake, FUTEX_WAIT_BITSET with absolute timeouts), thread-local storage, per-thread
 * signal masks and pthread_kill, sleeping threads, detached threads, many short-lived threads,
 * gettid/getpid, and the process ending through pthread_exit of the main thread. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void say(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (write(1, buf, (size_t)n) < 0)
        _exit(99);
}

static __thread int tls_value = 7;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int turn;

static void *adder(void *arg)
{
    tls_value = (int)(intptr_t)arg;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return (void *)(intptr_t)(tls_value * 10);
}

/* Two threads take strict turns through one condition variable. */
static void *ping(void *arg)
{
    int me = (int)(intptr_t)arg;
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&lock);
        while (turn != me)
            pthread_cond_wait(&cond, &lock);
        counter++;
        turn = 1 - me;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static atomic_int usr1_hits, usr1_wrong_thread;
static pthread_t target;

static void usr1(int sig)
{
    atomic_fetch_add(&usr1_hits, 1);
    if (!pthread_equal(pthread_self(), target))
        atomic_fetch_add(&usr1_wrong_thread, 1);
}

static atomic_int stop;

static void *spinner(void *arg)
{
    while (!atomic_load(&stop))
        ;                              /* needs preemption for the main thread to go on */
    return NULL;
}

static void *sleeper(void *arg)
{
    struct timespec ts = { 0, 30 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    return (void *)(intptr_t)(syscall(SYS_gettid) != getpid());
}

static atomic_int detached_done;

static void *detached(void *arg)
{
    atomic_fetch_add(&detached_done, 1);
    return NULL;
}

static void *short_lived(void *arg) { return arg; }

static void *last_one(void *arg)
{
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    say("9. last thread exits the process with status 0 after main's pthread_exit\n");
    return NULL;
}

int main(void)
{
    say("1. four threads add under a mutex\n");
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, adder, (void *)(intptr_t)(i + 1));
    long sum = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (intptr_t)r;
    }
    say("   counter %ld, results %ld, main tls %d\n", counter, sum, tls_value);

    say("2. condition variable ping-pong\n");
    counter = 0;
    pthread_create(&t[0], NULL, ping, (void *)0);
    pthread_create(&t[1], NULL, ping, (void *)1);
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    say("   counter %ld\n", counter);

    say("3. timed wait times out\n");
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 30 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&lock);
    int r = pthread_cond_timedwait(&cond, &lock, &deadline);
    pthread_mutex_unlock(&lock);
    say("   %s\n", strerrorname_np(r));

    say("4. pthread_kill reaches the chosen thread\n");
    signal(SIGUSR1, usr1);
    pthread_create(&target, NULL, sleeper, NULL);
    pthread_kill(target, SIGUSR1);
    void *res;
    pthread_join(target, &res);
    say("   hits %d wrong thread %d, tid differs from pid %ld\n", usr1_hits, usr1_wrong_thread, (long)(intptr_t)res);

    say("5. a spinning thread does not starve main\n");
    pthread_create(&t[0], NULL, spinner, NULL);
    struct timespec nap = { 0, 20 * 1000 * 1000 };
    nanosleep(&nap, NULL);
    atomic_store(&stop, 1);
    pthread_join(t[0], NULL);
    say("   joined\n");

    say("6. detached threads\n");
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], &attr, detached, NULL);
    while (atomic_load(&detached_done) < 3)
        sched_yield();
    say("   %d ran\n", atomic_load(&detached_done));

    say("7. 200 short-lived threads\n");
    long total = 0;
    for (int i = 0; i < 200; i++) {
        pthread_t s;
        if (pthread_create(&s, NULL, short_lived, (void *)(intptr_t)i)) {
            say("   create failed at %d\n", i);
            return 1;
        }
        void *v;
        pthread_join(s, &v);
        total += (intptr_t)v;
    }
    say("   sum %ld\n", total);

    say("8. blocked signal stays with the thread that blocks it\n");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR2);
    sigset_t pend;
    sigpending(&pend);
    say("   pending in main %d\n", sigismember(&pend, SIGUSR2));
    int sig;
    sigwait(&set, &sig);
    say("   sigwait got %d\n", sig);

    pthread_create(&t[0], NULL, last_one, NULL);
    pthread_exit(NULL);
}
