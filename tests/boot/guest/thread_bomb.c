/* Many threads at once: argv[1] threads are created, all wait in one barrier, then all are
 * joined. tests/boot/test_run_threads.py runs it with a bounded time: the scheduler must not
 * look at every parked thread on every switch, nor mmap search every stack for each new one. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_barrier_t barrier;

static void *body(void *arg)
{
    pthread_barrier_wait(&barrier);
    return arg;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    pthread_t *threads = malloc(sizeof(*threads) * (size_t)n);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 65536);
    pthread_barrier_init(&barrier, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++)
        if (pthread_create(&threads[i], &attr, body, (void *)(long)i)) {
            printf("pthread_create %d failed\n", i);
            return 1;
        }
    printf("created %d threads\n", n);
    pthread_barrier_wait(&barrier);
    long sum = 0;
    for (int i = 0; i < n; i++) {
        void *r;
        pthread_join(threads[i], &r);
        sum += (long)r;
    }
    printf("joined them all: %s\n", sum == (long)n * (n - 1) / 2 ? "ok" : "wrong results");
    return 0;
}
