/* Starting a program: load its ELF (and its interpreter), build the initial stack. */
#pragma once
#include <stdint.h>

struct process;

struct user_entry {
    uint64_t pc, sp;
};

/* Returns 0 and where to start, or a negative errno with a console line saying what was wrong. */
int exec_program(struct process *p, const char *path, int argc, const char *const *argv,
                 int envc, const char *const *envp, struct user_entry *out);
/* execve's part: the program already looked up (v), into p's (fresh) address space, with no
 * console line on failure. */
struct vnode;
int exec_vnode(struct process *p, struct vnode *v, const char *path, int argc, const char *const *argv,
               int envc, const char *const *envp, struct user_entry *out);
