/* /proc, /dev and /sys listed and read as ps, df and nproc-like code do (tests/boot/test_proc_listing.py).
 * Prints every entry of the three directories with its d_type, then what /proc/self says of the
 * process, as lines the test compares with Linux (qemu-aarch64-static: there the host's /proc). */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void list(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        printf("list %s: cannot open\n", dir);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)))
        printf("entry %s %s %d\n", dir, e->d_name, e->d_type);
    closedir(d);
}

static int slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    int n = fd < 0 ? -1 : (int)read(fd, buf, size - 1);
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = 0;
    return n;
}

int main(int argc, char **argv)
{
    char buf[4096], link[64];
    list("/proc");
    list("/dev");
    list("/sys/devices/system/cpu");
    list("/proc/self");
    list("/proc/sys/kernel");
    ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = 0;
    printf("self names the pid: %d\n", atoi(link) == getpid());
    snprintf(buf, sizeof(buf), "/proc/%d", getpid());
    struct stat st;
    printf("pid directory is a directory: %d\n", stat(buf, &st) == 0 && S_ISDIR(st.st_mode));
    slurp("/proc/self/stat", buf, sizeof(buf));
    int fields = 0;
    for (char *p = strrchr(buf, ')'); p && *p; p++)
        fields += *p == ' ';
    printf("stat fields: %d\n", fields + 2);   /* pid and comm, then one per space */
    printf("stat pid is getpid: %d\n", atoi(buf) == getpid());
    printf("stat comm: %.*s\n", (int)(strchr(buf, ')') - strchr(buf, '(') + 1), strchr(buf, '('));
    n = slurp("/proc/self/cmdline", buf, sizeof(buf));
    for (ssize_t i = 0; i < n; i++)
        buf[i] = buf[i] ? buf[i] : ' ';
    printf("cmdline is argv: %d\n", n > 0 && !strncmp(buf, argv[0], strlen(argv[0])) && strstr(buf, " one two ") != NULL);
    slurp("/proc/self/comm", buf, sizeof(buf));
    printf("comm: %s", buf);
    int dev;   /* relative to /dev: the walk finds the kernel's device */
    printf("relative open of a device: %d\n", chdir("/dev") == 0 && (dev = open("null", O_WRONLY)) >= 0 &&
                                               write(dev, "x", 1) == 1 && fstat(dev, &st) == 0 && S_ISCHR(st.st_mode));
    slurp("/sys/devices/system/cpu/online", buf, sizeof(buf));
    printf("online CPUs agree with sysconf: %d\n",
           sysconf(_SC_NPROCESSORS_ONLN) == (strchr(buf, '-') ? atoi(strchr(buf, '-') + 1) + 1 : 1));
    return argc == 3 ? 0 : 1;
}
