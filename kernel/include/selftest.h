/* Self-test hooks (kernel/selftest/): code that runs only when a host boot test asks for it with
 * a kernel argument or manifest option, and prints lines the test compares with an oracle.
 * A normal boot never reaches them. */
#pragma once

struct block_device;

/* blktest: checksum ranges of the first disk as it registers (drivers/block.c). */
void selftest_blk(struct block_device *bd);
/* tfstest="PATH[:PATH...]": print what the VFS sees at each path, after the root is mounted. */
void selftest_tfs(const char *spec);
/* nettest=echo: serve TCP echo on port 7 for one connection, from net_init. */
void selftest_net_echo(void);
/* nettest=http: answer HTTP on port 8080 in lwIP itself (the bench floor), from net_init. */
void selftest_net_http(void);
/* selftest=fault: fault on an unmapped address after boot. */
void selftest_fault(void);
