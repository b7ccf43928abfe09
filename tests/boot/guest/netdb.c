/* The netbase databases glibc's NSS "files" module reads (tests/boot/test_netdb_files.py):
 * services (getservbyname, getservbyport, getaddrinfo with a service name) and protocols
 * (getprotobyname, getprotobynumber). Linux answers from the root's own /etc/services and
 * /etc/protocols, so a program in our image must find the same files there. */
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static void service(const char *name, const char *proto)
{
    struct servent *s = getservbyname(name, proto);
    if (s)
        printf("service %s/%s: port %d name %s\n", name, proto, ntohs(s->s_port), s->s_name);
    else
        printf("service %s/%s: none\n", name, proto);
}

static void protocol(const char *name)
{
    struct protoent *p = getprotobyname(name);
    struct protoent *q = p ? getprotobynumber(p->p_proto) : NULL;
    printf("protocol %s: %d %s\n", name, p ? p->p_proto : -1, q ? q->p_name : "none");
}

int main(void)
{
    service("http", "tcp");
    service("domain", "udp");
    service("no-such-service", "tcp");
    struct servent *s = getservbyport(htons(443), "tcp");
    printf("port 443/tcp: %s\n", s ? s->s_name : "none");
    protocol("tcp");
    protocol("udp");
    protocol("icmp");

    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST;
    int err = getaddrinfo("127.0.0.1", "https", &hints, &res);
    if (err == 0) {
        printf("getaddrinfo 127.0.0.1 https: port %d\n", ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port));
        freeaddrinfo(res);
    } else {
        printf("getaddrinfo 127.0.0.1 https: %s\n", gai_strerror(err));
    }
    return 0;
}
