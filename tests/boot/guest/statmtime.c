/* Each path's mtime as stat(2) reports it, "PATH SEC.NSEC" (tests/boot/test_keep_mtime.py). */
#include <stdio.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            perror(argv[i]);
            return 1;
        }
        printf("%s %lld.%09ld\n", argv[i], (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    }
    return 0;
}
