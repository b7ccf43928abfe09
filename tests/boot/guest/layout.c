/* Where the program, its heap, the mmap area and the stack ended up: one line of addresses, so
 * that two boots can be compared (ASLR) and checked against Linux's arm64 neighbourhoods. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
    int local = 0;
    void *heap = sbrk(0);
    void *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("main %p heap %p mmap %p stack %p libc %p\n", (void *)main, heap, map, (void *)&local, (void *)printf);
    return 0;
}
