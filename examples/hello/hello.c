/* The first program unibuild runs: greets, lists its arguments, exits with status 0. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("hello world!\n");
    printf("args:\n");
    for (int i = 1; i < argc; i++)
        printf("  %s\n", argv[i]);
    return 0;
}
