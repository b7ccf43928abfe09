/* Moving data across the user/kernel boundary. Every user pointer goes through here: the range
 * must lie in user space and in VMAs allowing the access; pages are faulted in as needed, so a
 * bad pointer is -EFAULT and never a kernel fault. */
#pragma once
#include <stdint.h>
#include <stddef.h>

/* A user pointer without its tag when the thread enabled the tagged-address ABI. */
uint64_t user_untag(uint64_t addr);
int copy_from_user(void *dst, uint64_t src, size_t len);
int copy_to_user(uint64_t dst, const void *src, size_t len);
/* How many bytes from uaddr on the program may write (faulting pages in), up to len: a read
 * goes only that far, so data a bad buffer cannot take stays unread (as Linux's copy to the
 * iterator stops at the fault). */
uint64_t user_writable_bytes(uint64_t uaddr, uint64_t len);
/* A NUL-terminated string of at most max-1 bytes; returns its length, -EFAULT, or
 * -ENAMETOOLONG when no NUL came within max bytes. */
int64_t strncpy_from_user(char *dst, uint64_t src, size_t max);
