/* What SysV IPC says about itself, against Linux (test_sysv_info.py): IPC_INFO's limits,
 * SHM_INFO/MSG_INFO/SEM_INFO's counts of what is in use, the *_STAT and *_STAT_ANY commands
 * that take an index, /proc/sysvipc/{shm,msg,sem}, and SHM_LOCK/SHM_UNLOCK under
 * RLIMIT_MEMLOCK. Linux's answers come from this program run natively in a fresh IPC namespace
 * (unshare --ipc), so ids, indexes and counts are the probe's own objects only, as in a guest;
 * every object is IPC_PRIVATE and removed at the end. Pids and times, which differ between
 * runs, are printed as what they should be. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include "probe_print.h"

#define BAD ((void *)8)
#define INDEX_BITS 15                  /* Linux's IPCMNI_SHIFT: an id is seq << 15 | index */

static long page;
static pid_t me;

union semun { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; };

static const char *when(time_t t)
{
    long d = (long)(time(NULL) - t);
    return t == 0 ? "0" : d >= 0 && d < 100 ? "now" : "long ago";
}

static const char *pid_is(pid_t p)
{
    return p == 0 ? "0" : p == me ? "the probe" : "another";
}

static void limits(void)
{
    say("1. IPC_INFO\n");
    struct shminfo si;
    struct msginfo mi;
    struct seminfo se;
    memset(&si, 0x55, sizeof si);
    r("shmctl IPC_INFO", shmctl(0, IPC_INFO, (struct shmid_ds *)&si));
    say("   shmmax %lu shmmin %lu shmmni %lu shmseg %lu shmall %lu unused %lu %lu %lu %lu\n", si.shmmax, si.shmmin,
        si.shmmni, si.shmseg, si.shmall, si.__glibc_reserved1, si.__glibc_reserved2, si.__glibc_reserved3, si.__glibc_reserved4);
    memset(&mi, 0x55, sizeof mi);
    r("msgctl IPC_INFO", msgctl(0, IPC_INFO, (struct msqid_ds *)&mi));
    say("   msgpool %d msgmap %d msgmax %d msgmnb %d msgmni %d msgssz %d msgtql %d msgseg %u\n", mi.msgpool,
        mi.msgmap, mi.msgmax, mi.msgmnb, mi.msgmni, mi.msgssz, mi.msgtql, mi.msgseg);
    memset(&se, 0x55, sizeof se);
    r("semctl IPC_INFO", semctl(0, 0, IPC_INFO, (union semun){ .__buf = &se }));
    say("   semmap %d semmni %d semmns %d semmnu %d semmsl %d semopm %d semume %d semusz %d semvmx %d semaem %d\n",
        se.semmap, se.semmni, se.semmns, se.semmnu, se.semmsl, se.semopm, se.semume, se.semusz, se.semvmx, se.semaem);
    r("shmctl IPC_INFO of id -1", shmctl(-1, IPC_INFO, (struct shmid_ds *)&si));
    r("msgctl IPC_INFO of id -1", msgctl(-1, IPC_INFO, (struct msqid_ds *)&mi));
    r("semctl IPC_INFO of id -1", semctl(-1, 0, IPC_INFO, (union semun){ .__buf = &se }));
    r("shmctl IPC_INFO, a bad buffer", shmctl(0, IPC_INFO, BAD));
    r("msgctl MSG_INFO, a bad buffer", msgctl(0, MSG_INFO, BAD));
    r("semctl SEM_INFO, a bad buffer", semctl(0, 0, SEM_INFO, (union semun){ .__buf = BAD }));
    r("shmctl SHM_INFO with none", shmctl(0, SHM_INFO, (struct shmid_ds *)&si));
    r("shmctl SHM_STAT of index 0 with none", shmctl(0, SHM_STAT, &(struct shmid_ds){ 0 }));
}

static int shm[3], msq[3], sem[3];

static void shm_counts(const char *when_)
{
    struct shm_info in;
    memset(&in, 0x55, sizeof in);
    long max = shmctl(0, SHM_INFO, (struct shmid_ds *)&in);
    say("   SHM_INFO %s = %ld: used_ids %d shm_tot %lu shm_rss %lu shm_swp %lu swap_attempts %lu swap_successes %lu\n",
        when_, max, in.used_ids, in.shm_tot, in.shm_rss, in.shm_swp, in.swap_attempts, in.swap_successes);
}

static void shm_stat(const char *what, int index, int cmd)
{
    struct shmid_ds ds;
    memset(&ds, 0, sizeof ds);
    int id = shmctl(index, cmd, &ds);
    if (id < 0) { r(what, id); return; }
    say("   %s = %d: key %d mode %o size %zu pages nattch %lu cpid %s lpid %s atime %s dtime %s ctime %s\n", what,
        id, ds.shm_perm.__key, ds.shm_perm.mode, (ds.shm_segsz + page - 1) / page, (unsigned long)ds.shm_nattch,
        pid_is(ds.shm_cpid), pid_is(ds.shm_lpid), when(ds.shm_atime), when(ds.shm_dtime), when(ds.shm_ctime));
}

static void msg_counts(const char *when_)
{
    struct msginfo in;
    memset(&in, 0x55, sizeof in);
    long max = msgctl(0, MSG_INFO, (struct msqid_ds *)&in);
    say("   MSG_INFO %s = %ld: msgpool %d msgmap %d msgtql %d (msgmax %d msgmnb %d msgmni %d msgssz %d msgseg %u)\n",
        when_, max, in.msgpool, in.msgmap, in.msgtql, in.msgmax, in.msgmnb, in.msgmni, in.msgssz, in.msgseg);
}

static void msg_stat(const char *what, int index, int cmd)
{
    struct msqid_ds ds;
    memset(&ds, 0, sizeof ds);
    int id = msgctl(index, cmd, &ds);
    if (id < 0) { r(what, id); return; }
    say("   %s = %d: key %d mode %o cbytes %lu qnum %lu qbytes %lu lspid %s lrpid %s stime %s rtime %s ctime %s\n",
        what, id, ds.msg_perm.__key, ds.msg_perm.mode, ds.__msg_cbytes, ds.msg_qnum, ds.msg_qbytes,
        pid_is(ds.msg_lspid), pid_is(ds.msg_lrpid), when(ds.msg_stime), when(ds.msg_rtime), when(ds.msg_ctime));
}

static void sem_counts(const char *when_)
{
    struct seminfo in;
    memset(&in, 0x55, sizeof in);
    long max = semctl(0, 0, SEM_INFO, (union semun){ .__buf = &in });
    say("   SEM_INFO %s = %ld: semusz %d semaem %d (semmap %d semmni %d semmns %d semmnu %d semmsl %d semopm %d "
        "semume %d semvmx %d)\n", when_, max, in.semusz, in.semaem, in.semmap, in.semmni, in.semmns, in.semmnu,
        in.semmsl, in.semopm, in.semume, in.semvmx);
}

static void sem_stat(const char *what, int index, int cmd)
{
    struct semid_ds ds;
    memset(&ds, 0, sizeof ds);
    int id = semctl(index, 0, cmd, (union semun){ .buf = &ds });
    if (id < 0) { r(what, id); return; }
    say("   %s = %d: key %d mode %o nsems %lu otime %s ctime %s\n", what, id, ds.sem_perm.__key, ds.sem_perm.mode,
        (unsigned long)ds.sem_nsems, when(ds.sem_otime), when(ds.sem_ctime));
}

/* /proc/sysvipc/NAME, with the columns that differ from run to run (pids, times, resident
 * bytes) blanked to their width and marked P, T or R, so the widths still show. */
static void show_table(const char *name, const char *mask)
{
    char path[64], buf[8192];
    snprintf(path, sizeof path, "/proc/sysvipc/%s", name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) { r(path, -1); return; }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    say("   %s:\n", path);
    for (char *line = buf, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        if (!end) break;
        *end = 0;
        if (line != buf) {             /* the header is printed as it is */
            int col = 0;
            for (char *c = line; *c; col++) {
                while (*c == ' ') c++;
                char *tok = c;
                while (*c && *c != ' ') c++;
                char m = col < (int)strlen(mask) ? mask[col] : '.';
                if (m != '.' && c > tok) {
                    memset(tok, ' ', c - tok);
                    c[-1] = m;
                }
            }
        }
        say("   |%s\n", line);
    }
}

static void by_index(void)
{
    say("2. INFO counts, STAT by index\n");
    shm[0] = shmget(IPC_PRIVATE, 3 * page + 1, 0600);
    shm[1] = shmget(IPC_PRIVATE, page, 0640);
    msq[0] = msgget(IPC_PRIVATE, 0600);
    msq[1] = msgget(IPC_PRIVATE, 0640);
    sem[0] = semget(IPC_PRIVATE, 3, 0600);
    sem[1] = semget(IPC_PRIVATE, 1, 0640);
    say("   ids: shm %d %d, msg %d %d, sem %d %d\n", shm[0], shm[1], msq[0], msq[1], sem[0], sem[1]);

    char *at = shmat(shm[0], NULL, 0);
    if (at != (char *)-1) { at[0] = 1; at[2 * page] = 1; }
    shm_counts("with two");
    shm_stat("SHM_STAT of index 0", 0, SHM_STAT);
    shm_stat("SHM_STAT_ANY of index 1", 1, SHM_STAT_ANY);
    shm_stat("SHM_STAT of index 0 with another sequence number", 0 | 5 << INDEX_BITS, SHM_STAT);
    shm_stat("SHM_STAT of index 2 (none)", 2, SHM_STAT);
    shm_stat("SHM_STAT of index -1", -1, SHM_STAT);
    r("SHM_STAT into a bad buffer", shmctl(0, SHM_STAT, BAD));

    struct { long type; char text[32]; } m = { 1, "0123456789abcdefghij" };
    msgsnd(msq[0], &m, 10, 0);
    msgsnd(msq[0], &m, 20, 0);
    msgsnd(msq[1], &m, 5, 0);
    msgrcv(msq[1], &m, sizeof m.text, 0, IPC_NOWAIT);
    msgsnd(msq[1], &m, 5, 0);
    msg_counts("with two");
    msg_stat("MSG_STAT of index 0", 0, MSG_STAT);
    msg_stat("MSG_STAT_ANY of index 1", 1, MSG_STAT_ANY);
    msg_stat("MSG_STAT of index 1 with another sequence number", 1 | 3 << INDEX_BITS, MSG_STAT);
    msg_stat("MSG_STAT of index 2 (none)", 2, MSG_STAT);
    r("MSG_STAT into a bad buffer", msgctl(0, MSG_STAT, BAD));

    struct sembuf op = { 0, 2, 0 };
    semop(sem[0], &op, 1);
    sem_counts("with two");
    sem_stat("SEM_STAT of index 0", 0, SEM_STAT);
    sem_stat("SEM_STAT_ANY of index 1", 1, SEM_STAT_ANY);
    sem_stat("SEM_STAT of index 2 (none)", 2, SEM_STAT);
    r("SEM_STAT into a bad buffer", semctl(0, 0, SEM_STAT, (union semun){ .buf = BAD }));

    say("3. /proc/sysvipc\n");
    /* key id perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap */
    show_table("shm", "....PP.....TTTR.");
    /* key id perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime */
    show_table("msg", ".....PP....TTT");
    /* key id perms nsems uid gid cuid cgid otime ctime */
    show_table("sem", "........TT");
    say("   shm rss bytes in pages from SHM_INFO: ");
    struct shm_info in;
    shmctl(0, SHM_INFO, (struct shmid_ds *)&in);
    say("%lu\n", in.shm_rss);

    say("4. permissions, removal, reuse\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setresuid(54321, 54321, 54321);
        shm_stat("as 54321: SHM_STAT of a 0600 segment", 0, SHM_STAT);
        shm_stat("as 54321: SHM_STAT_ANY of it", 0, SHM_STAT_ANY);
        msg_stat("as 54321: MSG_STAT of a 0600 queue", 0, MSG_STAT);
        msg_stat("as 54321: MSG_STAT_ANY of it", 0, MSG_STAT_ANY);
        sem_stat("as 54321: SEM_STAT of a 0600 set", 0, SEM_STAT);
        sem_stat("as 54321: SEM_STAT_ANY of it", 0, SEM_STAT_ANY);
        r("as 54321: shmctl IPC_INFO", shmctl(0, IPC_INFO, (struct shmid_ds *)&(struct shminfo){ 0 }));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    r("IPC_RMID of the attached segment", shmctl(shm[0], IPC_RMID, NULL));
    shm_stat("SHM_STAT of its index", 0, SHM_STAT);
    show_table("shm", "....PP.....TTTR.");
    r("shmdt", shmdt(at));
    shm_stat("SHM_STAT of its index after the detach", 0, SHM_STAT);
    shm_counts("with one");
    msgctl(msq[0], IPC_RMID, NULL);
    semctl(sem[0], 0, IPC_RMID);
    msg_counts("with one");
    sem_counts("with one");
    shm[2] = shmget(IPC_PRIVATE, page, 0600);
    msq[2] = msgget(IPC_PRIVATE, 0600);
    sem[2] = semget(IPC_PRIVATE, 2, 0600);
    say("   new ids: shm %d, msg %d, sem %d\n", shm[2], msq[2], sem[2]);
    shmctl(shm[1], IPC_RMID, NULL);
    msgctl(msq[1], IPC_RMID, NULL);
    semctl(sem[1], 0, IPC_RMID);
    shm_counts("with the newest only");
    msg_counts("with the newest only");
    sem_counts("with the newest only");
    shmctl(shm[2], IPC_RMID, NULL);
    msgctl(msq[2], IPC_RMID, NULL);
    semctl(sem[2], 0, IPC_RMID);
    shm_counts("with none");
    msg_counts("with none");
    sem_counts("with none");
    show_table("msg", ".....PP....TTT");
}

static void shm_mode(const char *what, int id)
{
    struct shmid_ds ds;
    memset(&ds, 0, sizeof ds);
    if (shmctl(id, IPC_STAT, &ds) < 0) { r(what, -1); return; }
    say("   %s: mode %o\n", what, ds.shm_perm.mode);
}

/* SHM_LOCK and SHM_UNLOCK: the owner's, charged to its RLIMIT_MEMLOCK. */
static void shm_locks(void)
{
    say("5. SHM_LOCK, SHM_UNLOCK\n");
    int root_seg = shmget(IPC_PRIVATE, page, 0600);
    r("SHM_LOCK as root", shmctl(root_seg, SHM_LOCK, NULL));
    shm_mode("then", root_seg);
    r("SHM_LOCK again", shmctl(root_seg, SHM_LOCK, NULL));
    r("SHM_UNLOCK", shmctl(root_seg, SHM_UNLOCK, NULL));
    shm_mode("then", root_seg);
    r("SHM_UNLOCK again", shmctl(root_seg, SHM_UNLOCK, NULL));
    r("SHM_LOCK of no segment", shmctl(root_seg + 1, SHM_LOCK, NULL));
    r("SHM_LOCK of id -1", shmctl(-1, SHM_LOCK, NULL));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setresuid(54321, 54321, 54321);
        r("as 54321: SHM_LOCK of root's segment", shmctl(root_seg, SHM_LOCK, NULL));
        r("as 54321: SHM_UNLOCK of it", shmctl(root_seg, SHM_UNLOCK, NULL));
        int a = shmget(IPC_PRIVATE, 3 * page, 0600), b = shmget(IPC_PRIVATE, 2 * page, 0600);
        struct rlimit rl = { 2 * page, 4 * page };
        setrlimit(RLIMIT_MEMLOCK, &rl);
        r("MEMLOCK 2 pages: SHM_LOCK of 3 pages", shmctl(a, SHM_LOCK, NULL));
        rl.rlim_cur = 4 * page;
        setrlimit(RLIMIT_MEMLOCK, &rl);
        r("MEMLOCK 4 pages: SHM_LOCK of 3 pages", shmctl(a, SHM_LOCK, NULL));
        shm_mode("then", a);
        r("SHM_LOCK of 2 more", shmctl(b, SHM_LOCK, NULL));
        r("SHM_UNLOCK of the 3", shmctl(a, SHM_UNLOCK, NULL));
        r("SHM_LOCK of the 2 then", shmctl(b, SHM_LOCK, NULL));
        r("IPC_RMID of the locked 2", shmctl(b, IPC_RMID, NULL));
        r("SHM_LOCK of the 3 after it went", shmctl(a, SHM_LOCK, NULL));
        rl.rlim_cur = 0;
        setrlimit(RLIMIT_MEMLOCK, &rl);
        r("MEMLOCK 0: SHM_LOCK", shmctl(a, SHM_LOCK, NULL));
        r("MEMLOCK 0: SHM_UNLOCK", shmctl(a, SHM_UNLOCK, NULL));
        shmctl(a, IPC_RMID, NULL);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    shmctl(root_seg, IPC_RMID, NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(30);                         /* a backstop: nothing here blocks */
    page = sysconf(_SC_PAGESIZE);
    me = getpid();
    limits();
    by_index();
    shm_locks();
    return 0;
}
