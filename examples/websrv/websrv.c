/*
 * websrv: a small HTTP/1.1 server on one epoll loop, with keep-alive and pipelining, plus a
 * UDP echo on the same port number. Plain Linux API only, so the same source runs natively,
 * under qemu-aarch64-static and in the unikernel (bench/web.py compares the three).
 *
 *   websrv [PORT [MAX_REQUESTS]]     default port 8080; exit 0 after MAX_REQUESTS (0 = never)
 *
 *   GET /           a small HTML page
 *   GET /bytes/N    N bytes of 'x' (N <= 1 MiB), for throughput
 *   HEAD ...        the same headers, no body
 *   anything else   404, 405 or 400
 *
 * Every socket is non-blocking and level-triggered: a connection is read until EAGAIN, each
 * complete request in its buffer is answered in order, and output that the socket did not
 * take waits for EPOLLOUT (reading stops meanwhile, so a client that never reads cannot make
 * us buffer without bound).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define IN_MAX (16 * 1024)        /* a request head larger than this is refused */
#define BYTES_MAX (1024 * 1024)
#define MAX_EVENTS 64

static const char page[] =
    "<!DOCTYPE html>\n<html><head><title>websrv</title></head>\n"
    "<body><h1>Hello from websrv</h1></body></html>\n";

struct conn {
	int fd;
	char in[IN_MAX];
	size_t in_len;
	char *out;                /* response bytes not yet sent */
	size_t out_len, out_off, out_cap;
	int closing;              /* close once `out` is sent */
};

static int epfd;
static long served, max_requests;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Appends to the connection's output; false only when memory runs out. */
static int out_append(struct conn *c, const char *data, size_t len)
{
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + len)
			cap *= 2;
		char *p = realloc(c->out, cap);
		if (!p)
			return 0;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return 1;
}

static int respond(struct conn *c, int status, const char *reason, const char *type,
		   const char *body, size_t body_len, int head_only)
{
	char head[256];
	int n = snprintf(head, sizeof head,
			 "HTTP/1.1 %d %s\r\nServer: websrv\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: %s\r\n\r\n",
			 status, reason, type, body_len, c->closing ? "close" : "keep-alive");
	if (!out_append(c, head, (size_t)n))
		return 0;
	return head_only || out_append(c, body, body_len);
}

/* Case-insensitive: does header `name` (with its colon) in the head hold `token`? */
static int header_has(const char *head, const char *name, const char *token)
{
	size_t nlen = strlen(name);
	for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
		const char *start = line + 2;
		if (strncasecmp(start, name, nlen) == 0) {
			const char *end = strstr(start, "\r\n");
			for (const char *p = start + nlen; end && p + strlen(token) <= end; p++)
				if (strncasecmp(p, token, strlen(token)) == 0)
					return 1;
		}
	}
	return 0;
}

static long content_length(const char *head)
{
	for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n"))
		if (strncasecmp(line + 2, "Content-Length:", 15) == 0)
			return strtol(line + 17, NULL, 10);
	return 0;
}

/* Answers one request whose head (NUL-terminated, up to the blank line) is `head`. */
static int handle_request(struct conn *c, char *head)
{
	char method[16], path[1024], version[16];
	if (sscanf(head, "%15s %1023s %15s", method, path, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0) {
		c->closing = 1;
		return respond(c, 400, "Bad Request", "text/plain", "bad request\n", 12, 0);
	}
	/* HTTP/1.1 keeps the connection unless told not to; 1.0 closes unless asked to keep it. */
	if (strcmp(version, "HTTP/1.0") == 0)
		c->closing = !header_has(head, "Connection:", "keep-alive");
	else
		c->closing = header_has(head, "Connection:", "close");
	int head_only = strcmp(method, "HEAD") == 0;
	served++;
	if (!head_only && strcmp(method, "GET") != 0)
		return respond(c, 405, "Method Not Allowed", "text/plain", "GET or HEAD only\n", 17, 0);
	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
		return respond(c, 200, "OK", "text/html", page, sizeof page - 1, head_only);
	if (strncmp(path, "/bytes/", 7) == 0) {
		char *end;
		long n = strtol(path + 7, &end, 10);
		if (*end == '\0' && end != path + 7 && n >= 0 && n <= BYTES_MAX) {
			char *body = malloc(n ? (size_t)n : 1);
			if (!body)
				return 0;
			memset(body, 'x', (size_t)n);
			int ok = respond(c, 200, "OK", "application/octet-stream", body, (size_t)n, head_only);
			free(body);
			return ok;
		}
	}
	return respond(c, 404, "Not Found", "text/plain", "not found\n", 10, head_only);
}

static void conn_close(struct conn *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Sends pending output; returns -1 on a dead socket, else whether output is still pending. */
static int flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			if (errno == EINTR)
				continue;
			return -1;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return 0;
}

/* Answers every complete request in the input buffer, in order (pipelining). */
static int process_input(struct conn *c)
{
	for (;;) {
		c->in[c->in_len] = '\0';
		char *end = strstr(c->in, "\r\n\r\n");
		if (!end) {
			if (c->in_len >= IN_MAX - 1) {
				c->closing = 1;
				return respond(c, 431, "Request Header Fields Too Large", "text/plain",
					       "header too large\n", 17, 0);
			}
			return 1;
		}
		end[2] = '\0';   /* keep the last header's CRLF: every header line ends in one */
		size_t used = (size_t)(end + 4 - c->in);
		long body = content_length(c->in);
		if (body < 0 || (size_t)body > c->in_len - used)
			body = 0;   /* bodies are not used; one still in flight is read as garbage */
		if (!handle_request(c, c->in))
			return 0;
		used += (size_t)body;
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		if (c->closing)
			return 1;
	}
}

/* Readable or writable connection: one step of its state machine. */
static void conn_event(struct conn *c, unsigned events)
{
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		conn_close(c);
		return;
	}
	int pending = flush_out(c);
	while (pending == 0 && !c->closing) {
		ssize_t n = recv(c->fd, c->in + c->in_len, IN_MAX - 1 - c->in_len, 0);
		if (n == 0) {
			conn_close(c);
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(c);
			return;
		}
		c->in_len += (size_t)n;
		if (!process_input(c)) {
			conn_close(c);
			return;
		}
		pending = flush_out(c);
	}
	if (pending < 0 || (pending == 0 && c->closing)) {
		conn_close(c);
		return;
	}
	/* Wait for room to write, or (nothing pending) for more input. */
	struct epoll_event ev = { .events = pending ? EPOLLOUT : EPOLLIN, .data.ptr = c };
	epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void accept_all(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				perror("accept4");
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct conn *c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			perror("epoll_ctl");
			close(fd);
			free(c);
		}
	}
}

/* Each datagram goes back to its sender unchanged. */
static void echo_udp(int ufd)
{
	char buf[2048];
	for (;;) {
		struct sockaddr_storage from;
		socklen_t len = sizeof from;
		ssize_t n = recvfrom(ufd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
		if (n < 0)
			return;
		sendto(ufd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
	}
}

static int listen_on(int type, int port)
{
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				    .sin_addr.s_addr = htonl(INADDR_ANY) };
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		die("bind");
	if (type == SOCK_STREAM && listen(fd, 128) < 0)
		die("listen");
	return fd;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 8080;
	max_requests = argc > 2 ? atol(argv[2]) : 0;
	if (port <= 0 || port > 65535 || max_requests < 0) {
		fprintf(stderr, "usage: websrv [PORT [MAX_REQUESTS]]\n");
		return 2;
	}
	int lfd = listen_on(SOCK_STREAM, port);
	int ufd = listen_on(SOCK_DGRAM, port);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1");
	/* The listening sockets are told apart from connections by their data.ptr == NULL. */
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0 };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
		die("epoll_ctl");
	ev.data.u64 = 1;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, ufd, &ev) < 0)
		die("epoll_ctl");
	printf("websrv: listening on port %d (tcp http, udp echo)\n", port);
	fflush(stdout);

	struct epoll_event events[MAX_EVENTS];
	while (max_requests == 0 || served < max_requests) {
		int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			if (events[i].data.u64 == 0)
				accept_all(lfd);
			else if (events[i].data.u64 == 1)
				echo_udp(ufd);
			else
				conn_event(events[i].data.ptr, events[i].events);
		}
	}
	printf("websrv: served %ld requests\n", served);
	return 0;
}
