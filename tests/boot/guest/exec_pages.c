/* Executing code the program wrote: the paths that need the kernel's I-cache maintenance on a
 * real core (docs/cache-maintenance.md). Each case writes `mov w0, #N; ret` somewhere, makes it
 * executable the way real programs do (a JIT's write-then-mprotect, a re-JIT with
 * __clear_cache, an RWX page, code in a file mapped PROT_EXEC) and calls it. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef int (*fn_t)(void);

static void emit(void *at, unsigned value)
{
    uint32_t code[2] = { 0x52800000u | (value << 5), 0xd65f03c0u };   /* mov w0, #value; ret */
    memcpy(at, code, sizeof(code));
}

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    emit(p, 42);
    if (mprotect(p, page, PROT_READ | PROT_EXEC))
        return 2;
    printf("write then mprotect rx: %d\n", ((fn_t)p)());

    if (mprotect(p, page, PROT_READ | PROT_WRITE))
        return 3;
    emit(p, 7);
    __builtin___clear_cache(p, p + 8);
    if (mprotect(p, page, PROT_READ | PROT_EXEC))
        return 4;
    printf("rewritten, cleared, mprotect rx again: %d\n", ((fn_t)p)());

    char *rwx = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (rwx == MAP_FAILED)
        return 5;
    emit(rwx, 5);
    __builtin___clear_cache(rwx, rwx + 8);
    printf("rwx page: %d\n", ((fn_t)rwx)());

    char path[] = "/tmp/exec_pages_XXXXXX";
    int fd = mkstemp(path);
    char buf[8];
    emit(buf, 99);
    if (fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf))
        return 6;
    char *f = mmap(NULL, page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    if (f == MAP_FAILED)
        return 7;
    printf("file mapped rx: %d\n", ((fn_t)f)());
    unlink(path);
    return 0;
}
