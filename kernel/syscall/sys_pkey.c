/* Memory protection keys: arm64 Linux 6.1 has none (no ARCH_HAS_PKEYS), so include/linux/pkeys.h's
 * generic answers hold: pkey_alloc checks its arguments and then finds no free key (ENOSPC),
 * pkey_free is given a key nobody allocated (EINVAL), and pkey_mprotect is mprotect for pkey -1
 * (no key) and for key 0 (the one key every address space has: mm_pkey_is_allocated is
 * pkey == 0), EINVAL for any other after mprotect's own argument checks (do_mprotect_pkey's order). */
#include "kernel.h"
#include "syscall.h"
#include "errno.h"
#include "mm.h"
#include "uaccess.h"
#include "linux_uapi.h"

#define PKEY_ACCESS_MASK 3u            /* PKEY_DISABLE_ACCESS | PKEY_DISABLE_WRITE */

SYSCALL(mprotect);

SYSCALL(pkey_alloc)
{
    if (a0 || (a1 & ~(uint64_t)PKEY_ACCESS_MASK))
        return -EINVAL;
    return -ENOSPC;                    /* mm_pkey_alloc: no key to give */
}

SYSCALL(pkey_free) { return -EINVAL; }

SYSCALL(pkey_mprotect)
{
    int pkey = (int)a3;
    if (pkey == -1 || pkey == 0)
        return sys_mprotect(a0, a1, a2, 0, 0, 0);
    uint64_t start = user_untag(a0), len = a1;
    int prot = (int)a2, grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
        return -EINVAL;
    if (start & (PAGE_SIZE - 1))
        return -EINVAL;
    if (!len)
        return 0;
    if (start + ALIGN_UP(len, PAGE_SIZE) <= start)
        return -ENOMEM;
    if ((prot & ~grows) & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
        return -EINVAL;                /* arch_validate_prot, as our mprotect accepts bits */
    return -EINVAL;                    /* !mm_pkey_is_allocated(pkey) */
}
