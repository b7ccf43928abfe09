/* exit_as N: exit with status N; exit_as segv: die of SIGSEGV (a shell would say 139). The
 * nested-KVM test's two ways for a program to end other than 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: exit_as N|segv\n");
        return 2;
    }
    if (strcmp(argv[1], "segv") == 0) {
        /* argc is 2 here: address 0, which the compiler cannot see coming. */
        volatile int *nowhere = (volatile int *)(long)(argc - 2);
        return *nowhere;
    }
    return atoi(argv[1]);
}
