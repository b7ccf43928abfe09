/* Linux's __ptrace_may_access with real credentials, for the calls that look into another
 * process (process_vm_readv/writev, kcmp): the caller's thread group always; otherwise its real
 * uid and gid match all three of the target's, and the target is dumpable (a set-id change or
 * PR_SET_DUMPABLE 0 hides it), or the caller has CAP_SYS_PTRACE. Security modules (Yama) add
 * nothing here. */
#include "kernel.h"
#include "process.h"
#include "thread.h"

#define SUID_DUMP_USER 1

bool process_may_inspect(const struct process *caller, const struct process *t)
{
    if (caller == t)
        return true;
    const struct creds *c = &caller->cred, *o = &t->cred;
    bool same_ids = c->uid == o->euid && c->uid == o->suid && c->uid == o->uid &&
                    c->gid == o->egid && c->gid == o->sgid && c->gid == o->gid;
    bool privileged = process_capable(caller, CAP_SYS_PTRACE);
    if (!same_ids && !privileged)
        return false;
    return t->dumpable == SUID_DUMP_USER || privileged || !t->vm;
}

struct process *process_of_task(int id)
{
    if (id <= 0)
        return NULL;
    struct thread *t = thread_find(id);
    return t ? t->proc : process_find(id);
}
