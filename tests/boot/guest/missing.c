/* Looks for files that are not there (tests/boot/test_missing_files.py): a stat, an open of a
 * file the target root has but the image does not, a relative open after chdir, and a dlopen
 * of a library the program does not link. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void)
{
    struct stat st;
    stat("/etc/no-such.conf", &st);
    open("/usr/share/zoneinfo/UTC", O_RDONLY);
    chdir("/tmp");
    open("relative/x", O_RDONLY);
    void *h = dlopen("libz.so.1", RTLD_NOW);
    printf("dlopen %s\n", h ? "ok" : "failed");
    return 0;
}
