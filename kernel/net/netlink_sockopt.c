/* SOL_NETLINK options: Linux 6.1's netlink_setsockopt and netlink_getsockopt, flag for flag
 * (NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, NETLINK_CAP_ACK, ...), and the multicast
 * memberships (ADD/DROP_MEMBERSHIP, LIST_MEMBERSHIPS). */
#include "kernel.h"
#include "linux_abi.h"
#include "process.h"
#include "uaccess.h"
#include "errno.h"
#include "netlink_sock.h"

int netlink_setsockopt(struct socket *s, int level, int name, uint64_t uval, int len)
{
    struct nl_sock *n = nl(s);
    uint32_t val = 0, bit;
    if (level != SOL_NETLINK)
        return -ENOPROTOOPT;
    if (len >= (int)sizeof(int) && copy_from_user(&val, uval, sizeof(val)))
        return -EFAULT;
    switch (name) {
    case NETLINK_PKTINFO: bit = NLF_PKTINFO; break;
    case NETLINK_ADD_MEMBERSHIP:
    case NETLINK_DROP_MEMBERSHIP:
        nl_subscribe_all(n);
        if (!val || val - 1 >= n->ngroups)
            return -EINVAL;
        if (name == NETLINK_ADD_MEMBERSHIP)
            n->groups |= 1ull << (val - 1);
        else
            n->groups &= ~(1ull << (val - 1));
        return 0;
    case NETLINK_BROADCAST_ERROR: bit = NLF_BROADCAST_ERROR; break;
    case NETLINK_NO_ENOBUFS: bit = NLF_NO_ENOBUFS; break;
    case NETLINK_LISTEN_ALL_NSID:
        if (!process_capable(current_process(), CAP_NET_BROADCAST))
            return -EPERM;
        bit = NLF_LISTEN_ALL_NSID;
        break;
    case NETLINK_CAP_ACK: bit = NLF_CAP_ACK; break;
    case NETLINK_EXT_ACK: bit = NLF_EXT_ACK; break;
    case NETLINK_GET_STRICT_CHK: bit = NLF_STRICT_CHK; break;
    default: return -ENOPROTOOPT;
    }
    if (val)
        n->flags |= bit;
    else
        n->flags &= ~bit;
    return 0;
}

int netlink_getsockopt(struct socket *s, int level, int name, uint64_t uval, uint64_t ulen)
{
    struct nl_sock *n = nl(s);
    int len, bit;
    if (level != SOL_NETLINK)
        return -ENOPROTOOPT;
    if (copy_from_user(&len, ulen, sizeof(len)))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    switch (name) {
    case NETLINK_PKTINFO: bit = NLF_PKTINFO; break;
    case NETLINK_BROADCAST_ERROR: bit = NLF_BROADCAST_ERROR; break;
    case NETLINK_NO_ENOBUFS: bit = NLF_NO_ENOBUFS; break;
    case NETLINK_LISTEN_ALL_NSID: bit = NLF_LISTEN_ALL_NSID; break;
    case NETLINK_LIST_MEMBERSHIPS: {
        /* The subscription bitmap in u32 words, as far as the buffer holds; the length of all. */
        int err = 0;
        for (uint32_t pos = 0; pos * 8 < n->ngroups; pos += 4) {
            if (len - (int)pos < 4)
                break;
            uint32_t w = (uint32_t)(n->groups >> (pos * 8));
            if (copy_to_user(uval + pos, &w, 4)) {
                err = -EFAULT;
                break;
            }
        }
        int full = (int)(((n->ngroups + 7) / 8 + 3) & ~3u);
        if (copy_to_user(ulen, &full, sizeof(full)))
            err = -EFAULT;
        return err;
    }
    case NETLINK_CAP_ACK: bit = NLF_CAP_ACK; break;
    case NETLINK_EXT_ACK: bit = NLF_EXT_ACK; break;
    case NETLINK_GET_STRICT_CHK: bit = NLF_STRICT_CHK; break;
    default: return -ENOPROTOOPT;
    }
    if (len < (int)sizeof(int))
        return -EINVAL;
    int v = (n->flags & (uint32_t)bit) != 0;
    len = sizeof(int);
    if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(uval, &v, sizeof(v)))
        return -EFAULT;
    return 0;
}
