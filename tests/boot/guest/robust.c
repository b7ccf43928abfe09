/* A robust mutex whose owner thread exits without unlocking it: the next lock must say
 * EOWNERDEAD (the kernel walked the dead thread's robust list), pthread_mutex_consistent makes it
 * usable again, and a waiter blocked while the owner died is woken with EOWNERDEAD too. Timed
 * locks bound every wait, so a kernel that never marks the mutex prints ETIMEDOUT, not a hang. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m;

static void *lock_and_exit(void *arg)
{
    pthread_mutex_lock(&m);
    if (arg)
        usleep(200000);   /* let the main thread block on the mutex first */
    return NULL;          /* exits holding it */
}

static const char *timed_lock(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += 3;
    int r = pthread_mutex_timedlock(&m, &t);
    return r ? strerrorname_np(r) : "0";
}

int main(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&m, &a);
    pthread_t t;
    pthread_create(&t, NULL, lock_and_exit, NULL);
    pthread_join(t, NULL);
    printf("lock after the owner exited: %s\n", timed_lock());
    printf("consistent: %d\n", pthread_mutex_consistent(&m));
    printf("unlock: %d\n", pthread_mutex_unlock(&m));
    pthread_create(&t, NULL, lock_and_exit, (void *)1);
    usleep(50000);
    printf("waiter while the owner exits: %s\n", timed_lock());
    pthread_mutex_consistent(&m);
    pthread_mutex_unlock(&m);
    pthread_join(t, NULL);
    printf("lock again: %s\n", timed_lock());
    return 0;
}
