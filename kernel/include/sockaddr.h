/* Socket addresses across the user boundary (net/sockaddr.c): the Linux sockaddr of a socket's
 * family to and from the socket layer's struct sock_addr. Negative errno values on failure. */
#pragma once
#include <stdint.h>

struct socket;
struct sock_addr;

#define MAX_SOCK_ADDR 128          /* sizeof(struct sockaddr_storage): longer is EINVAL */

/* Copy a user sockaddr of len bytes into buf (MAX_SOCK_ADDR bytes). */
int sockaddr_from_user(uint64_t uaddr, int64_t len, uint8_t *buf);
/* The address in buf (len bytes), checked against the socket's family, into *a. */
int sockaddr_parse(struct socket *s, const uint8_t *buf, int64_t len, struct sock_addr *a);
/* *a as the socket family's sockaddr in buf (MAX_SOCK_ADDR bytes); returns its length. */
int sockaddr_format(struct socket *s, const struct sock_addr *a, uint8_t *buf);
/* buf (klen bytes) to a user sockaddr whose room is in *ulen; *ulen becomes klen. */
int sockaddr_to_user(const uint8_t *buf, int klen, uint64_t uaddr, uint64_t ulen);
