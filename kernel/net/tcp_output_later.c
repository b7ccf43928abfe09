/* What send() hands lwIP leaves when the program next waits, not at the end of each send().
 * The doorbell already waits for that moment (net_flush, net.h), so a segment built earlier
 * would leave no sooner; built then, it can carry more. A server's send() + close() becomes one
 * data+FIN segment instead of data and a bare FIN (lwIP's tcp_close puts the FIN on the last
 * unsent segment), and several send()s to one connection in a pass of its event loop share
 * segments. Linux's autocorking does the same while earlier frames still sit in the device's
 * queue. "When the program next waits" is net_poll: every blocking wait, every poll/epoll
 * readiness check and every interrupt taken in user mode runs it, so a program that computes
 * after a send still has its data out within a timer tick. */
#include "kernel.h"
#include "net.h"
#include "socket.h"
#include "lwip/tcp.h"

static struct socket *later;   /* linked by output_later_next; each socket at most once */

void tcp_output_later(struct socket *s)
{
    if (s->output_later)
        return;
    s->output_later = true;
    s->output_later_next = later;
    later = s;
}

/* A socket going away leaves the list (its close sends what is unsent itself). */
void tcp_output_forget(struct socket *s)
{
    if (!s->output_later)
        return;
    for (struct socket **p = &later; *p; p = &(*p)->output_later_next) {
        if (*p == s) {
            *p = s->output_later_next;
            break;
        }
    }
    s->output_later = false;
}

bool net_output_owed(void) { return later != NULL; }

void tcp_output_now(void)
{
    while (later) {
        struct socket *s = later;
        later = s->output_later_next;
        s->output_later = false;
        if (s->pcb && !s->cork)
            tcp_output(s->pcb);
    }
}
