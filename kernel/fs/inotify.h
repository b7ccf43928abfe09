/* What the file tree tells inotify (internal to kernel/fs; the calls sit where Linux's fsnotify
 * hooks do). Each is a no-op when no instance watches anything. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct vnode;

/* Something happened to the entry `name` of dir (IN_CREATE, IN_DELETE, IN_MOVED_FROM/TO); child
 * is the node it names (for IN_ISDIR), cookie pairs the two halves of a rename. */
void inotify_entry_event(struct vnode *dir, struct vnode *child, uint32_t mask, uint32_t cookie, const char *name,
                         size_t len);
/* Something happened to v (IN_MODIFY, IN_ATTRIB, IN_OPEN, IN_ACCESS, IN_CLOSE_*): its watches,
 * and its directory's watches with its name. */
void inotify_node_event(struct vnode *v, uint32_t mask);
/* To v's own watches only (IN_MOVE_SELF, a link count's IN_ATTRIB). */
void inotify_self_event(struct vnode *v, uint32_t mask);
/* v's last name and last user are gone: IN_DELETE_SELF, and its watches end. */
void inotify_node_gone(struct vnode *v);
/* A new nonzero cookie for a rename's pair of events. */
uint32_t inotify_move_cookie(void);
