/* The names uname reports, per UTS namespace (proc/uts_ns.c): set by sethostname/setdomainname
 * (sys_system.c) in the caller's namespace, a new one made by unshare/clone's CLONE_NEWUTS. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#define UTS_NAME_LEN 64   /* __NEW_UTS_LEN */
/* uname's sysname and release (/proc/sys/kernel/ostype, osrelease): the Linux ABI level we implement. */
#define UTS_SYSNAME "Linux"
#define UTS_RELEASE "6.1.0-unibuild"
/* uname's version (/proc/sys/kernel/version): the build number and configuration, as Linux's
 * "#1 SMP PREEMPT_DYNAMIC ..." (the kernel.h KERNEL_VERSION macro gives the unibuild release). */
#define UTS_VERSION(unibuild_release) "#1 SMP unibuild " unibuild_release

struct process;
struct uts_ns;

/* The calling process's names (NUL-terminated, at most UTS_NAME_LEN bytes). */
const char *uts_hostname(void);
const char *uts_domainname(void);
/* The caller's writable copies (UTS_NAME_LEN + 1 bytes each), for sethostname/setdomainname. */
char *uts_hostname_buf(void);
char *uts_domainname_buf(void);
/* A new process's namespace: its parent's, or (fresh) a copy of it; -ENOMEM. */
int uts_fork(struct process *child, const struct process *parent, bool fresh);
/* unshare(CLONE_NEWUTS): the caller gets a copy of its namespace of its own. */
int uts_unshare(struct process *p);
/* The process is freed: its hold on the namespace goes. */
void uts_release(struct process *p);
/* An open /proc/<pid>/ns/uts holds p's namespace (uts_ns_drop lets go); setns enters one. */
struct uts_ns *uts_ns_hold(const struct process *p);
void uts_ns_drop(struct uts_ns *ns);
uint32_t uts_ns_number(const struct uts_ns *ns);
void uts_ns_enter(struct process *p, struct uts_ns *ns);
/* The namespace's inode number (/proc/<pid>/ns/uts: "uts:[N]"; the first is Linux's 0xEFFFFFFE). */
uint32_t uts_inum(const struct process *p);
