/* Signal state of a process (default actions only, until handler delivery lands). */
#pragma once

struct process;

/* Act on pending unblocked signals; does not return when one terminates the program. */
void signals_deliver(struct process *p);
