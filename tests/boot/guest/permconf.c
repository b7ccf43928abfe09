/* File permission sweep (discretionary access control, ETXTBSY): `permconf DIR` works inside
 * DIR (/tmp in the unikernel, a fresh tmpfs directory for the oracle: this program under
 * qemu-aarch64-static on the host's kernel, run as root). The root parent makes files with
 * chosen modes and owners; forked children take unprivileged ids (setgroups, setresgid,
 * setresuid) or drop capabilities, try each operation and print what it answered. Every path
 * is relative to DIR (the parent makes DIR itself searchable); every child is bounded by
 * alarm() and reaped; nothing is written outside DIR. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "probe_print.h"

#define ALICE 1000             /* uid and gid; also in group STAFF */
#define BOB 1001
#define STAFF 2000

/* open(2) as "= 0" (the descriptor closed again) or "= -1 ENAME" */
static void o(const char *what, const char *path, int flags)
{
    int fd = open(path, flags, 0644);
    r(what, fd < 0 ? -1 : 0);
    if (fd >= 0)
        close(fd);
}

static void mode_of(const char *what, const char *path)
{
    struct stat st;
    if (lstat(path, &st))
        r(what, -1);
    else
        say("   %s: mode %o uid %u gid %u\n", what, st.st_mode & 07777, st.st_uid, st.st_gid);
}

/* A file with exactly this mode and owner (root's umask would take bits away otherwise). */
static void file(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "data\n", 5) != 5 || fchown(fd, uid, gid) || fchmod(fd, mode)) {
        say("   setup %s failed: %s\n", path, strerrorname_np(errno));
        exit(1);
    }
    close(fd);
}

static void dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    if ((mkdir(path, 0700) && errno != EEXIST) || chown(path, uid, gid) || chmod(path, mode)) {
        say("   setup %s failed: %s\n", path, strerrorname_np(errno));
        exit(1);
    }
}

/* fn in a child with these ids (uid -1: stay root) and groups; the child ends with fn. */
static void as(uid_t uid, gid_t gid, void (*fn)(void))
{
    static const gid_t groups[] = { STAFF };
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        if (uid == (uid_t)-1 && setgroups(0, NULL))   /* root's own groups: none, as in the guest */
            _exit(1);
        if (uid != (uid_t)-1 && (setgroups(1, groups) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))) {
            say("   set ids failed: %s\n", strerrorname_np(errno));
            _exit(1);
        }
        fn();
        _exit(0);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
        say("   child failed (%d)\n", st);
}

/* The effective capability set becomes `keep` (of the permitted full set). */
static void caps_effective(unsigned long long keep)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d)) {
        say("   capget failed\n");
        _exit(1);
    }
    d[0].effective = (unsigned)keep & d[0].permitted;
    d[1].effective = (unsigned)(keep >> 32) & d[1].permitted;
    if (syscall(SYS_capset, &h, d)) {
        say("   capset failed: %s\n", strerrorname_np(errno));
        _exit(1);
    }
}

static void setup(void)
{
    file("root600", 0600, 0, 0);
    file("root644", 0644, 0, 0);
    file("root640staff", 0640, 0, STAFF);
    file("root604alice", 0604, 0, ALICE);   /* alice's group may not read what others may */
    file("root666", 0666, 0, 0);
    file("root755", 0755, 0, 0);
    file("root744", 0744, 0, 0);
    file("alice600", 0600, ALICE, ALICE);
    file("alice007", 0007, ALICE, ALICE);   /* the owner's bits decide, even when others may */
    file("bob644", 0644, BOB, BOB);
    dir("d700", 0700, 0, 0);
    file("d700/f", 0644, 0, 0);
    dir("d711", 0711, 0, 0);
    file("d711/f", 0644, 0, 0);
    dir("d744", 0744, 0, 0);
    file("d744/f", 0644, 0, 0);
    dir("d755", 0755, 0, 0);
    file("d755/f", 0644, 0, 0);
    dir("d755/sub", 0755, 0, 0);
    dir("d775staff", 0775, 0, STAFF);
    dir("alicedir", 0755, ALICE, ALICE);
    dir("alicedir/sub", 0755, ALICE, ALICE);
    file("alicedir/f", 0644, ALICE, ALICE);
    dir("sticky", 01777, 0, 0);
    file("sticky/alice", 0666, ALICE, ALICE);
    file("sticky/bob", 0666, BOB, BOB);
    dir("sticky/bobdir", 0777, BOB, BOB);
    dir("alicesticky", 01777, ALICE, ALICE);
    file("alicesticky/bob", 0666, BOB, BOB);
    file("alicesticky/carol", 0666, BOB, BOB);
    dir("sgid", 02777, 0, STAFF);
    file("suid", 06755, ALICE, STAFF);
    file("suid2", 06755, ALICE, STAFF);
    file("suid3", 06755, ALICE, STAFF);
    file("suid4", 06755, 0, 0);
    file("sgid_noexec", 02644, ALICE, STAFF);
}

static void walks(void)
{
    o("open d700/f", "d700/f", O_RDONLY);
    o("open d711/f", "d711/f", O_RDONLY);
    o("open d711 dir", "d711", O_RDONLY | O_DIRECTORY);
    o("open d744/f", "d744/f", O_RDONLY);
    o("open d744 dir", "d744", O_RDONLY | O_DIRECTORY);
    o("open d744/. dir", "d744/.", O_RDONLY | O_DIRECTORY);
    o("open d744/missing", "d744/missing", O_RDONLY);
    o("open d700/missing O_CREAT", "d700/missing", O_RDONLY | O_CREAT);
    o("open d744/ O_PATH", "d744/f", O_PATH);
    struct stat st;
    r("stat d700/f", stat("d700/f", &st));
    r("stat d744/f", stat("d744/f", &st));
    r("stat d711/f", stat("d711/f", &st));
    r("chdir d744", chdir("d744"));
    r("chdir d711", chdir("d711"));
    r("stat ../root644 from d711", stat("../root644", &st));
    r("chdir ..", chdir(".."));
}

static void section_walk(void)
{
    say("1. search permission on the directories walked\n");
    say("  alice\n");
    as(ALICE, ALICE, walks);
    say("  root\n");
    as(-1, 0, walks);
}

static void opens(void)
{
    o("root600 O_RDONLY", "root600", O_RDONLY);
    o("root644 O_RDONLY", "root644", O_RDONLY);
    o("root644 O_WRONLY", "root644", O_WRONLY);
    o("root644 O_RDWR", "root644", O_RDWR);
    o("root644 O_RDONLY|O_TRUNC", "root644", O_RDONLY | O_TRUNC);
    o("root644 O_ACCMODE 3", "root644", 3);
    o("root640staff O_RDONLY", "root640staff", O_RDONLY);
    o("root640staff O_WRONLY", "root640staff", O_WRONLY);
    o("root604alice O_RDONLY", "root604alice", O_RDONLY);
    o("root666 O_RDWR", "root666", O_RDWR);
    o("root666 O_WRONLY|O_NOATIME", "root666", O_WRONLY | O_NOATIME);
    o("alice600 O_RDWR|O_NOATIME", "alice600", O_RDWR | O_NOATIME);
    o("alice007 O_RDONLY", "alice007", O_RDONLY);
    o("bob644 O_RDONLY", "bob644", O_RDONLY);
    o("d755 dir O_RDONLY", "d755", O_RDONLY | O_DIRECTORY);
    o("d700 dir O_RDONLY", "d700", O_RDONLY | O_DIRECTORY);
    o("d700 O_PATH", "d700", O_PATH);
    o("d755/new O_CREAT", "d755/new", O_WRONLY | O_CREAT);
    o("d755/f O_CREAT (exists)", "d755/f", O_RDONLY | O_CREAT);
    o("d755/f O_CREAT|O_EXCL", "d755/f", O_RDONLY | O_CREAT | O_EXCL);
    o("d755 O_TMPFILE", "d755", O_RDWR | O_TMPFILE);
    o("alicedir O_TMPFILE", "alicedir", O_RDWR | O_TMPFILE);
    int fd = open("alicedir/made000", O_RDWR | O_CREAT | O_EXCL, 0);
    r("alicedir/made000 O_CREAT mode 0 O_RDWR", fd < 0 ? -1 : 0);
    if (fd >= 0)
        close(fd);
    o("alicedir/made000 again O_RDONLY", "alicedir/made000", O_RDONLY);
    o("d775staff/new O_CREAT", "d775staff/new", O_WRONLY | O_CREAT);
    mode_of("d775staff/new", "d775staff/new");
}

static void section_open(void)
{
    say("2. opening files\n");
    as(ALICE, ALICE, opens);
}

static void accesses(void)
{
    r("access root600 R_OK", access("root600", R_OK));
    r("access root600 F_OK", access("root600", F_OK));
    r("faccessat2 root600 R_OK AT_EACCESS", syscall(SYS_faccessat2, AT_FDCWD, "root600", R_OK, AT_EACCESS));
    r("access root644 W_OK", access("root644", W_OK));
    r("access root644 X_OK", access("root644", X_OK));
    r("access root744 X_OK", access("root744", X_OK));
    r("access root755 X_OK", access("root755", X_OK));
    r("access d700 X_OK", access("d700", X_OK));
    r("access d700/f R_OK", access("d700/f", R_OK));
    r("faccessat2 d700/f AT_EACCESS", syscall(SYS_faccessat2, AT_FDCWD, "d700/f", R_OK, AT_EACCESS));
    r("access alice600 R_OK|W_OK", access("alice600", R_OK | W_OK));
    r("faccessat2 alice600 AT_EACCESS", syscall(SYS_faccessat2, AT_FDCWD, "alice600", R_OK | W_OK, AT_EACCESS));
    r("access root640staff R_OK", access("root640staff", R_OK));
}

static void as_root_effective_alice(void)
{
    /* real root, effective alice: access asks as root, AT_EACCESS as alice */
    static const gid_t groups[] = { STAFF };
    if (setgroups(1, groups) || setresgid(0, ALICE, 0) || setresuid(0, ALICE, 0)) {
        say("   set ids failed\n");
        _exit(1);
    }
    accesses();
}

static void as_alice_effective_root(void)
{
    /* real alice, effective root (saved root): access asks as alice */
    static const gid_t groups[] = { STAFF };
    if (setgroups(1, groups) || setresgid(ALICE, 0, 0) || setresuid(ALICE, 0, 0)) {
        say("   set ids failed\n");
        _exit(1);
    }
    accesses();
}

static void section_access(void)
{
    say("3. access, faccessat2 and AT_EACCESS\n");
    say("  root\n");
    as(-1, 0, accesses);
    say("  alice\n");
    as(ALICE, ALICE, accesses);
    say("  real root, effective alice\n");
    as(-1, 0, as_root_effective_alice);
    say("  real alice, effective root\n");
    as(-1, 0, as_alice_effective_root);
}

static void names(void)
{
    r("mkdir d755/x", mkdir("d755/x", 0755));
    r("mkdir d755/sub (exists)", mkdir("d755/sub", 0755));
    r("mkdir d700/x", mkdir("d700/x", 0755));
    r("mkdir d711/x", mkdir("d711/x", 0755));
    r("mknod fifo d755/p", mknod("d755/p", S_IFIFO | 0644, 0));
    r("mknod chr d755/c", mknod("d755/c", S_IFCHR | 0644, makedev(1, 3)));
    r("mknod chr alicedir/c", mknod("alicedir/c", S_IFCHR | 0644, makedev(1, 3)));
    r("mknod fifo alicedir/p", mknod("alicedir/p", S_IFIFO | 0644, 0));
    r("symlink d755/l", symlink("f", "d755/l"));
    r("link d755/f alicedir/l", link("d755/f", "alicedir/l"));
    r("link root600 alicedir/l600", link("root600", "alicedir/l600"));
    r("link root666 alicedir/l666", link("root666", "alicedir/l666"));
    r("link alicedir/f d755/l", link("alicedir/f", "d755/l"));
    r("unlink d755/f", unlink("d755/f"));
    r("unlink d755/missing", unlink("d755/missing"));
    r("rmdir d755/sub", rmdir("d755/sub"));
    r("rmdir d755/f", rmdir("d755/f"));
    r("rename d755/f alicedir/g", rename("d755/f", "alicedir/g"));
    r("rename alicedir/f d755/g", rename("alicedir/f", "d755/g"));
    r("rename alicedir/f alicedir/f2", rename("alicedir/f", "alicedir/f2"));
    r("rename alicedir/f2 alicedir/f", rename("alicedir/f2", "alicedir/f"));
    r("mkdir alicedir/mine", mkdir("alicedir/mine", 0755));
    r("rmdir alicedir/mine", rmdir("alicedir/mine"));
    r("mkdir d775staff/x", mkdir("d775staff/x", 0700));
    mode_of("d775staff/x", "d775staff/x");
    r("rename d775staff/x alicedir/x", rename("d775staff/x", "alicedir/x"));
    r("chmod alicedir/x 0500", chmod("alicedir/x", 0500));
    r("rename alicedir/x d775staff/x (dir not writable)", rename("alicedir/x", "d775staff/x"));
    r("rename alicedir/x alicedir/y (same parent)", rename("alicedir/x", "alicedir/y"));
    r("mkdir d775staff/e", mkdir("d775staff/e", 0700));
    r("mkdir alicedir/e2", mkdir("alicedir/e2", 0755));
    r("RENAME_EXCHANGE d775staff/e alicedir/e2", renameat2(AT_FDCWD, "d775staff/e", AT_FDCWD, "alicedir/e2", RENAME_EXCHANGE));
    r("chmod d775staff/e 0500", chmod("d775staff/e", 0500));
    r("RENAME_EXCHANGE back (one not writable)", renameat2(AT_FDCWD, "d775staff/e", AT_FDCWD, "alicedir/e2", RENAME_EXCHANGE));
    r("RENAME_EXCHANGE alicedir/f d755/f", renameat2(AT_FDCWD, "alicedir/f", AT_FDCWD, "d755/f", RENAME_EXCHANGE));
    r("RENAME_NOREPLACE alicedir/f d755/f", renameat2(AT_FDCWD, "alicedir/f", AT_FDCWD, "d755/f", RENAME_NOREPLACE));
}

static void section_names(void)
{
    say("4. making and removing names\n");
    as(ALICE, ALICE, names);
}

static void sticky_alice(void)
{
    r("unlink sticky/bob", unlink("sticky/bob"));
    r("rename sticky/bob sticky/b2", rename("sticky/bob", "sticky/b2"));
    r("rename sticky/alice over sticky/bob", rename("sticky/alice", "sticky/bob"));
    r("rmdir sticky/bobdir", rmdir("sticky/bobdir"));
    r("unlink sticky/missing", unlink("sticky/missing"));
    r("open sticky/bob O_WRONLY", open("sticky/bob", O_WRONLY) < 0 ? -1 : 0);
    r("unlink alicesticky/bob (dir owner)", unlink("alicesticky/bob"));
    r("rename sticky/alice sticky/a2", rename("sticky/alice", "sticky/a2"));
    r("unlink sticky/a2", unlink("sticky/a2"));
}

static void sticky_root_nofowner(void)
{
    caps_effective(~(1ULL << CAP_FOWNER));
    r("unlink alicesticky/carol without CAP_FOWNER", unlink("alicesticky/carol"));
    r("unlink sticky/bob (root's directory)", unlink("sticky/bob"));
    caps_effective(~0ULL);
    r("unlink alicesticky/carol with CAP_FOWNER", unlink("alicesticky/carol"));
}

static void section_sticky(void)
{
    say("5. sticky directories\n");
    as(ALICE, ALICE, sticky_alice);
    say("  root\n");
    as(-1, 0, sticky_root_nofowner);
}

static void attrs(void)
{
    struct timespec now2[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
    struct timespec now_omit[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
    struct timespec given[2] = { { 100, 0 }, { 200, 0 } };
    r("chmod root644", chmod("root644", 0600));
    r("chmod alice600", chmod("alice600", 0640));
    r("chown alice600 to bob", chown("alice600", BOB, -1));
    r("chown alice600 to alice", chown("alice600", ALICE, -1));
    r("chown alice600 -1 -1", chown("alice600", -1, -1));
    r("chgrp alice600 staff", chown("alice600", -1, STAFF));
    mode_of("alice600", "alice600");
    r("chgrp alice600 bob's group", chown("alice600", -1, BOB));
    r("chown root644 to alice", chown("root644", ALICE, -1));
    r("utimensat root666 NULL", utimensat(AT_FDCWD, "root666", NULL, 0));
    r("utimensat root666 NOW NOW", utimensat(AT_FDCWD, "root666", now2, 0));
    r("utimensat root666 given", utimensat(AT_FDCWD, "root666", given, 0));
    r("utimensat root644 NULL", utimensat(AT_FDCWD, "root644", NULL, 0));
    r("utimensat root644 NOW OMIT", utimensat(AT_FDCWD, "root644", now_omit, 0));
    r("utimensat alice600 given", utimensat(AT_FDCWD, "alice600", given, 0));
    r("truncate root644", truncate("root644", 1));
    r("truncate root666", truncate("root666", 3));
    r("truncate d755", truncate("d755", 0));
    r("truncate d700/f", truncate("d700/f", 0));
}

static void section_attrs(void)
{
    say("6. chmod, chown, utimensat, truncate\n");
    as(ALICE, ALICE, attrs);
}

static void setid_alice(void)
{
    int fd = open("suid", O_WRONLY);
    r("write suid", fd < 0 ? -1 : write(fd, "x", 1));
    close(fd);
    mode_of("suid after write", "suid");
    r("truncate suid2", truncate("suid2", 0));
    mode_of("suid2 after truncate", "suid2");
    fd = open("suid3", O_WRONLY);
    r("write 0 bytes suid3", fd < 0 ? -1 : write(fd, "", 0));
    close(fd);
    mode_of("suid3 after an empty write", "suid3");
    r("chmod sgid_noexec 02755", chmod("sgid_noexec", 02755));
    mode_of("sgid_noexec", "sgid_noexec");
    r("chgrp alice007 alice", chown("alice007", -1, ALICE));
    r("chmod alice007 02770 (own group)", chmod("alice007", 02770));
    mode_of("alice007", "alice007");
    r("chmod alicedir/f 02755 (own group)", chmod("alicedir/f", 02755));
    mode_of("alicedir/f", "alicedir/f");
    r("chmod suid3 06755 (group staff)", chmod("suid3", 06755));
    mode_of("suid3", "suid3");
    r("chgrp suid3 alice", chown("suid3", -1, ALICE));
    mode_of("suid3 after chgrp", "suid3");
    r("mkdir sgid/d", mkdir("sgid/d", 0755));
    mode_of("sgid/d", "sgid/d");
    fd = open("sgid/f", O_CREAT | O_WRONLY, 02755);
    r("create sgid/f 02755", fd < 0 ? -1 : 0);
    close(fd);
    mode_of("sgid/f", "sgid/f");
}

static void setid_bob(void)
{
    /* bob is not in STAFF: a group-executable set-group-ID file he makes there loses the bit */
    if (setgroups(0, NULL) || setresgid(BOB, BOB, BOB) || setresuid(BOB, BOB, BOB))
        _exit(1);
    int fd = open("sgid/bobf", O_CREAT | O_WRONLY, 02755);
    r("create sgid/bobf 02755 (not a member)", fd < 0 ? -1 : 0);
    close(fd);
    mode_of("sgid/bobf", "sgid/bobf");
    fd = open("sgid/bobg", O_CREAT | O_WRONLY, 02644);
    r("create sgid/bobg 02644 (not a member)", fd < 0 ? -1 : 0);
    close(fd);
    mode_of("sgid/bobg", "sgid/bobg");
}

static void setid_root(void)
{
    r("chown suid4 root", chown("suid4", 0, 0));
    mode_of("suid4 after root's chown", "suid4");
    caps_effective(~(1ULL << CAP_FSETID));
    file("suid5", 06755, 0, 0);
    int fd = open("suid5", O_WRONLY);
    r("write suid5 without CAP_FSETID", fd < 0 ? -1 : write(fd, "x", 1));
    close(fd);
    mode_of("suid5", "suid5");
}

static void section_setid(void)
{
    say("7. set-user-ID and set-group-ID bits\n");
    as(ALICE, ALICE, setid_alice);
    say("  bob\n");
    as(-1, 0, setid_bob);
    say("  root\n");
    as(-1, 0, setid_root);
}

static void caps_tries(void)
{
    o("   alice600 O_RDONLY", "alice600", O_RDONLY);
    o("   alice600 O_WRONLY", "alice600", O_WRONLY);
    o("   d700/f", "d700/f", O_RDONLY);
    r("   chmod bob644", chmod("bob644", 0644));
    r("   chown bob644 bob", chown("bob644", BOB, BOB));
    r("   access root644 X_OK", access("root644", X_OK));
    r("   mkdir alicedir/r", mkdir("alicedir/r", 0755));
    r("   rmdir alicedir/r", rmdir("alicedir/r"));
}

static void root_without(void)
{
    /* d700 is root's: alice600 and bob644 are not */
    caps_effective(0);
    say("  no capabilities\n");
    caps_tries();
    caps_effective(1ULL << CAP_DAC_READ_SEARCH);
    say("  CAP_DAC_READ_SEARCH only\n");
    caps_tries();
    caps_effective(1ULL << CAP_DAC_OVERRIDE);
    say("  CAP_DAC_OVERRIDE only\n");
    caps_tries();
    caps_effective((1ULL << CAP_FOWNER) | (1ULL << CAP_CHOWN));
    say("  CAP_FOWNER and CAP_CHOWN only\n");
    caps_tries();
    caps_effective(~0ULL);
    say("  setfsuid alice\n");
    setfsuid(ALICE);
    caps_tries();
    say("  setfsuid root again\n");
    setfsuid(0);
    caps_tries();
}

static void section_caps(void)
{
    say("8. capabilities and the file-system ids\n");
    as(-1, 0, root_without);
}

static void execs(void)
{
    char *argv[] = { "x", NULL }, *envp[] = { NULL };
    r("execve root644", execve("root644", argv, envp));
    r("execve d755", execve("d755", argv, envp));
    r("execve d700/f", execve("d700/f", argv, envp));
    r("execve alice007 (2770 by now)", execve("alice007", argv, envp));
    r("execve root744", execve("root744", argv, envp));
}

static void section_exec(void)
{
    say("9. execve and ETXTBSY\n");
    say("  root\n");
    as(-1, 0, execs);
    say("  alice\n");
    as(ALICE, ALICE, execs);
    file("busy", 0755, 0, 0);
    int fd = open("busy", O_WRONLY);
    char *argv[] = { "busy", NULL }, *envp[] = { NULL };
    r("execve of a file open for writing", execve("busy", argv, envp));
    close(fd);
    fd = open("busy", O_WRONLY);
    close(fd);
    r("open of the running program O_WRONLY", open("/proc/self/exe", O_WRONLY) < 0 ? -1 : 0);
    r("open of the running program O_RDONLY", open("/proc/self/exe", O_RDONLY) < 0 ? -1 : 0);
}

static void proc_alice(void)
{
    char path[64];
    prctl(PR_SET_DUMPABLE, 1);         /* setuid made it undumpable: its /proc files root's */
    snprintf(path, sizeof(path), "/proc/%d/environ", getppid());
    o("open the root parent's environ", path, O_RDONLY);
    o("open its own environ", "/proc/self/environ", O_RDONLY);
    snprintf(path, sizeof(path), "/proc/%d/status", getppid());
    o("open the root parent's status", path, O_RDONLY);
    pid_t pid = fork();                /* a process alice makes has its /proc directory too */
    if (pid == 0) {
        o("its child opens /proc/self/status", "/proc/self/status", O_RDONLY);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

static void section_proc(void)
{
    say("10. /proc/<pid> files of another user\n");
    as(ALICE, ALICE, proc_alice);
}

static void xattrs_alice(void)
{
    char buf[16];
    r("setxattr user.a root644", setxattr("root644", "user.a", "1", 1, 0));
    r("getxattr user.a root600", getxattr("root600", "user.a", buf, sizeof(buf)));
    r("getxattr user.a d700/f", getxattr("d700/f", "user.a", buf, sizeof(buf)));
    r("setxattr user.a root666", setxattr("root666", "user.a", "1", 1, 0));
    r("getxattr user.a root666", getxattr("root666", "user.a", buf, sizeof(buf)));
    r("removexattr user.a root666", removexattr("root666", "user.a"));
    r("setxattr trusted.a alice600", setxattr("alice600", "trusted.a", "1", 1, 0));
    r("setxattr user.a sticky (not its owner)", setxattr("sticky", "user.a", "1", 1, 0));
}

static void section_xattrs(void)
{
    say("11. extended attributes\n");
    as(ALICE, ALICE, xattrs_alice);
}

static int unix_connect(const char *path)
{
    struct sockaddr_un a = { AF_UNIX };
    strcpy(a.sun_path, path);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    int ret = connect(s, (struct sockaddr *)&a, sizeof(a));
    close(s);
    return ret;
}

static void sockets_alice(void)
{
    r("connect sock (0755)", unix_connect("sock"));
    r("connect sock777", unix_connect("sock777"));
    r("connect d700/sock", unix_connect("d700/sock"));
    struct sockaddr_un a = { AF_UNIX, "d755/mine" };
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    r("bind d755/mine", bind(s, (struct sockaddr *)&a, sizeof(a)));
    close(s);
    int in = inotify_init1(0);
    r("inotify_add_watch root600", inotify_add_watch(in, "root600", IN_MODIFY));
    r("inotify_add_watch d700/f", inotify_add_watch(in, "d700/f", IN_MODIFY));
    r("inotify_add_watch d711 (no read)", inotify_add_watch(in, "d711", IN_MODIFY));
    r("inotify_add_watch root644", inotify_add_watch(in, "root644", IN_MODIFY));
    close(in);
}

static int listener(const char *path, mode_t mode)
{
    struct sockaddr_un a = { AF_UNIX };
    strcpy(a.sun_path, path);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4) || chmod(path, mode)) {
        say("   setup %s failed: %s\n", path, strerrorname_np(errno));
        exit(1);
    }
    return s;
}

static void section_sockets(void)
{
    say("12. AF_UNIX names and inotify watches\n");
    int a = listener("sock", 0755), b = listener("sock777", 0777), c = listener("d700/sock", 0777);
    as(ALICE, ALICE, sockets_alice);
    close(a);
    close(b);
    close(c);
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]) || chmod(".", 0755)) {
        fprintf(stderr, "usage: permconf DIR (an empty, writable directory)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(60);
    umask(022);
    setup();
    section_walk();
    section_open();
    section_access();
    section_names();
    section_sticky();
    section_attrs();
    section_setid();
    section_caps();
    section_exec();
    section_proc();
    section_xattrs();
    section_sockets();
    return 0;
}
