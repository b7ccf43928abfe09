/* The kernel's two sources of options, read in one place:
 * - arguments from /chosen/bootargs (qemu -append): `verbose`, `quiet`, `console=mux`, `exit=N`,
 *   `program` (a program image is attached: booting without one is an error), `mount=DISK:PATH[:ro]` (volumes),
 *   and the self-test hooks `blktest`, `nettest=echo`, `nettest=http`, `selftest=fault` (kernel/selftest/);
 * - the boot manifest in the image's root tuple: the program, its arguments and environment, and
 *   the kernel options the image builder wrote (debug, memstats, profile, strace, noaslr, novdso, cwd,
 *   ip/netmask/gateway, tfstest). docs/host-kernel-contract.md lists both. */
#include "kernel.h"
#include "bootargs.h"
#include "dt.h"
#include "console.h"
#include "fs/tfs.h"      /* struct tfs_boot: the manifest as the image reader parsed it */
#include <string.h>

struct bootargs bootargs = { .exit_status = -1, .cmdline = "" };
static struct boot_manifest manifest;
static bool have_manifest;

static bool parse_status(const char *s, size_t len, int *out)
{
    int v = 0;
    if (len == 0 || len > 3)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v > 255)
        return false;
    *out = v;
    return true;
}

/* mount=vdb:/data or mount=vdb:/data:ro */
static void parse_mount(const char *w, size_t len)
{
    if (bootargs.mount_count == BOOT_MAX_MOUNTS)
        panic("bootargs: more than %d mount= arguments", BOOT_MAX_MOUNTS);
    struct boot_mount *m = &bootargs.mounts[bootargs.mount_count];
    const char *colon = memchr(w, ':', len);
    size_t dlen = colon ? (size_t)(colon - w) : 0;
    if (!colon || dlen == 0 || dlen >= sizeof(m->disk))
        panic("bootargs: bad '%.*s' (want mount=DISK:/PATH[:ro])", (int)len, w);
    const char *path = colon + 1;
    size_t plen = len - dlen - 1;
    if (plen > 3 && !memcmp(path + plen - 3, ":ro", 3)) {
        m->read_only = true;
        plen -= 3;
    }
    if (plen == 0 || plen >= sizeof(m->path) || path[0] != '/')
        panic("bootargs: bad '%.*s' (the mount point must be an absolute path)", (int)len, w);
    memcpy(m->disk, w, dlen);
    memcpy(m->path, path, plen);
    bootargs.mount_count++;
}

/* notty=0,1,2: each a standard descriptor (0-2) that is not a terminal on the host. */
static void parse_notty(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '2' && (i + 1 == len || s[i + 1] == ','))
            bootargs.notty |= 1u << (s[i] - '0');
        else if (s[i] != ',')
            panic("bootargs: bad notty= list '%.*s' (want descriptors 0, 1, 2, comma-separated)", (int)len, s);
    }
}

void bootargs_parse(void)
{
    int chosen = dt_path_offset("/chosen");
    const char *p = chosen >= 0 ? dt_string(chosen, "bootargs") : NULL;
    if (!p)
        return;
    bootargs.cmdline = p;   /* the device tree stays mapped and unchanged after boot */
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t len = p - w;
        if (len == 0)
            break;
        if (len == 7 && !strncmp(w, "verbose", 7))
            bootargs.verbose = true;
        else if (len == 5 && !strncmp(w, "quiet", 5))
            bootargs.quiet = true;
        else if (len == 11 && !strncmp(w, "console=mux", 11))
            console_set_mux(true);
        else if (len == 7 && !strncmp(w, "blktest", 7))
            bootargs.blktest = true;
        else if (len > 5 && !strncmp(w, "exit=", 5)) {
            if (!parse_status(w + 5, len - 5, &bootargs.exit_status))
                panic("bootargs: bad exit status in '%.*s' (want exit=0..255)", (int)len, w);
        } else if (len == 14 && !strncmp(w, "selftest=fault", 14))
            bootargs.selftest_fault = true;
        else if (len == 12 && !strncmp(w, "nettest=echo", 12))
            bootargs.nettest_echo = true;
        else if (len == 12 && !strncmp(w, "nettest=http", 12))
            bootargs.nettest_http = true;
        else if (len == 7 && !strncmp(w, "msi=off", 7))
            bootargs.msi_off = true;
        else if (len == 7 && !strncmp(w, "pci=off", 7))
            bootargs.pci_off = true;
        else if (len == 7 && !strncmp(w, "program", 7))
            bootargs.program = true;
        else if (len > 6 && !strncmp(w, "mount=", 6))
            parse_mount(w + 6, len - 6);
        else if (len > 6 && !strncmp(w, "notty=", 6))
            parse_notty(w + 6, len - 6);
        else
            kprintf("bootargs: ignoring unknown argument '%.*s'\n", (int)len, w);
    }
}

/* A manifest kernel option: true when present; INT values in *ival, strings in *sval. */
static bool kernel_option(const struct tfs_boot *boot, const char *key, int64_t *ival, const char **sval)
{
    for (uint32_t i = 0; i < boot->kopt_count; i++) {
        const struct tfs_kopt *o = &boot->kopts[i];
        if (strcmp(o->key, key))
            continue;
        if (ival)
            *ival = o->is_int ? o->ival : 0;
        if (sval)
            *sval = o->is_int ? NULL : o->sval;
        return true;
    }
    return false;
}

/* The image's boot record, once the root is mounted (vfs_mount_root calls this). */
void bootargs_read_manifest(const struct tfs_boot *boot)
{
    int64_t debug = 0;
    manifest.program = boot->program;
    manifest.argc = boot->argc;
    manifest.argv = boot->argv;
    manifest.envc = boot->envc;
    manifest.envp = boot->envp;
    manifest.debug = kernel_option(boot, "debug", &debug, NULL) && debug != 0;
    int64_t memstats = 0;
    manifest.memstats = kernel_option(boot, "memstats", &memstats, NULL) && memstats != 0;
    int64_t profile = 0;
    manifest.profile = kernel_option(boot, "profile", &profile, NULL) && profile != 0;
    int64_t trace = 0;
    manifest.trace = kernel_option(boot, "strace", &trace, NULL) && trace != 0;
    int64_t missing = 0;
    manifest.missing_files = kernel_option(boot, "missing_files", &missing, NULL) && missing != 0;
    int64_t noaslr = 0;
    manifest.noaslr = kernel_option(boot, "noaslr", &noaslr, NULL) && noaslr != 0;
    int64_t novdso = 0;
    manifest.novdso = kernel_option(boot, "novdso", &novdso, NULL) && novdso != 0;
    kernel_option(boot, "cwd", NULL, &manifest.cwd);
    kernel_option(boot, "ip", NULL, &manifest.ip);
    kernel_option(boot, "netmask", NULL, &manifest.netmask);
    kernel_option(boot, "gateway", NULL, &manifest.gateway);
    kernel_option(boot, "tfstest", NULL, &manifest.tfstest);
    have_manifest = true;
}

const struct boot_manifest *boot_manifest(void)
{
    return have_manifest ? &manifest : NULL;
}
