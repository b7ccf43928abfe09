/*
 * l1_runner: PID 1's worker inside the nested-KVM host (L1), which has no Python. For each run
 * directory it plays unibuild's QMP sequence (unibuild/qemu_run.py) against an inner
 * qemu-system-aarch64 -accel kvm: start it (it waits paused, -S), connect to its QMP socket,
 * qmp_capabilities, cont, wait for the SHUTDOWN event, read the registers with
 * human-monitor-command, quit. Everything the host needs comes back on L1's console as framed
 * hex lines, so neither the tty nor a stray kernel message can change a byte of it:
 *
 *   @@kvm begin NAME
 *   @@kvm console NAME HEX     the inner guest's console (QEMU's stdout), in pieces
 *   @@kvm stderr NAME HEX      QEMU's stderr
 *   @@kvm http NAME HEX        what the HTTP client got (all responses, in order)
 *   @@kvm event NAME HEX       the SHUTDOWN event line, as QEMU sent it
 *   @@kvm registers NAME HEX   the QMP reply line to `info registers`, as QEMU sent it
 *   @@kvm stat NAME STAT VALUE L1's KVM counters (debugfs) while the powered-off VM still exists
 *   @@kvm end NAME OUTCOME MS  OUTCOME: shutdown, timeout, exited, no-qmp
 *   @@kvm done
 *
 * A run directory holds `argv` (NUL-separated), `qmp` (the socket path argv names), `monitor`
 * (the command line for human-monitor-command), `timeout` (seconds) and optionally `http`
 * ("PORT COUNT PATH": GET PATH COUNT times from 127.0.0.1:PORT once the port answers, which the
 * inner slirp forwards to the guest). Every wait is bounded; when all runs are done L1 powers off.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 32
#define MAX_ARGS 128
#define CAPTURE_MAX (4 << 20)
#define QMP_CONNECT_SECONDS 10
#define QUIT_GRACE_MS 3000
#define CLIENT_GRACE_MS 5000   /* after SHUTDOWN: the HTTP client gets what slirp still holds */

struct buf {
    char *data;
    size_t len, cap;
};

static void buf_add(struct buf *b, const char *p, size_t n)
{
    if (b->len + n > CAPTURE_MAX)
        n = CAPTURE_MAX - b->len;   /* keep the first 4 MiB; a runaway console cannot eat L1 */
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        b->data = realloc(b->data, cap);
        if (b->data == NULL) {
            perror("l1_runner: realloc");
            exit(1);
        }
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* One frame line per write(): other console output can fall only between lines. */
static void frame_hex(const char *tag, const char *name, const char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char line[512];
    size_t off = 0;
    do {
        size_t chunk = n - off > 120 ? 120 : n - off;
        int k = snprintf(line, sizeof line, "@@kvm %s %s ", tag, name);
        for (size_t i = 0; i < chunk; i++) {
            line[k++] = digits[(unsigned char)p[off + i] >> 4];
            line[k++] = digits[(unsigned char)p[off + i] & 15];
        }
        line[k++] = '\n';
        if (write(1, line, k) < 0)
            return;
        off += chunk;
    } while (off < n);
}

static void say(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (k > (int)sizeof line - 2)
        k = sizeof line - 2;
    line[k++] = '\n';
    if (write(1, line, k) < 0)
        return;
}

/* The whole file, NUL-terminated; NULL if it does not exist. */
static char *read_file(const char *dir, const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct buf b = {0};
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        buf_add(&b, chunk, n);
    close(fd);
    buf_add(&b, "", 1);
    if (len)
        *len = b.len - 1;
    return b.data;
}

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Reads what is there without blocking; false at EOF or error. */
static int drain(int fd, struct buf *into)
{
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n > 0) {
            buf_add(into, chunk, n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 1;
        return 0;
    }
}

struct inner {
    pid_t pid;
    int out, err;             /* QEMU's stdout (the guest console) and stderr, -1 once at EOF */
    struct buf console, stderr_text;
    int exited;
    int status;
};

/* Copies the inner QEMU's output for up to `ms` milliseconds, also watching `fd` (if >= 0) for
 * input; returns 1 when `fd` is readable. */
static int pump(struct inner *q, int fd, int ms)
{
    struct pollfd p[3];
    int n = 0, fd_slot = -1, out_slot = -1, err_slot = -1;
    if (q->out >= 0) { out_slot = n; p[n++] = (struct pollfd){q->out, POLLIN, 0}; }
    if (q->err >= 0) { err_slot = n; p[n++] = (struct pollfd){q->err, POLLIN, 0}; }
    if (fd >= 0) { fd_slot = n; p[n++] = (struct pollfd){fd, POLLIN, 0}; }
    if (poll(p, n, ms) <= 0)
        return 0;
    if (out_slot >= 0 && p[out_slot].revents && !drain(q->out, &q->console)) {
        close(q->out);
        q->out = -1;
    }
    if (err_slot >= 0 && p[err_slot].revents && !drain(q->err, &q->stderr_text)) {
        close(q->err);
        q->err = -1;
    }
    return fd_slot >= 0 && p[fd_slot].revents != 0;
}

static int reap(struct inner *q)
{
    if (!q->exited && waitpid(q->pid, &q->status, WNOHANG) == q->pid)
        q->exited = 1;
    return q->exited;
}

static void start_inner(struct inner *q, char **argv)
{
    int out[2], err[2];
    if (pipe(out) < 0 || pipe(err) < 0) {
        perror("l1_runner: pipe");
        exit(1);
    }
    q->pid = fork();
    if (q->pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]);
        close(err[0]);
        execvp(argv[0], argv);
        perror(argv[0]);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    q->out = out[0];
    q->err = err[0];
    set_nonblock(q->out);
    set_nonblock(q->err);
}

/* The next complete line from the QMP socket into `line` (without CR LF), waiting until
 * `deadline`; 0 on timeout, EOF or the inner QEMU exiting. */
static int qmp_line(int sock, struct buf *pending, struct inner *q, long deadline, struct buf *line)
{
    for (;;) {
        char *nl = pending->len ? memchr(pending->data, '\n', pending->len) : NULL;
        if (nl != NULL) {
            size_t n = nl - pending->data;
            line->len = 0;
            buf_add(line, pending->data, n && pending->data[n - 1] == '\r' ? n - 1 : n);
            buf_add(line, "", 1);
            memmove(pending->data, nl + 1, pending->len - n - 1);
            pending->len -= n + 1;
            return 1;
        }
        long left = deadline - now_ms();
        if (left <= 0 || reap(q))
            return 0;
        if (pump(q, sock, left > 100 ? 100 : (int)left) && !drain(sock, pending))
            return 0;
    }
}

static int qmp_send(int sock, const char *json)
{
    size_t n = strlen(json);
    return write(sock, json, n) == (ssize_t)n && write(sock, "\r\n", 2) == 2;
}

/* Keeps `line` in `event` if it is the SHUTDOWN event; true if it is any event. */
static int note_event(const struct buf *line, struct buf *event)
{
    if (!strstr(line->data, "\"event\""))
        return 0;
    if (event && event->len == 0 && strstr(line->data, "\"SHUTDOWN\""))
        buf_add(event, line->data, line->len - 1);
    return 1;
}

/* Waits for the reply to the last command (a line with "return" or "error"), skipping events
 * (a SHUTDOWN event passing by is kept in `event`, if not NULL). */
static int qmp_reply(int sock, struct buf *pending, struct inner *q, long deadline, struct buf *line,
                     struct buf *event)
{
    while (qmp_line(sock, pending, q, deadline, line)) {
        if (note_event(line, event))
            continue;
        if (strstr(line->data, "\"return\"") || strstr(line->data, "\"error\""))
            return 1;
    }
    return 0;
}

static int qmp_connect(const char *path, struct inner *q, long deadline)
{
    while (now_ms() < deadline && !reap(q)) {
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        strncpy(a.sun_path, path, sizeof a.sun_path - 1);
        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) {
            set_nonblock(s);
            return s;
        }
        close(s);
        pump(q, -1, 20);   /* socket not made yet: look again shortly */
    }
    return -1;
}

/* The HTTP client, in its own process so the QMP loop never waits on it: GET `path` `count`
 * times (one connection each) once the forwarded port accepts; everything received goes to
 * `out`. Bounded by `deadline`. */
static void http_client(int port, int count, const char *path, const char *out, long deadline)
{
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    for (int i = 0; i < count && now_ms() < deadline; ) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        /* Generous: L1 is itself emulated, and on a loaded host a reply's first byte has been
         * seen to take over 5 s; a timed-out read would count as "not up yet" and retry a
         * request the server, which serves a fixed number, never answers. */
        struct timeval tv = {30, 0};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
            close(s);
            usleep(100000);
            continue;
        }
        char req[256], chunk[4096];
        int k = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: l1\r\nConnection: close\r\n\r\n", path);
        ssize_t n = 0, got = 0;
        if (write(s, req, k) == k)
            while ((n = read(s, chunk, sizeof chunk)) > 0 && write(fd, chunk, n) == n)
                got += n;
        close(s);
        /* slirp accepts on the forwarded port before the guest listens; it then closes the
         * connection without a byte: that is "not up yet", not a response. */
        if (got == 0) {
            usleep(100000);
            continue;
        }
        i++;
    }
    close(fd);
    _exit(0);
}

/* /sys/kernel/debug/kvm/STAT sums a counter over the live VMs, and the only VM is this run's,
 * paused after SHUTDOWN: its exits (MMIO to user space or in the kernel, WFI, HVC, ...) for the
 * whole run. Nothing is printed when L1 has no debugfs. */
static void report_kvm_stats(const char *name)
{
    DIR *d = opendir("/sys/kernel/debug/kvm");
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_type != DT_REG)
            continue;     /* per-VM directories: the sums above cover them */
        char *value = read_file("/sys/kernel/debug/kvm", e->d_name, NULL);
        if (value)
            say("@@kvm stat %s %s %ld", name, e->d_name, atol(value));
        free(value);
    }
    if (d)
        closedir(d);
}

static void run_one(const char *dir, const char *name)
{
    size_t argv_len;
    char *argv_text = read_file(dir, "argv", &argv_len);
    char *qmp_path = read_file(dir, "qmp", NULL);
    char *monitor = read_file(dir, "monitor", NULL);
    char *timeout_text = read_file(dir, "timeout", NULL);
    char *http = read_file(dir, "http", NULL);
    if (!argv_text || !qmp_path || !monitor || !timeout_text) {
        say("@@kvm end %s bad-run-directory 0", name);
        return;
    }
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    for (size_t i = 0; i < argv_len && argc < MAX_ARGS; i += strlen(argv_text + i) + 1)
        argv[argc++] = argv_text + i;
    argv[argc] = NULL;

    say("@@kvm begin %s", name);
    long started = now_ms();
    long deadline = started + atol(timeout_text) * 1000;
    struct inner q = {0};
    start_inner(&q, argv);

    pid_t client = -1;
    char http_out[600];
    snprintf(http_out, sizeof http_out, "%s/http.out", dir);
    int port = 0, count = 0;
    char path[256] = "/";
    if (http && sscanf(http, "%d %d %255s", &port, &count, path) >= 2) {
        client = fork();
        if (client == 0)
            http_client(port, count, path, http_out, deadline);
    }

    const char *outcome = "no-qmp";
    struct buf pending = {0}, line = {0}, registers = {0}, shutdown = {0};
    int sock = qmp_connect(qmp_path, &q, started + QMP_CONNECT_SECONDS * 1000);
    if (sock >= 0 && qmp_line(sock, &pending, &q, deadline, &line)     /* greeting */
        && qmp_send(sock, "{\"execute\": \"qmp_capabilities\"}")
        && qmp_reply(sock, &pending, &q, deadline, &line, NULL)
        && qmp_send(sock, "{\"execute\": \"cont\"}")
        && qmp_reply(sock, &pending, &q, deadline, &line, &shutdown)) {
        outcome = "timeout";
        while (shutdown.len == 0 && qmp_line(sock, &pending, &q, deadline, &line))
            note_event(&line, &shutdown);
        if (shutdown.len) {
            outcome = "shutdown";
            char cmd[300];
            snprintf(cmd, sizeof cmd, "{\"execute\": \"human-monitor-command\", "
                     "\"arguments\": {\"command-line\": \"%s\"}}", monitor);
            if (qmp_send(sock, cmd) && qmp_reply(sock, &pending, &q, deadline, &line, NULL))
                buf_add(&registers, line.data, line.len - 1);
            report_kvm_stats(name);
        } else if (reap(&q)) {
            outcome = "exited";
        }
    } else if (reap(&q)) {
        outcome = "exited";
    }
    long wall = now_ms() - started;

    /* The guest is off, but its last segments may still sit in the inner QEMU's slirp on their
     * way to the client (the guest waited only for slirp's ACK): keep QEMU alive until the
     * client has its answers (bounded), as a user's unibuild keeps its backend until QEMU quits. */
    bool client_reaped = false;
    if (client > 0 && shutdown.len) {
        long client_until = now_ms() + CLIENT_GRACE_MS;
        while (now_ms() < client_until && !client_reaped) {
            client_reaped = waitpid(client, NULL, WNOHANG) == client;
            if (!client_reaped)
                pump(&q, -1, 50);
        }
    }
    /* quit, then kill what does not obey; the pipes are read to EOF (bounded) either way. */
    if (sock >= 0 && !reap(&q))
        qmp_send(sock, "{\"execute\": \"quit\"}");
    long grace = now_ms() + QUIT_GRACE_MS;
    while (!reap(&q) && now_ms() < grace)
        pump(&q, -1, 50);
    if (!reap(&q)) {
        kill(q.pid, SIGKILL);
        waitpid(q.pid, &q.status, 0);
    }
    long drain_until = now_ms() + QUIT_GRACE_MS;
    while ((q.out >= 0 || q.err >= 0) && now_ms() < drain_until)
        pump(&q, -1, 50);
    if (sock >= 0)
        close(sock);
    if (client > 0) {
        while (!client_reaped && waitpid(client, NULL, WNOHANG) == 0 && now_ms() < grace + 2000)
            usleep(50000);
        if (!client_reaped) {
            kill(client, SIGKILL);
            waitpid(client, NULL, 0);
        }
        size_t n;
        char *got = read_file(dir, "http.out", &n);
        frame_hex("http", name, got ? got : "", got ? n : 0);
    }

    frame_hex("console", name, q.console.data ? q.console.data : "", q.console.len);
    frame_hex("stderr", name, q.stderr_text.data ? q.stderr_text.data : "", q.stderr_text.len);
    frame_hex("event", name, shutdown.data ? shutdown.data : "", shutdown.len);
    frame_hex("registers", name, registers.data ? registers.data : "", registers.len);
    say("@@kvm end %s %s %ld", name, outcome, wall);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *runs = argc > 1 ? argv[1] : "/kvm/runs";
    DIR *d = opendir(runs);
    char *names[MAX_RUNS];
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && n < MAX_RUNS)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    say("@@kvm l1-ready %d runs, /dev/kvm %s", n, access("/dev/kvm", R_OK | W_OK) == 0 ? "usable" : "missing");
    for (int i = 0; i < n; i++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s", runs, names[i]);
        run_one(dir, names[i]);
    }
    say("@@kvm done");
    sync();
    if (getpid() == 1)
        reboot(RB_POWER_OFF);
    return 0;
}
