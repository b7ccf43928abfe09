/* Netlink messages as Linux's nlmsg_* and nla_* helpers build and parse them: a header or an
 * attribute is put only when it fits whole (the caller then ends the part there), padding is
 * zeroed, lengths are the unpadded ones. Interface: include/netlink.h. */
#include "kernel.h"
#include "netlink.h"
#include "errno.h"
#include <string.h>

#define NLA_ALIGN(n) (((n) + 3u) & ~3u)

static void *reserve(struct nl_buf *b, uint32_t n)
{
    if (b->cap - b->len < n)
        return NULL;
    void *p = b->data + b->len;
    memset(p, 0, n);
    b->len += n;
    return p;
}

struct nlmsghdr_k *nlmsg_put(struct nl_buf *b, uint32_t portid, uint32_t seq, uint16_t type, uint32_t payload,
                             uint16_t flags)
{
    struct nlmsghdr_k *h = reserve(b, NLMSG_ALIGN(NLMSG_HDRLEN + payload));
    if (!h)
        return NULL;
    h->len = NLMSG_HDRLEN + payload;
    h->type = type;
    h->flags = flags;
    h->seq = seq;
    h->pid = portid;
    return h;
}

void nlmsg_end(struct nl_buf *b, struct nlmsghdr_k *h)
{
    h->len = (uint32_t)(b->data + b->len - (uint8_t *)h);
}

void nlmsg_cancel(struct nl_buf *b, struct nlmsghdr_k *h)
{
    b->len = (uint32_t)((uint8_t *)h - b->data);
}

bool nla_put(struct nl_buf *b, uint16_t type, uint32_t len, const void *data)
{
    struct nlattr_k *a = reserve(b, NLA_ALIGN(NLA_HDRLEN + len));
    if (!a)
        return false;
    a->len = (uint16_t)(NLA_HDRLEN + len);
    a->type = type;
    if (len)
        memcpy(a + 1, data, len);
    return true;
}

bool nla_put_u8(struct nl_buf *b, uint16_t type, uint8_t v) { return nla_put(b, type, 1, &v); }
bool nla_put_u32(struct nl_buf *b, uint16_t type, uint32_t v) { return nla_put(b, type, 4, &v); }
bool nla_put_string(struct nl_buf *b, uint16_t type, const char *s) { return nla_put(b, type, strlen(s) + 1, s); }

struct nlattr_k *nla_nest_start(struct nl_buf *b, uint16_t type)
{
    struct nlattr_k *a = reserve(b, NLA_HDRLEN);
    if (a)
        a->type = type | NLA_F_NESTED;
    return a;
}

void nla_nest_end(struct nl_buf *b, struct nlattr_k *nest)
{
    nest->len = (uint16_t)(b->data + b->len - (uint8_t *)nest);
}

int nlmsg_parse(const struct nlmsghdr_k *h, uint32_t hdrlen, const struct nlattr_k **tb, int max, bool strict,
                const char **why)
{
    for (int i = 0; i <= max; i++)
        tb[i] = NULL;
    if (h->len < NLMSG_HDRLEN + hdrlen) {
        *why = "Invalid header length";
        return -EINVAL;
    }
    const uint8_t *p = (const uint8_t *)nlmsg_data(h) + NLMSG_ALIGN(hdrlen);
    int64_t rem = (int64_t)h->len - NLMSG_HDRLEN - NLMSG_ALIGN(hdrlen);
    while (rem >= (int64_t)NLA_HDRLEN) {
        const struct nlattr_k *a = (const void *)p;
        if (a->len < NLA_HDRLEN || a->len > rem)
            break;                     /* nla_ok fails: what is left is "leftover" */
        uint16_t type = a->type & NLA_TYPE_MASK;
        if ((type == 0 || type > max) && strict) {
            *why = "Unknown attribute type";
            return -EINVAL;
        }
        if (type && type <= max)
            tb[type] = a;
        p += NLA_ALIGN(a->len);
        rem -= NLA_ALIGN(a->len);
    }
    if (rem > 0 && strict) {
        *why = "bytes leftover after parsing attributes";
        return -EINVAL;
    }
    return 0;
}
