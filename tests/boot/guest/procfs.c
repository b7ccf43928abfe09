/* /proc files checked against what the program learns by other calls (tests/boot/test_procfs.py):
 * meminfo against sysinfo, self/status against getpid, the thread count and the signal mask,
 * cpuinfo's Features against AT_HWCAP, mounts against statfs. Each line ends in 1 or 0. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static char text[8192];

static const char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    text[n] = 0;
    if (f)
        fclose(f);
    return text;
}

static long field(const char *path, const char *name)
{
    const char *t = slurp(path), *p = strstr(t, name);
    return p ? strtol(p + strlen(name), NULL, 16 * (strstr(name, "Sig") != NULL) + 10 * (strstr(name, "Sig") == NULL))
             : -1;
}

static void *parked(void *arg)
{
    pause();
    return arg;
}

int main(void)
{
    struct sysinfo si;
    sysinfo(&si);
    printf("meminfo MemTotal is sysinfo's totalram: %d\n", field("/proc/meminfo", "MemTotal:") * 1024 == (long)si.totalram);
    long avail = field("/proc/meminfo", "MemAvailable:");
    printf("meminfo MemAvailable within MemTotal: %d\n", avail > 0 && avail <= field("/proc/meminfo", "MemTotal:"));
    printf("status Pid is getpid: %d\n", field("/proc/self/status", "\nPid:\t") == getpid());
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, parked, NULL);
    printf("status Threads with two more: %d\n", field("/proc/self/status", "Threads:\t") == 3);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    printf("status SigBlk has SIGUSR1: %d\n", (field("/proc/self/status", "SigBlk:\t") & (1L << (SIGUSR1 - 1))) != 0);
    signal(SIGTERM, SIG_IGN);
    printf("status SigIgn has SIGTERM: %d\n", (field("/proc/self/status", "SigIgn:\t") & (1L << (SIGTERM - 1))) != 0);
    slurp("/proc/cpuinfo");
    unsigned long hw = getauxval(AT_HWCAP);
    static const char *const names[] = { "fp", "asimd", NULL, "aes", "pmull", "sha1", "sha2", "crc32", "atomics" };
    int agree = strstr(text, "processor\t: 0\n") != NULL;
    for (int i = 0; i < 9; i++)
        if (names[i]) {
            char word[32];
            snprintf(word, sizeof(word), " %s", names[i]);
            const char *at = strstr(text, word);
            int listed = at && (at[strlen(word)] == ' ' || at[strlen(word)] == '\n');
            agree &= listed == !!(hw & (1UL << i));
        }
    printf("cpuinfo Features agree with AT_HWCAP: %d\n", agree);
    slurp("/proc/mounts");
    char dev[64], dir[64], type[64];
    struct statfs sf;
    printf("mounts lists / and statfs answers for it: %d\n",
           sscanf(text, "%63s %63s %63s", dev, dir, type) == 3 && !strcmp(dir, "/") && statfs(dir, &sf) == 0);
    return 0;
}
