/* Frames by kind, each way, for the profile (kernel option profile=1). Under TCG every frame that
 * crosses QEMU and the backend costs tens of microseconds of host wake-ups while the guest
 * idles, so frames per request is what a network change has to move; the kinds say which
 * frames a Linux peer would not have sent (a pure ACK the answer could have carried, a FIN
 * apart from the data before it). */
#include "kernel.h"
#include "net.h"
#include "net_frame.h"

enum frame_kind { FK_SYN, FK_SYN_ACK, FK_ACK, FK_DATA, FK_DATA_FIN, FK_FIN, FK_RST, FK_OTHER, FK_KINDS };

static const char *const kind_names[FK_KINDS] = {
    [FK_SYN] = "syn", [FK_SYN_ACK] = "syn-ack", [FK_ACK] = "pure ack", [FK_DATA] = "data",
    [FK_DATA_FIN] = "data+fin", [FK_FIN] = "fin", [FK_RST] = "rst", [FK_OTHER] = "not tcp",
};

static uint64_t counts[2][FK_KINDS];

static enum frame_kind kind_of(const uint8_t *head, size_t head_len, size_t frame_len)
{
    struct tcp_frame t;
    if (!tcp_frame_parse(head, head_len, frame_len, &t))
        return FK_OTHER;
    if (t.flags & TCP_FLAG_RST)
        return FK_RST;
    if (t.flags & TCP_FLAG_SYN)
        return t.flags & TCP_FLAG_ACK ? FK_SYN_ACK : FK_SYN;
    if (t.flags & TCP_FLAG_FIN)
        return t.payload ? FK_DATA_FIN : FK_FIN;
    return t.payload ? FK_DATA : FK_ACK;
}

void frame_stats_count(bool sent, const uint8_t *head, size_t head_len, size_t frame_len)
{
    counts[sent][kind_of(head, head_len, frame_len)]++;
}

/* One console line each way: "PREFIX 1234 frames sent: syn-ack 100, pure ack 200, ...". */
void net_profile_report(const char *prefix)
{
    for (int sent = 0; sent < 2; sent++) {
        uint64_t total = 0;
        for (int k = 0; k < FK_KINDS; k++)
            total += counts[sent][k];
        if (!total)
            continue;
        char line[256];
        int n = snprintf(line, sizeof(line), "%s %lu frames %s:", prefix, total, sent ? "sent" : "received");
        bool first = true;
        for (int k = 0; k < FK_KINDS && n < (int)sizeof(line); k++) {
            if (counts[sent][k]) {
                n += snprintf(line + n, sizeof(line) - n, "%s %s %lu", first ? "" : ",", kind_names[k], counts[sent][k]);
                first = false;
            }
        }
        kprintf("%s\n", line);
    }
}
