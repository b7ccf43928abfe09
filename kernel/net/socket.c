/* The socket as an open file: creation, the receive queue the protocols fill from lwIP's
 * callbacks, blocking, and the file ops (read/write/poll/ioctl/stat/close) that route to the
 * protocol. Received data stays in lwIP's pbufs until the program reads it, and TCP reopens its
 * window only then, so a slow reader slows the sender instead of losing data; a closed socket
 * frees all of it. */
#include "kernel.h"
#include "process.h"
#include "signal.h"
#include "socket.h"
#include "file.h"
#include "net.h"
#include "rtnl.h"
#include "wait.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include "lwip/pbuf.h"
#include "lwip/netif.h"
#include "lwip/err.h"
#include <string.h>

static bool hooked;

void socket_pump(void)
{
    net_catch_up();                /* frames it queues leave at the next wait or idle (net.h) */
}

struct socket *socket_alloc(int domain, int type, int protocol, const struct proto_ops *proto)
{
    struct socket *s = kzalloc(sizeof(*s));
    if (!s)
        return NULL;
    s->domain = domain;
    s->type = type;
    s->protocol = protocol;
    s->proto = proto;
    s->rcvlowat = 1;
    s->ino = file_anon_ino();
    if (!hooked) {
        wait_add_poll_hook(net_poll);   /* every blocking call now feeds lwIP while it waits */
        hooked = true;
    }
    return s;
}

void socket_wake(struct socket *s, uint32_t events)
{
    if (s->file)
        file_wake(s->file, events);
}

void socket_state_change(struct socket *s, uint32_t events)
{
    if (s->file)
        file_wake_keyless(s->file, events);
}

struct rx_entry *socket_rx_push(struct socket *s, struct pbuf *p, const ip_addr_t *from, uint16_t port)
{
    struct rx_entry *e = kzalloc(sizeof(*e));
    if (!e) {
        pbuf_free(p);
        return NULL;
    }
    e->p = p;
    if (from)
        ip_addr_copy(e->from_ip, *from);
    e->from_port = port;
    if (s->rx_tail)
        s->rx_tail->next = e;
    else
        s->rx_head = e;
    s->rx_tail = e;
    s->rx_bytes += p->tot_len;
    socket_wake(s, POLLIN | POLLRDNORM);
    return e;
}

void socket_rx_free(struct socket *s)
{
    while (s->rx_head) {
        struct rx_entry *e = s->rx_head;
        s->rx_head = e->next;
        pbuf_free(e->p);
        kfree(e);
    }
    s->rx_tail = NULL;
    s->rx_bytes = 0;
}

struct socket_wait_arg {
    struct socket *s;
    bool (*done)(void *arg);
};

int socket_wait(struct socket *s, bool nonblock, uint64_t timeout_ns, bool (*done)(void *arg))
{
    if (done(s))
        return 0;
    if (nonblock)
        return -EAGAIN;
    uint64_t deadline = timeout_ns ? wait_deadline_after(timeout_ns) : WAIT_FOREVER;
    int err = wait_until(done, s, deadline);
    if (err == -ETIMEDOUT)
        return -EAGAIN;
    if (err == -EINTR)   /* Linux's sock_intr_errno: restartable unless a timeout was set */
        return timeout_ns ? -EINTR : -ERESTARTSYS;
    return err;
}

/* The listener's queue of connections not yet accepted, shared by TCP and AF_UNIX. */
void socket_accept_push(struct socket *l, struct socket *n)
{
    n->accept_next = NULL;
    if (l->accept_tail)
        l->accept_tail->accept_next = n;
    else
        l->accept_head = n;
    l->accept_tail = n;
    l->accept_count++;
    socket_wake(l, POLLIN | POLLRDNORM);
}

static bool can_accept(void *arg)
{
    struct socket *s = arg;
    return s->accept_head || s->state != SOCKET_LISTENING;
}

int socket_accept_pop(struct socket *l, struct socket **out)
{
    int err = socket_wait(l, socket_nonblock(l, 0), l->rcvtimeo_ns, can_accept);
    if (err)
        return err;
    if (!l->accept_head)
        return -EINVAL;                /* no longer listening (shut down meanwhile) */
    struct socket *n = l->accept_head;
    l->accept_head = n->accept_next;
    if (!l->accept_head)
        l->accept_tail = NULL;
    l->accept_count--;
    n->accept_next = NULL;
    *out = n;
    return 0;
}

bool socket_nonblock(struct socket *s, int flags)
{
    return (flags & MSG_DONTWAIT) || (s->file && file_nonblock(s->file));
}

bool socket_local_address(const ip_addr_t *ip)
{
    struct netif *n;
    if (ip_addr_isany(ip) || ip_addr_isloopback(ip))
        return true;
    NETIF_FOREACH(n) {
        if (IP_IS_V4(ip) && ip4_addr_cmp(ip_2_ip4(ip), netif_ip4_addr(n)))
            return true;
#if LWIP_IPV6
        if (IP_IS_V6(ip))
            for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
                if (ip6_addr_isvalid(netif_ip6_addr_state(n, i)) &&
                    ip6_addr_cmp_zoneless(ip_2_ip6(ip), netif_ip6_addr(n, i)))
                    return true;
#endif
    }
    return false;
}

int socket_errno(int err)
{
    switch (err) {
    case ERR_OK: return 0;
    case ERR_MEM: return -ENOMEM;
    case ERR_BUF: return -ENOBUFS;
    case ERR_TIMEOUT: return -ETIMEDOUT;
    case ERR_RTE: return -ENETUNREACH;
    case ERR_INPROGRESS: return -EINPROGRESS;
    case ERR_VAL: return -EINVAL;
    case ERR_WOULDBLOCK: return -EAGAIN;
    case ERR_USE: return -EADDRINUSE;
    case ERR_ALREADY: return -EALREADY;
    case ERR_ISCONN: return -EISCONN;
    case ERR_CONN: return -ENOTCONN;
    case ERR_IF: return -ENETDOWN;
    case ERR_ABRT: return -ECONNABORTED;
    case ERR_RST: return -ECONNRESET;
    case ERR_CLSD: return -ENOTCONN;
    case ERR_ARG: return -EINVAL;
    default: return -EIO;
    }
}

/* Linux's sockfd_lookup: EBADF for no descriptor, ENOTSOCK for another kind of file. */
struct socket *sockfd_lookup(int fd, int *err)
{
    struct file *f = fd_get(current_process(), fd);
    struct socket *s = f ? file_socket(f) : NULL;
    *err = !f ? -EBADF : !s ? -ENOTSOCK : 0;
    return s;
}

struct socket *file_socket(struct file *f)
{
    return f->kind == FILE_SOCKET ? f->priv : NULL;
}

static int64_t socket_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    struct socket *s = f->priv;
    bool truncated;
    return s->proto->recv(s, kbuf, len, 0, NULL, &truncated);
}

static int64_t socket_write(struct file *f, const void *kbuf, uint64_t len)
{
    struct socket *s = f->priv;
    return s->proto->send(s, kbuf, len, 0, NULL);
}

static uint32_t socket_poll(struct file *f)
{
    struct socket *s = f->priv;
    return s->proto->poll(s);
}

static int64_t socket_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
    struct socket *s = f->priv;
    int v;
    if (s->domain == AF_NETLINK)       /* netlink_ioctl has none of its own */
        return dev_ioctl_cmd(cmd) ? dev_ioctl(cmd, arg) : -ENOTTY;
    switch (cmd) {
    case FIONREAD:
        socket_pump();
        if (s->state == SOCKET_LISTENING && s->type != SOCK_DGRAM)
            return -EINVAL;            /* SIOCINQ: a listener has no byte stream */
        v = s->domain == AF_UNIX ? unix_socket_inq(s) : s->type == SOCK_DGRAM ? (s->rx_head ? s->rx_head->p->tot_len : 0)
                                  : (int)s->rx_bytes;
        return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
    case SIOCOUTQ:
    case SIOCOUTQNSD:
        if ((s->domain == AF_UNIX && cmd == SIOCOUTQNSD) || (s->type == SOCK_DGRAM && cmd == SIOCOUTQNSD))
            return -ENOTTY;
        if (s->domain == AF_UNIX) {    /* Linux's unix_outq_len: what the readers still hold */
            v = unix_socket_outq(s);
            return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
        }
        socket_pump();
        v = s->type == SOCK_DGRAM ? 0  /* UDP datagrams leave at once: nothing waits to be sent */
                                  : tcp_socket_outq(s, cmd == SIOCOUTQNSD);
        if (v < 0)
            return v;
        return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
    case SIOCATMARK:
        v = 0;
        return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
    default:                           /* sock_do_ioctl: then the device requests */
        return dev_ioctl_cmd(cmd) ? dev_ioctl(cmd, arg) : -ENOTTY;
    }
}

static int socket_stat(struct file *f, struct linux_stat *st)
{
    st->st_dev = 0x8;                  /* sockfs */
    st->st_ino = ((struct socket *)f->priv)->ino;
    st->st_mode = S_IFSOCK | 0777;
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;
    return 0;
}

static void socket_release(struct file *f)
{
    struct socket *s = f->priv;
    s->file = NULL;
    s->proto->release(s);
    socket_rx_free(s);
    sock_errqueue_free(s);
    kfree(s);
}

static const struct file_ops socket_ops = {
    .kind = FILE_SOCKET,
    .read = socket_read,
    .write = socket_write,
    .poll = socket_poll,
    .ioctl = socket_ioctl,
    .stat = socket_stat,
    .release = socket_release,
};

struct file *socket_file(struct socket *s, int flags)
{
    struct file *f = file_alloc(&socket_ops, s, O_RDWR | flags);
    if (f)
        s->file = f;
    return f;
}

int socket_create(int domain, int type, int protocol, int flags, struct file **out)
{
    const struct proto_ops *proto = domain == AF_UNIX ? &unix_proto : type == SOCK_STREAM ? &tcp_proto : &udp_proto;
    struct socket *s = socket_alloc(domain, type, protocol, proto);
    if (!s)
        return -ENOMEM;
    s->rcvbuf = type == SOCK_STREAM ? 131072 : 212992;   /* Linux's defaults (tcp_rmem, rmem_default) */
    s->sndbuf = type == SOCK_STREAM ? 16384 : 212992;
    s->keepidle = 7200;        /* Linux's tcp_keepalive_time, _intvl, _probes */
    s->keepintvl = 75;
    s->keepcnt = 9;
    s->send_hoplimit = s->send_tclass = -1;
    int err = domain == AF_UNIX ? unix_socket_init(s) : type == SOCK_STREAM ? tcp_socket_init(s) : udp_socket_init(s);
    if (err) {
        kfree(s);
        return err;
    }
    struct file *f = socket_file(s, flags);
    if (!f) {
        s->proto->release(s);
        kfree(s);
        return -ENOMEM;
    }
    *out = f;
    return 0;
}
