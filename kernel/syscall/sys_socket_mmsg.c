/* sendmmsg and recvmmsg: a batch of sendmsg/recvmsg calls on one socket, each message's byte
 * count in its mmsghdr's msg_len, with Linux's (net/socket.c __sys_sendmmsg, __sys_recvmmsg)
 * rules for stopping early: an error after the first message ends the batch and the count is
 * returned (recvmmsg keeps any error but EAGAIN for the socket's next call); recvmmsg's timeout
 * is looked at only after each message, as Linux's is (a first message is waited for however
 * long it takes). glibc's resolver sends its A and AAAA queries with one sendmmsg. */
#include "kernel.h"
#include "linux_abi.h"
#include "syscall.h"
#include "socket.h"
#include "uaccess.h"
#include "wait.h"
#include "errno.h"

/* struct mmsghdr: a msghdr, then the length the call filled in (padded to 8 bytes). */
#define MMSG_SIZE    64
#define MMSG_LEN_OFF 56
_Static_assert(sizeof(struct linux_msghdr) == MMSG_LEN_OFF, "struct mmsghdr's msg_len follows the msghdr");

#define NS_PER_SEC 1000000000ULL

SYSCALL(sendmmsg)
{
    int err;
    uint64_t vec = a1;
    unsigned vlen = (unsigned)a2 > UIO_MAXIOV ? UIO_MAXIOV : (unsigned)a2;
    struct socket *s = sockfd_lookup((int)a0, &err);
    if (!s)
        return err;
    int64_t r = 0;
    unsigned sent = 0;
    while (sent < vlen) {
        bool partial;
        uint64_t entry = vec + (uint64_t)sent * MMSG_SIZE;
        r = socket_sendmsg(s, entry, (int)a3, &partial);
        if (r < 0)
            break;
        uint32_t len = (uint32_t)r;
        if (copy_to_user(entry + MMSG_LEN_OFF, &len, sizeof(len))) {
            r = -EFAULT;
            break;
        }
        sent++;
        if (partial)
            break;
    }
    return sent ? (int64_t)sent : r;
}

SYSCALL(recvmmsg)
{
    int err;
    uint64_t vec = a1;
    unsigned vlen = (unsigned)a2;
    int flags = (int)a3;
    uint64_t end_ns = 0;
    struct linux_timespec ts;
    if (a4) {
        if (copy_from_user(&ts, a4, sizeof(ts)))
            return -EFAULT;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || (uint64_t)ts.tv_nsec >= NS_PER_SEC)
            return -EINVAL;
        /* Linux's poll_select_set_timeout: a zero timeout is an end already passed. */
        if (ts.tv_sec || ts.tv_nsec)
            end_ns = wait_deadline_after((uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec);
    }
    struct socket *s = sockfd_lookup((int)a0, &err);
    if (!s)
        return err;
    if (s->error) {                    /* Linux's sock_error: reported and cleared */
        int e = s->error;
        s->error = 0;
        return e;
    }
    int64_t r = 0;
    unsigned got = 0;
    uint64_t left_ns = 0;
    while (got < vlen) {
        uint64_t entry = vec + (uint64_t)got * MMSG_SIZE;
        r = socket_recvmsg(s, entry, flags & ~MSG_WAITFORONE);
        if (r < 0)
            break;
        uint32_t len = (uint32_t)r;
        if (copy_to_user(entry + MMSG_LEN_OFF, &len, sizeof(len))) {
            r = -EFAULT;
            break;
        }
        r = 0;
        got++;
        if (flags & MSG_WAITFORONE)
            flags |= MSG_DONTWAIT;
        if (a4) {
            uint64_t now = wait_now_ns();
            left_ns = end_ns > now ? end_ns - now : 0;
            if (!left_ns)
                break;
        }
    }
    if (r < 0 && !got)
        return r;
    if (r < 0 && r != -EAGAIN)
        s->error = (int)r;             /* the next call on the socket reports it */
    if (a4 && got) {
        ts.tv_sec = (int64_t)(left_ns / NS_PER_SEC);
        ts.tv_nsec = (int64_t)(left_ns % NS_PER_SEC);
        if (copy_to_user(a4, &ts, sizeof(ts)))
            return -EFAULT;
    }
    return got;
}
