/* AF_UNIX sockets: stream, seqpacket and datagram, between threads of the one program (asyncio's
 * self-pipe socketpair, nginx's channels, local servers). Bytes go straight into the peer's
 * receive queue as messages (stream reads merge them); a queue holds at most UNIX_QUEUE_BYTES,
 * beyond which senders block (or get EAGAIN). Names are pathnames (a socket file in the file
 * tree, as on Linux: unlink it to reuse the path) or abstract (a leading NUL byte). A message
 * may carry open files (SCM_RIGHTS): a stream read that reaches such a message takes its files
 * and stops after it, as Linux's unix_stream_read_generic does. Each message carries its
 * sender's credentials (SCM_CREDENTIALS, when either end has SO_PASSCRED or the sender gave
 * them) and is charged to its sender until read (SIOCOUTQ). */
#include "kernel.h"
#include "perm.h"
#include "socket.h"
#include "file.h"
#include "vfs.h"
#include "process.h"
#include "wait.h"
#include "syscall_path.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include "sysctl_limits.h"
#include <string.h>

#define UNIX_QUEUE_BYTES 212992        /* Linux's default socket buffer (wmem_default) */

struct unix_msg {
    struct unix_msg *next;
    uint32_t len, offset;
    struct unix_addr from;             /* datagrams: the sender's name */
    struct unix_rights *rights;        /* SCM_RIGHTS sent with it, until read */
    struct unix_cred cred;             /* SCM_CREDENTIALS */
    struct unix_sock *sender;          /* charged for it (SIOCOUTQ); NULL once it closed */
    char data[];
};

struct unix_sock {
    struct socket *s;
    struct unix_sock *peer;            /* connected peer, or a datagram socket's default target */
    bool peer_gone;                    /* the connected peer closed */
    bool target_gone;                  /* a datagram socket's default target closed */
    struct unix_msg *head, *tail;
    uint64_t queued;
    struct unix_addr name;
    struct vnode *node;                /* a pathname name's socket file */
    bool listening;
    uint64_t wmem;                     /* what its unread messages take (Linux's sk_wmem_alloc) */
    struct unix_cred peercred;         /* SO_PEERCRED: recorded at socketpair, listen, connect */
    bool has_peercred;
    struct unix_sock *next_bound, *next_all, **pprev_all;
    /* Times another socket's peer was made this one other than by being this one's own peer
     * (a datagram socket connected to it or paired with it; a stream peer that disconnected
     * from it). Never decremented: 0 means only u->peer can point here, and release can skip
     * the walk over every socket (closing tens of thousands of socketpairs stays linear). */
    uint32_t targeted;
};

static struct unix_sock *bound;        /* every named socket */
static struct unix_sock *all;          /* every socket (datagram targets are dropped on close) */
static uint32_t autobind_next;

static struct unix_sock *us(struct socket *s) { return s->pcb; }

/* The memory a message takes, as its sender is charged for it. */
static uint64_t msg_charge(const struct unix_msg *m) { return sizeof(*m) + m->len; }

static void msg_free(struct unix_msg *m)
{
    if (m->sender)
        m->sender->wmem -= msg_charge(m);
    kfree(m);
}

static bool same_cred(const struct unix_cred *a, const struct unix_cred *b)
{
    return a->pid == b->pid && a->uid == b->uid && a->gid == b->gid;
}

/* Linux's init_peercred: the caller's pid and effective ids, now. */
static void init_peercred(struct unix_sock *u)
{
    struct process *p = current_process();
    u->peercred = (struct unix_cred){p->pid, p->cred.euid, p->cred.egid};
    u->has_peercred = true;
}

/* Linux's unix_scm_to_skb + maybe_add_creds: what sendmsg gave, else the sender's own when
 * either end has SO_PASSCRED (or the reader is not accepted yet), else none. */
static struct unix_cred cred_for(struct socket *s, struct unix_sock *dest)
{
    if (s->has_send_cred)
        return s->send_cred;
    if (s->passcred || dest->s->passcred || !dest->s->file) {
        struct process *p = current_process();
        return (struct unix_cred){p->pid, p->cred.uid, p->cred.gid};
    }
    return UNIX_NO_CRED;
}

void unix_rights_free(struct unix_rights *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->count; i++)
        file_put(r->files[i]);
    kfree(r);
}

/* The reader took m's files: recvmsg installs them, any other read closes them (Linux). */
static void take_rights(struct socket *s, struct unix_msg *m)
{
    if (!m->rights)
        return;
    if (s->recv_wants_rights && !s->recv_rights)
        s->recv_rights = m->rights;
    else
        unix_rights_free(m->rights);
    m->rights = NULL;
}

static bool same_name(const struct unix_addr *a, const struct unix_addr *b)
{
    return a->len == b->len && !memcmp(a->path, b->path, a->len);
}

static bool abstract(const struct unix_addr *a) { return a->len && a->path[0] == 0; }

/* The socket a name refers to: abstract names by bytes and socket type (Linux hashes the type
 * in: each type has an abstract namespace of its own), pathnames through the file tree (ENOENT
 * when the path does not exist, ECONNREFUSED when nothing listens behind the socket file). */
static int find(const struct unix_addr *a, int type, struct unix_sock **out)
{
    struct vnode *v = NULL;
    if (!abstract(a)) {
        char path[sizeof(a->path) + 1];
        memcpy(path, a->path, a->len);
        path[a->len] = 0;
        int err = lookup_at(AT_FDCWD, path, VFS_FOLLOW, &v);
        if (!err)
            err = perm_check(v, MAY_WRITE);   /* unix_find_bsd: connecting writes to it */
        if (err)
            return err;
        if (vfs_type(v) != VNODE_SOCKET)
            return -ECONNREFUSED;
    }
    for (struct unix_sock *u = bound; u; u = u->next_bound)
        if (abstract(a) ? same_name(&u->name, a) && u->s->type == type : u->node == v) {
            *out = u;
            return 0;
        }
    return -ECONNREFUSED;
}

static int unix_init(struct socket *s)
{
    struct unix_sock *u = kzalloc(sizeof(*u));
    if (!u)
        return -ENOMEM;
    u->s = s;
    s->pcb = u;
    u->next_all = all;
    u->pprev_all = &all;
    if (all)
        all->pprev_all = &u->next_all;
    all = u;
    return 0;
}

static int unix_bind(struct socket *s, const struct sock_addr *a)
{
    struct unix_sock *u = us(s);
    struct unix_addr name = a->un;
    /* Linux creates a path name's file before it looks at the socket's own name: an existing
     * file answers EADDRINUSE even when the socket is bound already. */
    if (u->name.len && (!name.len || abstract(&name)))
        return -EINVAL;
    if (!name.len) {                   /* autobind: an abstract name of five hex digits */
        name.len = 6;
        name.path[0] = 0;
        snprintf(name.path + 1, sizeof(name.path) - 1, "%05x", autobind_next++ & 0xfffff);
    }
    if (abstract(&name)) {
        struct unix_sock *other;
        if (find(&name, s->type, &other) == 0)
            return -EADDRINUSE;
    } else {
        char path[sizeof(name.path) + 1];
        memcpy(path, name.path, name.len);
        path[name.len] = 0;
        struct vnode *dir;
        const char *leaf;
        size_t len;
        bool trailing;
        int err = lookup_parent_at(AT_FDCWD, path, &dir, &leaf, &len, &trailing);
        struct vnode *made = NULL;
        if (!err)
            err = vfs_create(dir, leaf, len, VNODE_SOCKET, 0777 & ~current_process()->umask, NULL, &made);
        if (err)
            return err == -EEXIST ? -EADDRINUSE : err;
        if (u->name.len) {             /* named already: the new file goes again, as on Linux */
            vfs_remove(dir, leaf, len, false);
            return -EINVAL;
        }
        u->node = made;
    }
    u->name = name;
    u->next_bound = bound;
    bound = u;
    s->bound = true;
    return 0;
}

/* With SO_PASSCRED an unnamed socket gets a name before it connects or sends (Linux's
 * unix_autobind there), so its reader can tell who wrote. */
static int passcred_autobind(struct socket *s)
{
    static const struct sock_addr none;
    return s->passcred && !us(s)->name.len ? unix_bind(s, &none) : 0;
}

static int unix_listen(struct socket *s, int backlog)
{
    struct unix_sock *u = us(s);
    if (s->type == SOCK_DGRAM)
        return -EOPNOTSUPP;
    if (u->peer || !u->name.len)
        return -EINVAL;
    u->listening = true;
    init_peercred(u);                  /* what connecting clients will see as their peer */
    s->state = SOCKET_LISTENING;       /* SO_ACCEPTCONN */
    s->backlog = backlog < 0 ? 0 : backlog > SOMAXCONN ? SOMAXCONN : backlog;
    return 0;
}

static void pair(struct unix_sock *a, struct unix_sock *b)
{
    a->peer = b;
    b->peer = a;
    if (a->s->type == SOCK_DGRAM) {    /* each stays the other's target after either connects elsewhere */
        a->targeted++;
        b->targeted++;
    }
}

static bool backlog_room(void *arg)
{
    struct unix_sock *l = arg;
    return !l->listening || l->s->accept_count <= l->s->backlog;
}

/* Waits name their target instead of holding a pointer to it: it may close meanwhile, and
 * nothing keeps its memory alive. The listener behind a name has room (or is gone). */
struct named { const struct unix_addr *name; int type; };

static bool listener_has_room(void *arg)
{
    const struct named *n = arg;
    struct unix_sock *l;
    return find(n->name, n->type, &l) || backlog_room(l);
}

static int unix_connect(struct socket *s, const struct sock_addr *a)
{
    struct unix_sock *u = us(s), *target;
    if (!a) {                          /* AF_UNSPEC on a datagram socket: disconnect */
        if (u->peer && u->peer->peer == u)
            u->targeted++;             /* its old peer still points here */
        u->peer = NULL;
        return 0;
    }
    if (!a->un.len)
        return -EINVAL;                /* Linux's unix_validate_addr: a name is needed to connect */
    int err = passcred_autobind(s);    /* before the lookup, as unix_stream/dgram_connect */
    if (err)
        return err;
    if ((err = find(&a->un, s->type, &target)))
        return err;
    if (s->type == SOCK_DGRAM) {
        if (target->s->type != SOCK_DGRAM)
            return -EPROTOTYPE;
        u->peer = target;
        target->targeted++;
        return 0;
    }
    if (u->peer)
        return -EISCONN;
    if (u->listening)
        return -EINVAL;
    if (!target->listening)
        return -ECONNREFUSED;
    if (target->s->type != s->type)
        return -EPROTOTYPE;
    if (!backlog_room(target) && socket_nonblock(s, 0))
        return -EAGAIN;
    struct named listener = { &a->un, s->type };
    while (!backlog_room(target)) {
        if (wait_until(listener_has_room, &listener, WAIT_FOREVER))
            return -ERESTARTSYS;
        if (find(&a->un, s->type, &target) || !target->listening)
            return -ECONNREFUSED;      /* the listener closed while we waited */
    }
    struct socket *n = socket_alloc(AF_UNIX, s->type, 0, &unix_proto);
    if (!n || unix_init(n)) {
        kfree(n);
        return -ENOMEM;
    }
    n->rcvbuf = n->sndbuf = UNIX_QUEUE_BYTES;
    us(n)->name = target->name;        /* the accepted socket carries the listener's name */
    init_peercred(us(n));              /* the server's peer: this process (Linux's unix_stream_connect) */
    u->peercred = target->peercred;    /* ours: whoever called listen() */
    u->has_peercred = true;
    pair(u, us(n));
    socket_accept_push(target->s, n);
    return 0;
}

static int unix_accept(struct socket *s, struct socket **out)
{
    if (!us(s)->listening)
        return -EINVAL;
    int err = socket_accept_pop(s, out);
    if (!err) {                        /* Linux's unix_sock_inherit_flags */
        (*out)->passcred = s->passcred;
        (*out)->rcvlowat = s->rcvlowat;
    }
    return err;
}

static bool has_room(void *arg)
{
    struct unix_sock *u = arg;
    return !u->peer || u->peer->queued < UNIX_QUEUE_BYTES || u->peer->s->rd_shut;
}

/* Where a send goes: the socket a datagram's address names, or the peer. Found again after
 * every wait, for the reason listener_has_room gives. */
struct send_target {
    struct unix_sock *from;
    const struct unix_addr *to;
};

static struct unix_sock *target_of(const struct send_target *t)
{
    struct unix_sock *d;
    if (t->to)
        return find(t->to, SOCK_DGRAM, &d) ? NULL : d;
    return t->from->peer;
}

static bool target_has_room(void *arg)
{
    struct unix_sock *d = target_of(arg);
    return !d || d->queued < UNIX_QUEUE_BYTES || d->s->rd_shut;
}

static int64_t unix_send(struct socket *s, const void *kbuf, uint64_t len, int flags, const struct sock_addr *to)
{
    struct unix_sock *u = us(s), *dest = u->peer;
    bool stream = s->type == SOCK_STREAM;
    if (flags & MSG_OOB)               /* no out-of-band byte (Linux without CONFIG_AF_UNIX_OOB) */
        return -EOPNOTSUPP;
    if (to && !to->un.len)
        return -EINVAL;                /* no name at all (addrlen == sizeof(sa_family_t)) */
    if (s->type == SOCK_DGRAM && to) {
        int err = find(&to->un, SOCK_DGRAM, &dest);
        if (err)
            return err;
        if (dest->s->type != SOCK_DGRAM)
            return -EPROTOTYPE;
    }
    if (!dest) {
        if (u->target_gone) {          /* Linux reports the dead target once, then ENOTCONN */
            u->target_gone = false;
            return -ECONNREFUSED;
        }
        if (u->peer_gone || (s->wr_shut && s->type == SOCK_DGRAM)) {   /* never connected: ENOTCONN */
            if (!(flags & MSG_NOSIGNAL))
                raise_sigpipe();
            return -EPIPE;
        }
        return -ENOTCONN;
    }
    if (s->type == SOCK_DGRAM) {       /* unix_dgram_sendmsg autobinds once it has a target */
        int err = passcred_autobind(s);
        if (err)
            return err;
    }
    if (s->wr_shut || (stream || s->type == SOCK_SEQPACKET ? dest->s->rd_shut : false)) {
        if (!(flags & MSG_NOSIGNAL))
            raise_sigpipe();
        return -EPIPE;
    }
    if (!stream && len > UNIX_QUEUE_BYTES)
        return -EMSGSIZE;
    if (stream && !len)
        return 0;                      /* a stream has no empty messages: nothing is queued */
    uint64_t done = 0;
    do {
        if (dest->queued >= UNIX_QUEUE_BYTES) {
            struct send_target st = { u, s->type == SOCK_DGRAM && to ? &to->un : NULL };
            if (done && stream)
                break;
            if (socket_nonblock(s, flags))
                return done ? (int64_t)done : -EAGAIN;
            int err = wait_until(target_has_room, &st, s->sndtimeo_ns ? wait_deadline_after(s->sndtimeo_ns) : WAIT_FOREVER);
            if (err == -ETIMEDOUT)
                return done ? (int64_t)done : -EAGAIN;
            if (err)
                return done ? (int64_t)done : (s->sndtimeo_ns ? -EINTR : -ERESTARTSYS);
            if (!(dest = target_of(&st)))    /* it closed meanwhile */
                return done ? (int64_t)done : s->type == SOCK_DGRAM ? -ECONNREFUSED : -EPIPE;
            continue;
        }
        uint64_t room = UNIX_QUEUE_BYTES - dest->queued;
        uint64_t n = stream ? (len - done < room ? len - done : room) : len;
        if (stream && n > 65536)
            n = 65536;
        struct unix_msg *m = kmalloc(sizeof(*m) + (n ? n : 1));
        if (!m)
            return done ? (int64_t)done : -ENOBUFS;
        m->next = NULL;
        m->len = (uint32_t)n;
        m->offset = 0;
        m->from = u->name;
        m->rights = s->send_rights;         /* the first message of this send carries them */
        s->send_rights = NULL;
        m->cred = cred_for(s, dest);
        m->sender = u;
        u->wmem += msg_charge(m);
        memcpy(m->data, (const char *)kbuf + done, n);
        if (dest->tail)
            dest->tail->next = m;
        else
            dest->head = m;
        dest->tail = m;
        dest->queued += n;
        done += n;
        socket_wake(dest->s, POLLIN | POLLPRI | POLLRDNORM | POLLRDBAND);   /* sock_def_readable's key (AIO's POLL reports it whole) */
    } while (done < len);
    return (int64_t)done;
}

static bool readable(void *arg)
{
    struct socket *s = arg;
    struct unix_sock *u = us(s);
    return u->head || s->rd_shut || u->peer_gone;
}

static int64_t unix_recv(struct socket *s, void *kbuf, uint64_t len, int flags, struct sock_addr *from,
                         bool *truncated)
{
    struct unix_sock *u = us(s);
    bool peek = flags & MSG_PEEK;
    *truncated = false;
    s->has_recv_cred = false;          /* this read's credentials: those of its first message */
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    if (u->listening)
        return -EINVAL;
    if (s->type != SOCK_DGRAM && !u->peer && !u->peer_gone && !u->head)
        return s->type == SOCK_STREAM ? -EINVAL : -ENOTCONN;   /* Linux's stream read: EINVAL */
    for (;;) {
        if (u->head)
            break;
        if (s->rd_shut || u->peer_gone)
            return 0;
        int err = socket_wait(s, socket_nonblock(s, flags), s->rcvtimeo_ns, readable);
        if (err)
            return err;
    }
    if (s->type != SOCK_STREAM) {      /* one message, the rest of it dropped unless peeking */
        struct unix_msg *m = u->head;
        uint64_t n = m->len < len ? m->len : len;
        memcpy(kbuf, m->data, n);
        *truncated = n < m->len;
        if (from)
            from->un = m->from;
        s->recv_cred = m->cred;
        s->has_recv_cred = true;
        int64_t r = (flags & MSG_TRUNC) ? (int64_t)m->len : (int64_t)n;
        if (!peek) {
            take_rights(s, m);
            u->head = m->next;
            if (!u->head)
                u->tail = NULL;
            u->queued -= m->len;
            msg_free(m);
            if (u->peer)
                socket_wake(u->peer->s, POLLOUT | POLLWRNORM);
        }
        return r;
    }
    /* Linux's unix_stream_read_generic: the read goes on until it has SO_RCVLOWAT bytes (all
     * of them with MSG_WAITALL, at most the buffer); a wait ended otherwise returns what it
     * has. Files end a read, and so, with SO_PASSCRED, do another writer's credentials. */
    uint64_t target = (flags & MSG_WAITALL) || (uint64_t)s->rcvlowat > len ? len : (uint64_t)s->rcvlowat;
    uint64_t done = 0;
    for (;;) {
        bool stop = false;
        for (struct unix_msg *m = u->head; m && done < len; ) {
            if (s->has_recv_cred && s->passcred && !same_cred(&m->cred, &s->recv_cred)) {
                stop = true;
                break;
            }
            if (!s->has_recv_cred) {
                s->recv_cred = m->cred;
                s->has_recv_cred = true;
            }
            bool had_rights = m->rights != NULL;
            uint64_t avail = m->len - m->offset, n = avail < len - done ? avail : len - done;
            memcpy((char *)kbuf + done, m->data + m->offset, n);
            done += n;
            stop = had_rights;         /* the files end the read */
            if (peek) {
                m = m->next;
                if (stop)
                    break;
                continue;
            }
            take_rights(s, m);
            m->offset += (uint32_t)n;
            u->queued -= n;
            if (m->offset == m->len) {
                u->head = m->next;
                if (!u->head)
                    u->tail = NULL;
                msg_free(m);
                m = u->head;
            }
            if (stop)
                break;
        }
        if (!peek && done && u->peer)
            socket_wake(u->peer->s, POLLOUT | POLLWRNORM);
        if (stop || peek || done >= target || !len || s->rd_shut || u->peer_gone)
            return (int64_t)done;
        int err = socket_wait(s, socket_nonblock(s, flags), s->rcvtimeo_ns, readable);
        if (err)
            return done ? (int64_t)done : err;
    }
}

static int unix_shutdown(struct socket *s, int how)
{
    struct unix_sock *u = us(s);       /* Linux's unix_shutdown needs no connection */
    if (how == SHUT_RD || how == SHUT_RDWR)
        s->rd_shut = true;
    if (how == SHUT_WR || how == SHUT_RDWR)
        s->wr_shut = true;
    if (u->peer && s->type != SOCK_DGRAM) {
        if (how != SHUT_RD)
            u->peer->s->rd_shut = true;
        if (how != SHUT_WR)
            u->peer->s->wr_shut = true;
        socket_state_change(u->peer->s, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
    }
    socket_state_change(s, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
    return 0;
}

static uint32_t unix_poll(struct socket *s)
{
    struct unix_sock *u = us(s);
    if (u->listening)
        return s->accept_head ? POLLIN | POLLRDNORM : 0;
    uint32_t mask = 0;
    bool connected = u->peer || s->type == SOCK_DGRAM;
    if (u->head || s->rd_shut || u->peer_gone)
        mask |= POLLIN | POLLRDNORM;
    if (s->rd_shut)
        mask |= POLLRDHUP;
    if ((s->rd_shut && s->wr_shut) || u->peer_gone)
        mask |= POLLHUP;
    if (u->peer_gone)
        mask |= POLLRDHUP;             /* Linux shuts both directions down when the peer goes */
    /* unix_writable: POLLWRBAND with the others, as Linux's unix_poll and unix_dgram_poll. */
    if (connected && !s->wr_shut && (s->type == SOCK_DGRAM ? !u->peer || has_room(u) : has_room(u)))
        mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
    if (u->peer_gone && s->type != SOCK_DGRAM)
        mask |= POLLOUT | POLLWRNORM | POLLWRBAND;  /* a write would fail at once (EPIPE): not blocked */
    return mask;
}

static int unix_name(struct socket *s, bool peer, struct sock_addr *a)
{
    struct unix_sock *u = us(s);
    memset(a, 0, sizeof(*a));
    if (peer) {
        if (!u->peer)
            return -ENOTCONN;
        a->un = u->peer->name;
    } else {
        a->un = u->name;
    }
    return 0;
}

static void unix_options(struct socket *s) {}

static void unix_release(struct socket *s)
{
    struct unix_sock *u = us(s);
    if (!u)
        return;
    for (struct unix_sock **pp = &bound; *pp; pp = &(*pp)->next_bound)
        if (*pp == u) {
            *pp = u->next_bound;
            break;
        }
    while (s->accept_head) {           /* connections nobody accepted: their clients see EOF */
        struct socket *n = s->accept_head;
        s->accept_head = n->accept_next;
        unix_release(n);
        kfree(n);
    }
    if (u->peer && s->type != SOCK_DGRAM) {
        u->peer->peer = NULL;
        u->peer->peer_gone = true;
        socket_state_change(u->peer->s, POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
    }
    *u->pprev_all = u->next_all;
    if (u->next_all)
        u->next_all->pprev_all = u->pprev_all;
    /* Datagram sockets that named this one as their target lose it; messages it sent and nobody
     * read yet (wmem: their charges) are charged to nobody. */
    for (struct unix_sock **pp = &all; *pp && (u->targeted || u->wmem); ) {
        if ((*pp)->peer == u) {
            (*pp)->peer = NULL;
            (*pp)->target_gone = (*pp)->s->type == SOCK_DGRAM;
        }
        for (struct unix_msg *m = (*pp)->head; m; m = m->next)
            if (m->sender == u)
                m->sender = NULL;      /* what it sent outlives it, charged to nobody */
        pp = &(*pp)->next_all;
    }
    while (u->head) {
        struct unix_msg *m = u->head;
        u->head = m->next;
        unix_rights_free(m->rights);   /* files in flight nobody will receive */
        msg_free(m);
    }
    unix_rights_free(s->send_rights);
    unix_rights_free(s->recv_rights);
    kfree(u);
    s->pcb = NULL;
}

const struct proto_ops unix_proto = {
    .bind = unix_bind, .listen = unix_listen, .accept = unix_accept, .connect = unix_connect,
    .send = unix_send, .recv = unix_recv, .shutdown = unix_shutdown, .poll = unix_poll,
    .name = unix_name, .apply_options = unix_options, .release = unix_release,
};

int unix_socket_init(struct socket *s)
{
    s->rcvbuf = s->sndbuf = UNIX_QUEUE_BYTES;
    return unix_init(s);
}

void unix_socket_pair(struct socket *a, struct socket *b)
{
    pair(us(a), us(b));
    init_peercred(us(a));
    init_peercred(us(b));
}

/* FIONREAD: a stream's or a seqpacket socket's unread bytes, a datagram socket's next message. */
int unix_socket_inq(struct socket *s)
{
    struct unix_sock *u = us(s);
    uint64_t n = 0;
    for (struct unix_msg *m = u->head; m; m = m->next) {
        n += m->len - m->offset;
        if (s->type == SOCK_DGRAM)
            break;
    }
    return n > INT32_MAX ? INT32_MAX : (int)n;
}

int unix_socket_outq(struct socket *s)
{
    uint64_t n = us(s)->wmem;
    return n > INT32_MAX ? INT32_MAX : (int)n;
}

bool unix_socket_peercred(struct socket *s, struct unix_cred *out)
{
    struct unix_sock *u = us(s);
    *out = u->peercred;
    return u->has_peercred;
}

/* A send naming an address on a stream socket: unix_stream_sendmsg refuses it (seqpacket
 * ignores it, datagrams use it). */
int unix_stream_addressed(struct socket *s)
{
    struct unix_sock *u = us(s);
    return u->peer || u->peer_gone ? -EISCONN : -EOPNOTSUPP;
}
