/* The strace kernel option: one line per system call, decoded as strace(1) shows it, so the two
 * can be compared line by line: paths and strings quoted and escaped (-s 32), flag names
 * (O_RDONLY|O_CLOEXEC, AT_FDCWD), the structures programs are usually debugged by (stat,
 * timespec, sockaddr, epoll_event, iovec, sigset) and errno names with their messages. Each line
 * starts with the thread's id in brackets, as strace -f starts a thread's lines.
 *
 * The line is made after the call returns, so what the call filled in (a read's data, a stat) is
 * shown as strace shows it on exit; what the call was given is read again then, which matters
 * only if another thread changed it meanwhile. Pointers are read with copy_from_user: a bad one
 * is shown as its address, as strace does. Calls that do not return (exit_group) are printed
 * before they run, with `= ?`. */
#include "kernel.h"
#include "errno.h"
#include "linux_abi.h"
#include "profile.h"
#include "strace.h"
#include "syscall.h"
#include "uaccess.h"
#include "console.h"
#include "signal.h"

#define MAX_STRLEN 32          /* strace's default -s */
#define MAX_PATH   256         /* a longer path is cut, with "..." */
#define MAX_ARRAY  16          /* elements of an array shown before "..." */

void line_put(struct line *l, const char *s)
{
    while (*s && l->len < sizeof(l->buf) - 1)
        l->buf[l->len++] = *s++;
    l->buf[l->len] = 0;
}

void line_printf(struct line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = sizeof(l->buf) - l->len;
    int n = vsnprintf(l->buf + l->len, room, fmt, ap);
    va_end(ap);
    l->len += n < (int)room ? (size_t)n : room - 1;
}

void put_value(struct line *l, const struct name *t, uint64_t value, const char *fallback_fmt)
{
    for (; t->name; t++)
        if (t->value == value) {
            line_put(l, t->name);
            return;
        }
    line_printf(l, fallback_fmt, value);
}

void put_flags(struct line *l, const struct name *t, uint64_t value, const char *zero_name)
{
    bool any = false;
    for (; t->name; t++)
        if (t->value && (value & t->value) == t->value) {
            line_printf(l, "%s%s", any ? "|" : "", t->name);
            value &= ~t->value;
            any = true;
        }
    if (value)
        line_printf(l, "%s%#lx", any ? "|" : "", value);
    else if (!any)
        line_put(l, zero_name ? zero_name : "0");
}

/* strace's "%#03o": 0644, 000, 04755. */
static void put_octal(struct line *l, uint64_t v)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (v & 7));
        v >>= 3;
    } while (v);
    if (n == 1 && digits[0] == '0')
        line_put(l, "000");
    else {
        line_put(l, n == 1 ? "00" : "0");   /* "#" adds a 0, width 3 pads 07 to 007 */
        while (n)
            line_printf(l, "%c", digits[--n]);
    }
}

static void put_address(struct line *l, uint64_t a)
{
    if (a)
        line_printf(l, "%#lx", a);
    else
        line_put(l, "NULL");
}

/* strace's quoting: printable ASCII as is, C escapes for the usual controls, octal otherwise
 * (three digits when a digit follows, so the escape stays unambiguous). */
void put_quoted(struct line *l, const uint8_t *s, size_t n, bool truncated)
{
    line_put(l, "\"");
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\t' ? "\\t"
                        : c == '\r' ? "\\r" : c == '\v' ? "\\v" : c == '\f' ? "\\f" : NULL;
        if (esc)
            line_put(l, esc);
        else if (c >= 0x20 && c < 0x7f)
            line_printf(l, "%c", c);
        else if (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7')
            line_printf(l, "\\%c%c%c", '0' + (c >> 6), '0' + ((c >> 3) & 7), '0' + (c & 7));
        else if (c >= 64)
            line_printf(l, "\\%c%c%c", '0' + (c >> 6), '0' + ((c >> 3) & 7), '0' + (c & 7));
        else if (c >= 8)
            line_printf(l, "\\%c%c", '0' + (c >> 3), '0' + (c & 7));
        else
            line_printf(l, "\\%c", '0' + c);
    }
    line_put(l, truncated ? "\"..." : "\"");
}

/* n bytes at a user address, the first MAX_STRLEN of them quoted. */
static void put_buffer(struct line *l, uint64_t uaddr, uint64_t n)
{
    uint8_t buf[MAX_STRLEN];
    size_t shown = n < MAX_STRLEN ? n : MAX_STRLEN;
    if (!uaddr || copy_from_user(buf, uaddr, shown)) {
        put_address(l, uaddr);
        return;
    }
    put_quoted(l, buf, shown, n > shown);
}

static void put_string(struct line *l, uint64_t uaddr, size_t max)
{
    char buf[MAX_PATH];
    int64_t n = uaddr ? strncpy_from_user(buf, uaddr, max) : -EFAULT;
    if (n == -EFAULT) {
        put_address(l, uaddr);
        return;
    }
    put_quoted(l, (const uint8_t *)buf, n < 0 ? max : (size_t)n, n < 0);
}

static bool read_user(void *dst, uint64_t uaddr, size_t len)
{
    return uaddr && !copy_from_user(dst, uaddr, len);
}

static void put_open_flags(struct line *l, uint64_t flags)
{
    static const char *const modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
    line_put(l, modes[flags & O_ACCMODE]);
    flags &= ~(uint64_t)O_ACCMODE;
    if (flags & 020000000)
        flags &= ~(uint64_t)O_DIRECTORY;   /* O_TMPFILE includes it */
    if (flags) {
        line_put(l, "|");
        put_flags(l, open_flag_names, flags, NULL);
    }
}

static void put_stat(struct line *l, uint64_t uaddr)
{
    struct linux_stat st;
    if (!read_user(&st, uaddr, sizeof(st))) {
        put_address(l, uaddr);
        return;
    }
    static const struct name types[] = {
        { S_IFSOCK, "S_IFSOCK" }, { S_IFLNK, "S_IFLNK" }, { S_IFREG, "S_IFREG" }, { S_IFBLK, "S_IFBLK" },
        { S_IFDIR, "S_IFDIR" }, { S_IFCHR, "S_IFCHR" }, { S_IFIFO, "S_IFIFO" }, { 0, NULL },
    };
    line_put(l, "{st_mode=");
    put_value(l, types, st.st_mode & S_IFMT, "%#lo");
    line_put(l, "|");
    put_octal(l, st.st_mode & ~S_IFMT);
    uint32_t type = st.st_mode & S_IFMT;
    if (type == S_IFCHR || type == S_IFBLK) {
        /* Linux's new_encode_dev split, printed as strace's makedev(major, minor) */
        uint64_t major = ((st.st_rdev >> 8) & 0xfff) | ((st.st_rdev >> 32) & ~0xfffUL);
        uint64_t minor = (st.st_rdev & 0xff) | ((st.st_rdev >> 12) & ~0xffUL);
        line_printf(l, ", st_rdev=makedev(%#lx, %#lx), ...}", major, minor);
    } else
        line_printf(l, ", st_size=%ld, ...}", st.st_size);
}

static void put_timespec(struct line *l, uint64_t uaddr)
{
    struct linux_timespec ts;
    if (!read_user(&ts, uaddr, sizeof(ts)))
        put_address(l, uaddr);
    else
        line_printf(l, "{tv_sec=%ld, tv_nsec=%ld}", ts.tv_sec, ts.tv_nsec);
}

static void put_sockaddr(struct line *l, uint64_t uaddr, uint64_t len)
{
    uint8_t sa[128] = { 0 };
    if (len > sizeof(sa))
        len = sizeof(sa);
    if (len < 2 || !read_user(sa, uaddr, len)) {
        put_address(l, uaddr);
        return;
    }
    uint16_t family = (uint16_t)(sa[0] | sa[1] << 8);
    line_put(l, "{sa_family=");
    put_value(l, family_names, family, "%lu");
    if (family == AF_INET && len >= 8)
        line_printf(l, ", sin_port=htons(%u), sin_addr=inet_addr(\"%u.%u.%u.%u\")}", sa[2] << 8 | sa[3], sa[4],
                    sa[5], sa[6], sa[7]);
    else if (family == AF_UNIX && len > 2) {
        bool abstract = sa[2] == 0;
        size_t start = abstract ? 3 : 2, end = start;
        while (end < len && (abstract || sa[end]))
            end++;
        line_put(l, abstract ? ", sun_path=@" : ", sun_path=");
        put_quoted(l, sa + start, end - start, false);
        line_put(l, "}");
    } else if (family == AF_INET6 && len >= 28) {
        line_printf(l, ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), inet_pton(AF_INET6, \"", sa[2] << 8 | sa[3],
                    (uint32_t)sa[4] << 24 | sa[5] << 16 | sa[6] << 8 | sa[7]);
        /* RFC 5952: the longest run of two or more zero groups becomes "::" */
        uint16_t g[8];
        for (int i = 0; i < 8; i++)
            g[i] = (uint16_t)(sa[8 + 2 * i] << 8 | sa[9 + 2 * i]);
        int best = -1, best_len = 1;
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && !g[j])
                j++;
            if (j - i > best_len) {
                best = i;
                best_len = j - i;
            }
            i = j > i ? j : i + 1;
        }
        bool v4mapped = best == 0 && best_len == 5 && g[5] == 0xffff;
        for (int i = 0; i < (v4mapped ? 6 : 8); i++) {
            if (i == best) {
                line_put(l, "::");
                i += best_len - 1;
                continue;
            }
            line_printf(l, "%s%x", i && i != best + best_len ? ":" : "", g[i]);
        }
        if (v4mapped)
            line_printf(l, ":%u.%u.%u.%u", sa[20], sa[21], sa[22], sa[23]);
        uint32_t scope = (uint32_t)(sa[24] | sa[25] << 8 | sa[26] << 16 | (uint32_t)sa[27] << 24);
        line_printf(l, "\", &sin6_addr), sin6_scope_id=%u}", scope);
    } else
        line_put(l, ", ...}");
}

struct linux_epoll_event {
    uint32_t events;
    uint64_t data;   /* arm64 does not pack the structure (only x86-64 does) */
};

static void put_epoll_event(struct line *l, const struct linux_epoll_event *e)
{
    line_put(l, "{events=");
    put_flags(l, epoll_event_names, e->events, NULL);
    line_printf(l, ", data={u32=%u, u64=%lu}}", (uint32_t)e->data, e->data);
}

static void put_epoll_events(struct line *l, uint64_t uaddr, int64_t n)
{
    line_put(l, "[");
    for (int64_t i = 0; i < n; i++) {
        struct linux_epoll_event e;
        if (i == MAX_ARRAY) {
            line_put(l, ", ...");
            break;
        }
        if (!read_user(&e, uaddr + i * sizeof(e), sizeof(e)))
            break;
        if (i)
            line_put(l, ", ");
        put_epoll_event(l, &e);
    }
    line_put(l, "]");
}

/* [{iov_base="...", iov_len=5}, ...]; `data` bytes of contents in all (a readv's result). */
static void put_iovec(struct line *l, uint64_t uaddr, uint64_t count, uint64_t data)
{
    line_put(l, "[");
    for (uint64_t i = 0; i < count; i++) {
        struct linux_iovec v;
        if (i == MAX_ARRAY) {
            line_put(l, ", ...");
            break;
        }
        if (!read_user(&v, uaddr + i * sizeof(v), sizeof(v)))
            break;
        line_printf(l, "%s{iov_base=", i ? ", " : "");
        uint64_t shown = v.iov_len < data ? v.iov_len : data;
        put_buffer(l, v.iov_base, shown);
        data -= shown;
        line_printf(l, ", iov_len=%lu}", v.iov_len);
    }
    line_put(l, "]");
}

/* [INT TERM], or ~[...] listing the signals not in the set when most are (strace's form). */
static void put_sigset(struct line *l, uint64_t uaddr)
{
    uint64_t set;
    if (!read_user(&set, uaddr, sizeof(set))) {
        put_address(l, uaddr);
        return;
    }
    int members = 0;
    for (uint64_t bits = set; bits; bits &= bits - 1)
        members++;
    bool inverted = members > 32;
    if (inverted) {
        set = ~set;
        line_put(l, "~");
    }
    line_put(l, "[");
    bool first = true;
    for (int sig = 1; sig <= 64; sig++) {
        if (!(set & SIG_BIT(sig)))
            continue;
        if (sig < SIGRTMIN)
            line_printf(l, "%s%s", first ? "" : " ", signal_name(sig) + 3);
        else
            line_printf(l, "%sRT_%d", first ? "" : " ", sig - SIGRTMIN);
        first = false;
    }
    line_put(l, "]");
}

static void put_signal(struct line *l, uint64_t sig)
{
    if (sig >= 1 && sig < SIGRTMIN)
        line_put(l, signal_name((int)sig));
    else if ((int)sig >= SIGRTMIN && sig <= 64)
        line_printf(l, "SIGRT_%d", (int)sig - SIGRTMIN);
    else
        line_printf(l, "%d", (int)sig);
}

static void put_int_pointer(struct line *l, uint64_t uaddr)
{
    int32_t v;
    if (read_user(&v, uaddr, sizeof(v)))
        line_printf(l, "[%d]", v);
    else
        put_address(l, uaddr);
}

static void put_rlimit_value(struct line *l, uint64_t v)
{
    if (v == RLIM_INFINITY)
        line_put(l, "RLIM64_INFINITY");
    else if (v && v % 1024 == 0)
        line_printf(l, "%lu*1024", v / 1024);
    else
        line_printf(l, "%lu", v);
}

static void put_rlimit(struct line *l, uint64_t uaddr)
{
    struct linux_rlimit r;
    if (!read_user(&r, uaddr, sizeof(r))) {
        put_address(l, uaddr);
        return;
    }
    line_put(l, "{rlim_cur=");
    put_rlimit_value(l, r.rlim_cur);
    line_put(l, ", rlim_max=");
    put_rlimit_value(l, r.rlim_max);
    line_put(l, "}");
}

/* futex(uaddr, FUTEX_WAIT_PRIVATE, val, timeout): strace shows only the arguments the op uses. */
static void put_futex(struct line *l, const uint64_t a[6])
{
    uint32_t op = (uint32_t)a[1], cmd = op & FUTEX_CMD_MASK;
    put_value(l, futex_op_names, cmd, "%lu");
    if (op & FUTEX_PRIVATE_FLAG)
        line_put(l, "_PRIVATE");
    if (op & FUTEX_CLOCK_REALTIME)
        line_put(l, "|FUTEX_CLOCK_REALTIME");
    line_printf(l, ", %d", (int)a[2]);
    if (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) {
        line_put(l, ", ");
        put_timespec(l, a[3]);
    }
    if (cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_WAKE_BITSET) {
        if (cmd == FUTEX_WAKE_BITSET)
            line_put(l, ", NULL");
        if ((uint32_t)a[5] == 0xffffffffu)
            line_put(l, ", FUTEX_BITSET_MATCH_ANY");
        else
            line_printf(l, ", %#x", (uint32_t)a[5]);
    } else if (cmd != FUTEX_WAIT && cmd != FUTEX_WAKE)
        line_printf(l, ", %#lx, %#lx, %#lx", a[3], a[4], a[5]);
}

static void put_fcntl(struct line *l, const uint64_t a[6])
{
    uint32_t cmd = (uint32_t)a[1];
    put_value(l, fcntl_cmd_names, cmd, "%#lx");
    if (cmd == F_GETFD || cmd == F_GETFL)
        return;
    line_put(l, ", ");
    if (cmd == F_SETFD)
        line_put(l, a[2] & FD_CLOEXEC ? "FD_CLOEXEC" : "0");
    else if (cmd == F_SETFL)
        put_open_flags(l, a[2]);
    else if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
        line_printf(l, "%d", (int)a[2]);
    else
        put_address(l, a[2]);
}

static void put_sockopt_name(struct line *l, uint64_t level, uint64_t name)
{
    put_value(l, sockopt_level_names, level, "%lu");
    line_put(l, ", ");
    if (level == SOL_SOCKET)
        put_value(l, so_names, name, "%lu");
    else if (level == IPPROTO_TCP)
        put_value(l, tcp_names, name, "%lu");
    else
        line_printf(l, "%lu", name);
}

/* Argument i of a call by its kind letter (the legend is in strace_table.c). Returns how many
 * arguments it showed (some kinds show the rest of the call, some need the next argument). */
static int put_arg(struct line *l, char kind, const uint64_t a[6], int i, int64_t r)
{
    uint64_t v = a[i], next = i < 5 ? a[i + 1] : 0;
    bool ok = r >= 0;   /* what the call fills in exists only when it succeeded */
    switch (kind) {
    case 'd': line_printf(l, "%ld", (int64_t)v); break;
    case 'u': line_printf(l, "%lu", v); break;
    case '8':
        if (v) line_printf(l, "%#lx", v); else line_put(l, "0");
        break;
    case 'f': line_printf(l, "%d", (int)v); break;
    case 'a':
        if ((int)v == AT_FDCWD)
            line_put(l, "AT_FDCWD");
        else
            line_printf(l, "%d", (int)v);
        break;
    case 'p': put_string(l, v, MAX_PATH); break;
    case 's': put_string(l, v, MAX_STRLEN); break;
    case 'b': put_buffer(l, v, next); break;
    case 'B':
        if (ok) put_buffer(l, v, (uint64_t)r); else put_address(l, v);
        break;
    case 'O':
        if (ok) put_string(l, v, MAX_PATH); else put_address(l, v);
        break;
    case 'v': put_iovec(l, v, next, ~0UL); break;
    case 'V':
        if (ok) put_iovec(l, v, next, (uint64_t)r); else put_address(l, v);
        break;
    case 'o': put_open_flags(l, v); break;
    case '7': put_flags(l, open_flag_names, v, "0"); break;
    case 'm': put_octal(l, v); break;
    case 'n': put_flags(l, at_flag_names, v, "0"); break;
    case 'r': put_flags(l, access_names, v, "F_OK"); break;
    case 'S':
        if (ok) put_stat(l, v); else put_address(l, v);
        break;
    case 't': put_timespec(l, v); break;
    case 'T':
        if (ok) put_timespec(l, v); else put_address(l, v);
        break;
    case 'k': put_value(l, clock_names, v, "%lu"); break;
    case 'A': put_sockaddr(l, v, next); break;
    case 'R': {
        int32_t len;
        if (ok && v && read_user(&len, next, sizeof(len)))
            put_sockaddr(l, v, (uint64_t)len);
        else
            put_address(l, v);
        break;
    }
    case 'l':
        if (ok) put_int_pointer(l, v); else put_address(l, v);
        break;
    case 'e': {
        struct linux_epoll_event e;
        if (read_user(&e, v, sizeof(e)))
            put_epoll_event(l, &e);
        else
            put_address(l, v);
        break;
    }
    case 'E':
        if (ok) put_epoll_events(l, v, r); else put_address(l, v);
        break;
    case 'P': put_flags(l, prot_names, v, "PROT_NONE"); break;
    case 'F': put_flags(l, map_flag_names, v, NULL); break;
    case 'g': put_signal(l, v); break;
    case 'q': put_sigset(l, v); break;
    case 'Q':
        if (ok) put_sigset(l, v); else put_address(l, v);
        break;
    case 'w': put_value(l, whence_names, v, "%lu"); break;
    case 'c': put_fcntl(l, a); return 6 - i;
    case 'X': put_futex(l, a); return 6 - i;
    case 'y': put_value(l, family_names, v, "%lu"); break;
    case 'Y':
        put_value(l, sock_type_names, v & SOCK_TYPE_MASK, "%lu");
        if (v & ~(uint64_t)SOCK_TYPE_MASK) {
            line_put(l, "|");
            put_flags(l, sock_flag_names, v & ~(uint64_t)SOCK_TYPE_MASK, NULL);
        }
        break;
    case 'K': put_flags(l, sock_flag_names, v, "0"); break;
    case 'z':   /* strace names the protocol of an internet socket only */
        if (a[0] == AF_INET || a[0] == AF_INET6)
            put_value(l, protocol_names, v, "%lu");
        else
            line_printf(l, "%lu", v);
        break;
    case 'j': put_sockopt_name(l, v, next); return 2;
    case 'J':
        if (next == sizeof(int32_t)) put_int_pointer(l, v); else put_address(l, v);
        break;
    case 'G': put_flags(l, msg_flag_names, v, "0"); break;
    case 'h': put_value(l, sigprocmask_how_names, v, "%#lx"); break;
    case 'i': put_value(l, ioctl_names, v, "%#lx"); break;
    case 'I': {
        int32_t fds[2];
        if (ok && read_user(fds, v, sizeof(fds)))
            line_printf(l, "[%d, %d]", fds[0], fds[1]);
        else
            put_address(l, v);
        break;
    }
    case 'C': {   /* arm64's clone(flags, stack, parent_tid, tls, child_tid), as strace names them */
        line_put(l, "child_stack=");
        put_address(l, a[1]);
        line_put(l, ", flags=");
        put_flags(l, clone_flag_names, v & ~CSIGNAL, NULL);
        if (v & CSIGNAL) {
            line_put(l, (v & ~CSIGNAL) ? "|" : "");
            put_signal(l, v & CSIGNAL);
        }
        line_put(l, ", parent_tid=");
        if (ok && (v & CLONE_PARENT_SETTID)) put_int_pointer(l, a[2]); else put_address(l, a[2]);
        line_put(l, ", tls=");
        put_address(l, a[3]);
        line_put(l, ", child_tidptr=");
        put_address(l, a[4]);
        return 5;
    }
    case 'L': put_flags(l, flock_names, v, "0"); break;
    case 'H': put_value(l, shutdown_names, v, "%lu"); break;
    case 'N': put_value(l, epoll_op_names, v, "%lu"); break;
    case 'Z': put_value(l, madv_names, v, "%lu"); break;
    case 'W': put_value(l, rlimit_names, v, "%lu"); break;
    case '1': put_flags(l, efd_flag_names, v, "0"); break;
    case '2': put_flags(l, mfd_flag_names, v, "0"); break;
    case '3': put_flags(l, timer_flag_names, v, "0"); break;
    case '4': line_put(l, v == EPOLL_CLOEXEC ? "EPOLL_CLOEXEC" : "0"); if (v & ~(uint64_t)EPOLL_CLOEXEC) line_printf(l, "|%#lx", v & ~(uint64_t)EPOLL_CLOEXEC); break;
    case '5': put_rlimit(l, v); break;
    case '6':
        if (ok) put_rlimit(l, v); else put_address(l, v);
        break;
    default: put_address(l, v); break;
    }
    return 1;
}

static void put_call(struct line *l, int tid, uint64_t nr, const uint64_t a[6], int64_t r)
{
    const struct syscall_format *f = syscall_format(nr);
    line_printf(l, "[%d] %s(", tid, syscall_name(nr));
    bool first = true;
    for (int k = 0, i = 0; f->args[k] && i < 6; k++) {
        char kind = f->args[k];
        /* openat's mode exists only when the flags create a file */
        if (kind == 'M' && !(a[i - 1] & (O_CREAT | 020000000))) {
            i++;
            continue;
        }
        if (!first)
            line_put(l, ", ");
        first = false;
        i += put_arg(l, kind == 'M' ? 'm' : kind, a, i, r);
    }
    line_put(l, ")");
}

void trace_syscall(int tid, uint64_t nr, const uint64_t a[6], int64_t r)
{
    struct line l = { .len = 0 };
    put_call(&l, tid, nr, a, r);
    const struct syscall_format *f = syscall_format(nr);
    if (r < 0 && r >= -4095 && errno_name((int)-r))
        line_printf(&l, " = %s %s (%s)\n", -r >= 512 ? "?" : "-1", errno_name((int)-r), errno_message((int)-r));
    else if (r < 0 && r >= -4095)
        line_printf(&l, " = -1 E%ld (Unknown error %ld)\n", -r, -r);
    else if (f->result == 'x')
        line_printf(&l, " = %#lx\n", (uint64_t)r);
    else if (f->result == 'o') {
        line_put(&l, " = ");
        put_octal(&l, (uint64_t)r);
        line_put(&l, "\n");
    } else
        line_printf(&l, " = %ld\n", r);
    console_write(l.buf, l.len);
}

bool trace_before_call(int tid, uint64_t nr, const uint64_t a[6])
{
    if (syscall_format(nr)->result != '?')
        return false;
    struct line l = { .len = 0 };
    put_call(&l, tid, nr, a, 0);
    line_put(&l, " = ?\n");
    console_write(l.buf, l.len);
    return true;
}
