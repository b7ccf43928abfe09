/* A server whose last act is a large reply: accept one connection on port argv[1], read the
 * request, write a 100,000-byte HTTP response and leave at once (argv[2]: "exit" returns from
 * main with the socket open, "close" closes it first, "shutdown" half-closes and exits). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BODY 100000

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1))
        return 3;
    printf("listening\n");
    fflush(stdout);
    int c = accept(s, NULL, NULL);
    char req[1024];
    if (c < 0 || read(c, req, sizeof(req)) <= 0)
        return 4;
    static char reply[BODY + 128];
    int head = snprintf(reply, 128, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n", BODY);
    for (int i = 0; i < BODY; i++)
        reply[head + i] = 'a' + i % 26;
    for (int done = 0; done < head + BODY;) {
        ssize_t n = write(c, reply + done, head + BODY - done);
        if (n <= 0)
            return 5;
        done += n;
    }
    if (!strcmp(argv[2], "close"))
        close(c);
    else if (!strcmp(argv[2], "shutdown"))
        shutdown(c, SHUT_WR);
    return 0;
}
