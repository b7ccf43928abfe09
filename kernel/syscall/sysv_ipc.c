/* SysV IPC ids, keys and permissions (include/sysv_ipc.h), after Linux's ipc/util.c. */
#include "kernel.h"
#include "sysv_ipc.h"
#include "process.h"
#include "timer.h"
#include "errno.h"

#define SEQ_SHIFT 15                /* Linux's IPCMNI_SHIFT: id = seq << 15 | slot */

int64_t ipc_now_s(void) { return (int64_t)(time_realtime_ns() / 1000000000ULL); }

int ipc_add(struct ipc_ids *ids, struct ipc64_perm *obj, int key, int flags)
{
    for (unsigned i = 0; i < IPC_SLOTS; i++) {
        unsigned slot = (ids->next + i) % IPC_SLOTS;
        if (ids->slots[slot])
            continue;
        if (slot < ids->next)          /* wrapped round: Linux's idx <= last_idx */
            ids->seq = (ids->seq + 1) % (1u << (31 - SEQ_SHIFT));
        ids->next = slot + 1;
        struct creds *c = &current_process()->cred;
        *obj = (struct ipc64_perm){ .key = key, .uid = c->euid, .gid = c->egid, .cuid = c->euid, .cgid = c->egid,
                                    .mode = (uint32_t)flags & 0777, .seq = (uint16_t)ids->seq };
        ids->slots[slot] = obj;
        return (int)((unsigned)obj->seq << SEQ_SHIFT | slot);
    }
    return -ENOSPC;
}

struct ipc64_perm *ipc_lookup(struct ipc_ids *ids, int id)
{
    unsigned slot = (unsigned)id & ((1u << SEQ_SHIFT) - 1);
    if (id < 0 || slot >= IPC_SLOTS || !ids->slots[slot] || ids->slots[slot]->seq != ((unsigned)id >> SEQ_SHIFT))
        return NULL;
    return ids->slots[slot];
}

void ipc_remove(struct ipc_ids *ids, int id)
{
    ids->slots[(unsigned)id & ((1u << SEQ_SHIFT) - 1)] = NULL;
}

int ipc_find_key(struct ipc_ids *ids, int key, struct ipc64_perm **found)
{
    *found = NULL;
    if (key != IPC_PRIVATE)
        for (unsigned i = 0; i < IPC_SLOTS; i++)
            if (ids->slots[i] && ids->slots[i]->key == key) {
                *found = ids->slots[i];
                return (int)((unsigned)ids->slots[i]->seq << SEQ_SHIFT | i);
            }
    return -ENOENT;
}

bool ipc_allowed(const struct ipc64_perm *perm, unsigned want)
{
    struct creds *c = &current_process()->cred;
    if (c->euid == 0)
        return true;
    unsigned mode = perm->mode;
    if (c->euid == perm->uid || c->euid == perm->cuid)
        mode >>= 6;
    else if (c->egid == perm->gid || c->egid == perm->cgid)
        mode >>= 3;
    return (mode & want & 7) == want;
}

bool ipc_owner(const struct ipc64_perm *perm)
{
    struct creds *c = &current_process()->cred;
    return c->euid == 0 || c->euid == perm->uid || c->euid == perm->cuid;
}

void ipc_set_perm(struct ipc64_perm *perm, const struct ipc64_perm *from)
{
    perm->uid = from->uid;
    perm->gid = from->gid;
    perm->mode = (perm->mode & ~0777u) | (from->mode & 0777);
}

int ipc_max_index(const struct ipc_ids *ids)
{
    for (int i = IPC_SLOTS - 1; i >= 0; i--)
        if (ids->slots[i])
            return i;
    return -1;
}

int ipc_in_use(const struct ipc_ids *ids)
{
    int n = 0;
    for (unsigned i = 0; i < IPC_SLOTS; i++)
        n += ids->slots[i] != NULL;
    return n;
}

struct ipc64_perm *ipc_at_index(struct ipc_ids *ids, int index, int *id)
{
    unsigned slot = (unsigned)index & ((1u << SEQ_SHIFT) - 1);   /* Linux's ipcid_to_idx */
    if (slot >= IPC_SLOTS || !ids->slots[slot])
        return NULL;
    *id = (int)((unsigned)ids->slots[slot]->seq << SEQ_SHIFT | slot);
    return ids->slots[slot];
}

int ipc_ctl_check(const char *call, int id, int cmd, bool supported, bool *logged)
{
    if (id < 0 || cmd < 0)
        return -EINVAL;
    if (!supported) {
        if (!*logged) {
            *logged = true;
            kinfo("%s: command %d not supported, returning EINVAL\n", call, cmd);
        }
        return -EINVAL;
    }
    return 0;
}

int ipc_get_existing(const struct ipc64_perm *found, int flags)
{
    if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
        return -EEXIST;
    return ipc_allowed(found, ((unsigned)flags >> 6) & 7) ? 0 : -EACCES;
}
