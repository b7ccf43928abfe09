/* UTS namespaces (include/uts.h), as Linux's kernel/utsname.c: a host and a domain name shared
 * by the processes of one namespace. Every process points at its namespace (NULL: the first,
 * pid 1's), which lives while a process holds it. */
#include "kernel.h"
#include "uts.h"
#include "nsfs.h"
#include "process.h"
#include "errno.h"
#include "mm.h"
#include <string.h>

struct uts_ns {
    int refs;
    uint32_t inum;
    char hostname[UTS_NAME_LEN + 1];
    char domainname[UTS_NAME_LEN + 1];
};

#define PROC_UTS_INIT_INO 0xeffffffeu   /* Linux's initial UTS namespace */

static struct uts_ns initial = { 1, PROC_UTS_INIT_INO, "unibuild", "(none)" };

static struct uts_ns *ns_of(const struct process *p) { return p && p->uts ? p->uts : &initial; }

const char *uts_hostname(void) { return ns_of(current_process())->hostname; }
const char *uts_domainname(void) { return ns_of(current_process())->domainname; }
char *uts_hostname_buf(void) { return ns_of(current_process())->hostname; }
char *uts_domainname_buf(void) { return ns_of(current_process())->domainname; }
uint32_t uts_inum(const struct process *p) { return ns_of(p)->inum; }

static struct uts_ns *copy_of(const struct uts_ns *from)
{
    struct uts_ns *ns = kmalloc(sizeof(*ns));
    if (!ns)
        return NULL;
    *ns = *from;
    ns->refs = 1;
    ns->inum = nsfs_alloc_inum();
    return ns;
}

int uts_fork(struct process *child, const struct process *parent, bool fresh)
{
    struct uts_ns *from = ns_of(parent);
    if (fresh) {
        if (!(child->uts = copy_of(from)))
            return -ENOMEM;
        return 0;
    }
    from->refs++;
    child->uts = from == &initial ? NULL : from;
    return 0;
}

void uts_ns_drop(struct uts_ns *ns)
{
    if (ns && ns != &initial && --ns->refs == 0)
        kfree(ns);
}

void uts_release(struct process *p)
{
    struct uts_ns *ns = p->uts;
    p->uts = NULL;
    uts_ns_drop(ns);
}

struct uts_ns *uts_ns_hold(const struct process *p)
{
    struct uts_ns *ns = ns_of(p);
    ns->refs++;
    return ns;
}

uint32_t uts_ns_number(const struct uts_ns *ns) { return ns->inum; }

void uts_ns_enter(struct process *p, struct uts_ns *ns)
{
    ns->refs++;
    uts_release(p);
    p->uts = ns == &initial ? NULL : ns;
}

int uts_unshare(struct process *p)
{
    struct uts_ns *ns = copy_of(ns_of(p));
    if (!ns)
        return -ENOMEM;
    uts_release(p);
    p->uts = ns;
    return 0;
}
