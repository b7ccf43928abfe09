/* sendfile, fadvise64, close_range, memfd_create, O_TMPFILE and wait4, against Linux (oracle:
 * this program under qemu-aarch64-static). `misc_io DIR` works in an empty directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *res(long r) { return r < 0 ? strerrorname_np(errno) : "ok"; }

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    setvbuf(stdout, NULL, _IONBF, 0);
    int src = open("src", O_CREAT | O_RDWR, 0644);
    for (int i = 0; i < 3000; i++)
        dprintf(src, "line %04d\n", i);                     /* 30000 bytes */
    printf("1. sendfile\n");
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    off_t off = 10;
    printf("   to a socket with an offset: %zd, offset now %lld, file position %lld\n",
           sendfile(sv[0], src, &off, 25), (long long)off, (long long)lseek(src, 0, SEEK_CUR));
    char buf[64] = { 0 };
    printf("   received: %zd \"%.25s\"\n", read(sv[1], buf, sizeof(buf)), buf);
    lseek(src, 29990, SEEK_SET);
    printf("   at the end, by position: %zd, position %lld\n", sendfile(sv[0], src, NULL, 100),
           (long long)lseek(src, 0, SEEK_CUR));
    printf("   past the end: %zd\n", sendfile(sv[0], src, NULL, 100));
    int dst = open("dst", O_CREAT | O_WRONLY, 0644);
    off = 0;
    printf("   file to file: %zd\n", sendfile(dst, src, &off, 30000));
    struct stat st;
    fstat(dst, &st);
    printf("   dst size %lld\n", (long long)st.st_size);
    printf("   from a socket: %s\n", res(sendfile(dst, sv[1], NULL, 10)));
    printf("   bad descriptor: %s\n", res(sendfile(99, src, NULL, 10)));
    int app = open("dst", O_WRONLY | O_APPEND);
    printf("   to O_APPEND: %s\n", res(sendfile(app, src, &off, 10)));
    close(app);

    printf("2. fadvise\n");
    int pp[2];
    if (pipe(pp))
        return 1;
    printf("   file: %d, socket: %d, pipe: %d, bad advice: %d, bad fd: %d\n",
           posix_fadvise(src, 0, 0, POSIX_FADV_SEQUENTIAL), posix_fadvise(sv[0], 0, 0, POSIX_FADV_NORMAL),
           posix_fadvise(pp[0], 0, 0, POSIX_FADV_NORMAL), posix_fadvise(src, 0, 0, 99),
           posix_fadvise(99, 0, 0, POSIX_FADV_NORMAL));

    printf("3. memfd and O_TMPFILE\n");
    int m = memfd_create("probe", MFD_CLOEXEC);
    printf("   memfd: %s, write %zd, size ", res(m), write(m, "memory file", 11));
    fstat(m, &st);
    printf("%lld mode %o, cloexec %d\n", (long long)st.st_size, st.st_mode, (fcntl(m, F_GETFD) & FD_CLOEXEC) != 0);
    memset(buf, 0, sizeof(buf));
    printf("   pread: %zd \"%s\"\n", pread(m, buf, 20, 0), buf);
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0);
    memcpy(p, "MEMORY", 6);
    memset(buf, 0, sizeof(buf));
    printf("   shared mapping writes it: %zd \"%s\"\n", pread(m, buf, 11, 0), buf);
    printf("   bad flags: %s\n", res(memfd_create("x", 0x100)));
    int t = open(".", O_TMPFILE | O_RDWR, 0600);
    printf("   O_TMPFILE: %s, write %zd", res(t), write(t, "tmp", 3));
    fstat(t, &st);
    printf(", nlink %lu size %lld\n", (unsigned long)st.st_nlink, (long long)st.st_size);
    printf("   O_TMPFILE read-only: %s\n", res(open(".", O_TMPFILE | O_RDONLY, 0600)));

    printf("4. close_range\n");
    int a = dup(src), b = dup(src), c = dup(src);
    printf("   cloexec: %s, flag %d\n", res(syscall(SYS_close_range, a, b, 4)), fcntl(a, F_GETFD));
    printf("   close: %s, then fcntl: %s %s, c still open %d\n", res(syscall(SYS_close_range, a, b, 0)),
           res(fcntl(a, F_GETFD)), res(fcntl(b, F_GETFD)), fcntl(c, F_GETFD) >= 0);
    printf("   first > last: %s, bad flags: %s\n", res(syscall(SYS_close_range, 9, 3, 0)),
           res(syscall(SYS_close_range, 3, 9, 1)));

    printf("5. no children\n");
    int status;
    printf("   wait4: %s, waitpid WNOHANG: %s, bad options: %s\n", res(wait4(-1, &status, 0, NULL)),
           res(waitpid(-1, &status, WNOHANG)), res(waitpid(-1, &status, 0x1000)));
    return 0;
}
