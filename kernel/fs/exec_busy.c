/* ETXTBSY, Linux 6.1's i_writecount rules without the counter's sign trick: the writers are
 * counted in the vnode, the executions are the live processes whose program it is (6.1 denies
 * writes to every mm's exe_file for the mm's life, fork's copies included; shared libraries
 * are no longer protected since MAP_DENYWRITE went in 5.15). */
#include "kernel.h"
#include "process.h"
#include "vnode.h"

bool vfs_executing(struct vnode *v)
{
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->vm && p->exe == v)
            return true;
    return false;
}

bool vfs_open_for_write(struct vnode *v) { return v->writers != 0; }

void vfs_writer(struct vnode *v, int delta)
{
    if (v->type == VNODE_FILE && (delta > 0 || v->writers))   /* never below zero */
        v->writers += delta;
}
