/* What SysV message queues, semaphore sets and shared memory share (kernel/syscall/sysv_ipc.c, after Linux's
 * ipc/util.c): keys, ids and permissions. Each object starts with its struct ipc64_perm. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

#define IPC_PRIVATE 0
#define IPC_CREAT   01000
#define IPC_EXCL    02000
#define IPC_NOWAIT  04000
#define IPC_RMID 0
#define IPC_SET  1
#define IPC_STAT 2
#define IPC_INFO 3

/* arm64's (asm-generic) struct ipc64_perm. */
struct ipc64_perm {
    int32_t key;
    uint32_t uid, gid, cuid, cgid, mode;
    uint16_t seq, pad2;
    uint64_t unused1, unused2;
};

/* The limits IPC_INFO reports and /proc/sys/kernel/{msg*,shm*,sem} show: Linux's defaults
 * (uapi/linux/msg.h, shm.h, sem.h). */
#define MSGMAX 8192
#define MSGMNB 16384
#define MSGMNI 32000
#define SHMMAX (UINT64_MAX - (1ULL << 24))
#define SHMALL SHMMAX              /* in pages; as large as shmmax by default */
#define SHMMNI 4096
#define SEMMSL 32000
#define SEMOPM 500
#define SEMMNI 32000
#define SEMMNS (SEMMNI * SEMMSL)

#define IPC_SLOTS 256               /* objects of one kind at once here (Linux allows 32000) */

/* One kind's objects: a slot index plus a sequence number that grows each time allocation
 * wraps round the slots (Linux's idr_alloc_cyclic), so a removed object's id stays invalid. */
struct ipc_ids {
    struct ipc64_perm *slots[IPC_SLOTS];
    unsigned next, seq;              /* where the search for a free slot starts: after the last one taken */
};

/* Files obj (its perm filled in from key and the caller's credentials and flags' mode bits):
 * its id, or -ENOSPC. */
int ipc_add(struct ipc_ids *ids, struct ipc64_perm *obj, int key, int flags);
struct ipc64_perm *ipc_lookup(struct ipc_ids *ids, int id);
void ipc_remove(struct ipc_ids *ids, int id);
/* msgget/semget's lookup of a key: its id, -ENOENT (and *found NULL) when none has it. */
int ipc_find_key(struct ipc_ids *ids, int key, struct ipc64_perm **found);
/* Linux's ipcperms (want: 4 read, 2 write; root passes) and "owner or creator, or root". */
bool ipc_allowed(const struct ipc64_perm *perm, unsigned want);
bool ipc_owner(const struct ipc64_perm *perm);
/* IPC_SET's changes to uid, gid and the mode's permission bits. */
void ipc_set_perm(struct ipc64_perm *perm, const struct ipc64_perm *from);
/* msgget/semget/shmget on a key that exists, in Linux's order (ipcget_public): EEXIST for
 * IPC_CREAT|IPC_EXCL, then EACCES when the mode bits asked for are not granted; the caller's own
 * size checks (EINVAL) come after these. 0 when the id may be returned. */
int ipc_get_existing(const struct ipc64_perm *found, int flags);
/* msgctl/shmctl: the id and command checks before the object is looked up; a command the
 * caller does not answer (`supported` false) is EINVAL, logged once a call. */
int ipc_ctl_check(const char *call, int id, int cmd, bool supported, bool *logged);
/* What the INFO commands report (Linux's ipc_get_maxidx, ids->in_use): the highest index in use
 * (-1: none), how many objects there are. */
int ipc_max_index(const struct ipc_ids *ids);
int ipc_in_use(const struct ipc_ids *ids);
/* The *_STAT commands' and /proc/sysvipc's lookup by index (the low bits of an id, as Linux's
 * ipcid_to_idx takes them): the object and its full id in *id, or NULL. */
struct ipc64_perm *ipc_at_index(struct ipc_ids *ids, int index, int *id);
/* /proc/sysvipc/{msg,sem,shm} (sys_msg.c, sys_sem.c, sys_shm.c): the table's lines, in Linux's
 * columns, into buf; the length (at most size - 1). */
size_t msg_proc_text(char *buf, size_t size);
size_t sem_proc_text(char *buf, size_t size);
size_t shm_proc_text(char *buf, size_t size);
/* Their registration, at boot (sysvipc_proc.c). */
void sysvipc_proc_init(void);
int64_t ipc_now_s(void);

/* Linux's shm_open and shm_close for whole address spaces (sys_shm.c): a fork's copy attaches
 * again (shm_atime, shm_lpid: the parent), and an address space that goes with its last user
 * (exit, exec) detaches (shm_dtime, shm_lpid: p). */
struct vm;
struct process;
void shm_forked(struct process *parent, struct vm *copy);
void shm_vm_gone(struct process *p, struct vm *vm);

/* SEM_UNDO's adjustments of a process that ends (kernel/syscall/sys_sem.c, Linux's exit_sem). */
void sem_exit(int pid);
/* Whether pid has SEM_UNDO adjustments (Linux's undo_list is allocated): kcmp's KCMP_SYSVSEM. */
bool sem_has_undo(int pid);
