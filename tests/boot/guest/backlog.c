/* A listener that does not accept (backlog 1) and three clients: Linux queues backlog + 1
 * connections and drops the next SYN (the client keeps trying, its connect stays in progress),
 * never resets it. tests/boot/test_listen_backlog.py compares with Linux under qemu-aarch64-static. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    bind(l, (struct sockaddr *)&a, sizeof(a));
    listen(l, 1);
    getsockname(l, (struct sockaddr *)&a, &len);
    int c[3];
    for (int i = 0; i < 3; i++) {
        c[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        int r = connect(c[i], (struct sockaddr *)&a, sizeof(a));
        struct pollfd p = { .fd = c[i], .events = POLLOUT };
        int ready = poll(&p, 1, 1500);
        int err = 0;
        socklen_t el = sizeof(err);
        getsockopt(c[i], SOL_SOCKET, SO_ERROR, &err, &el);
        printf("client %d: connect %s, writable after 1.5 s: %d, error: %s\n", i + 1,
               r == 0 ? "done" : errno == EINPROGRESS ? "in progress" : strerror(errno), ready == 1,
               err ? strerrorname_np(err) : "none");
    }
    int s = accept(l, NULL, NULL);
    printf("accept: %s\n", s >= 0 ? "a connection" : strerror(errno));
    struct pollfd p = { .fd = c[2], .events = POLLOUT };
    printf("third client connected once there was room (within 10 s): %d\n", poll(&p, 1, 10000) == 1 &&
           !(p.revents & (POLLERR | POLLHUP)));
    return 0;
}
