/* Stop and continue against Linux: SIGSTOP/SIGTSTP/SIGCONT to children, what wait4/waitpid
 * (WUNTRACED, WCONTINUED) and waitid (WSTOPPED, WCONTINUED, WNOWAIT) report, SIGCHLD's codes
 * with and without SA_NOCLDSTOP, SIGKILL of a stopped child, a stopped child that does not run
 * (one thread or two), a blocking read that goes on after the stop. Prints only what Linux
 * decides (no pids, no times); run by tests/boot/test_jobctl.py. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long *counters;   /* shared with the children: how far each has run */

static void pause_forever(void) { for (;;) pause(); }

static pid_t child(void (*body)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        body();
        _exit(0);
    }
    return pid;
}

static void describe(const char *what, int status)
{
    if (WIFSTOPPED(status))
        printf("  %s: stopped by %d (status %#x)\n", what, WSTOPSIG(status), status);
    else if (WIFCONTINUED(status))
        printf("  %s: continued (status %#x)\n", what, status);
    else if (WIFSIGNALED(status))
        printf("  %s: killed by %d\n", what, WTERMSIG(status));
    else
        printf("  %s: exited %d\n", what, WEXITSTATUS(status));
}

static void waited(const char *what, pid_t pid, int options)
{
    int status = 0;
    pid_t got = waitpid(pid, &status, options);
    if (got == 0)
        printf("  %s: nothing to report\n", what);
    else if (got != pid)
        printf("  %s: waitpid %d errno %d\n", what, got, errno);
    else
        describe(what, status);
}

/* Until counter i moves (bounded: 10 s), as a running child makes it. */
static int advances(int i)
{
    unsigned long before = counters[i];
    for (int n = 0; n < 1000; n++) {
        if (counters[i] != before)
            return 1;
        usleep(10000);
    }
    return 0;
}

/* A stopped child does not move its counter at all. */
static int frozen(int i)
{
    unsigned long before = counters[i];
    usleep(200000);
    return counters[i] == before;
}

static void spin0(void) { for (;;) counters[0]++; }

static void *spin1_thread(void *arg) { for (;;) counters[1]++; return arg; }
static void spin_two(void)
{
    pthread_t t;
    pthread_create(&t, NULL, spin1_thread, NULL);
    for (;;) counters[0]++;
}

static void section_stop_continue(void)
{
    printf("1. SIGSTOP and SIGCONT through waitpid\n");
    counters[0] = 0;
    pid_t pid = child(spin0);
    printf("  runs: %d\n", advances(0));
    waited("WNOHANG|WUNTRACED before the stop", pid, WNOHANG | WUNTRACED);
    kill(pid, SIGSTOP);
    waited("WUNTRACED", pid, WUNTRACED);
    printf("  stopped child frozen: %d\n", frozen(0));
    waited("WUNTRACED again", pid, WNOHANG | WUNTRACED);
    waited("without WUNTRACED", pid, WNOHANG);
    waited("WCONTINUED while stopped", pid, WNOHANG | WCONTINUED);
    kill(pid, SIGCONT);
    waited("WCONTINUED", pid, WCONTINUED);
    printf("  runs again: %d\n", advances(0));
    waited("WCONTINUED again", pid, WNOHANG | WCONTINUED);
    kill(pid, SIGSTOP);
    waited("stopped again", pid, WUNTRACED);
    kill(pid, SIGKILL);
    waited("SIGKILL while stopped", pid, 0);
}

/* waitid(type, id, ...) for the child `pid`. */
static void show_waitid(const char *what, idtype_t type, pid_t pid, int options)
{
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    int r = waitid(type, type == P_ALL ? 0 : pid, &si, options);
    if (r)
        printf("  %s: errno %d\n", what, errno);
    else if (si.si_pid == 0)
        printf("  %s: nothing (si_signo %d)\n", what, si.si_signo);
    else
        printf("  %s: si_signo %d si_code %d si_status %d pid matches %d\n", what, si.si_signo,
               si.si_code, si.si_status, si.si_pid == pid);
}

static void section_waitid(void)
{
    printf("2. waitid WSTOPPED, WCONTINUED, WNOWAIT\n");
    pid_t pid = child(pause_forever);
    kill(pid, SIGSTOP);
    show_waitid("WSTOPPED|WNOWAIT", P_PID, pid, WSTOPPED | WNOWAIT);
    show_waitid("WSTOPPED", P_PID, pid, WSTOPPED);
    show_waitid("WSTOPPED|WNOHANG after", P_PID, pid, WSTOPPED | WNOHANG);
    show_waitid("WEXITED|WNOHANG", P_PID, pid, WEXITED | WNOHANG);
    kill(pid, SIGCONT);
    show_waitid("WCONTINUED", P_ALL, pid, WCONTINUED);
    kill(pid, SIGKILL);
    show_waitid("WEXITED", P_PID, pid, WEXITED);
}

static void handler(int sig, siginfo_t *si, void *ctx) { (void)sig; (void)si; (void)ctx; }

/* The next SIGCHLD (blocked, taken with sigtimedwait): its code and status. */
static void next_sigchld(const char *what, pid_t pid)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    struct timespec ts = { 10, 0 };
    siginfo_t si;
    if (sigtimedwait(&set, &si, &ts) != SIGCHLD)
        printf("  %s: no SIGCHLD (errno %d)\n", what, errno);
    else
        printf("  %s: SIGCHLD si_code %d si_status %d pid matches %d\n", what, si.si_code, si.si_status,
               si.si_pid == pid);
}

static void drain_sigchld(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    struct timespec zero = { 0, 0 };
    while (sigtimedwait(&set, NULL, &zero) == SIGCHLD)
        ;
}

static void section_sigchld(void)
{
    printf("3. SIGCHLD for stops and continues, and SA_NOCLDSTOP\n");
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &old);
    struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
    sigaction(SIGCHLD, &sa, NULL);
    drain_sigchld();
    pid_t pid = child(pause_forever);
    kill(pid, SIGSTOP);
    waited("stop", pid, WUNTRACED);
    next_sigchld("after the stop", pid);
    kill(pid, SIGCONT);
    waited("continue", pid, WCONTINUED);
    next_sigchld("after the continue", pid);
    kill(pid, SIGTERM);
    waited("end", pid, 0);
    next_sigchld("after the end", pid);

    sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    pid = child(pause_forever);
    kill(pid, SIGSTOP);
    waited("SA_NOCLDSTOP stop", pid, WUNTRACED);
    kill(pid, SIGCONT);
    waited("SA_NOCLDSTOP continue", pid, WCONTINUED);
    kill(pid, SIGTERM);
    waited("SA_NOCLDSTOP end", pid, 0);
    /* Had the stop or continue sent one, it would be the pending instance (they coalesce). */
    next_sigchld("SA_NOCLDSTOP: the only one", pid);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = 0;
    sigaction(SIGCHLD, &sa, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static int report_pipe[2];
static void say_tstp(int sig) { (void)sig; if (write(report_pipe[1], "T", 1)) {} }
static void say_cont(int sig) { (void)sig; if (write(report_pipe[1], "C", 1)) {} }

static void tstp_handled(void)
{
    signal(SIGTSTP, say_tstp);
    signal(SIGCONT, say_cont);
    pause_forever();
}

static void own_group(void)
{
    setpgid(0, 0);
    pause_forever();
}

static void read_heard(const char *what)
{
    char c = '?';
    if (read(report_pipe[0], &c, 1) != 1)
        c = '!';
    printf("  %s: %c\n", what, c);
}

static void section_tstp_and_handlers(void)
{
    printf("4. SIGTSTP stops by default, handlers for SIGTSTP and SIGCONT run\n");
    /* Its own process group, so the group is not orphaned (Linux discards SIGTSTP there). */
    pid_t pid = child(own_group);
    setpgid(pid, pid);
    kill(pid, SIGTSTP);
    waited("SIGTSTP, default action", pid, WUNTRACED);
    kill(pid, SIGCONT);
    waited("then SIGCONT", pid, WCONTINUED);
    kill(pid, SIGKILL);
    waited("end", pid, 0);

    if (pipe(report_pipe))
        return;
    pid = child(tstp_handled);
    usleep(100000);                    /* lets it install its handlers (both outcomes below are Linux's) */
    kill(pid, SIGTSTP);
    read_heard("SIGTSTP with a handler");
    waited("not stopped", pid, WNOHANG | WUNTRACED);
    kill(pid, SIGSTOP);
    waited("SIGSTOP", pid, WUNTRACED);
    kill(pid, SIGCONT);
    read_heard("SIGCONT's handler after the continue");
    waited("continued", pid, WCONTINUED);
    kill(pid, SIGKILL);
    waited("end", pid, 0);
    close(report_pipe[0]);
    close(report_pipe[1]);
}

static void section_threads(void)
{
    printf("5. every thread of a stopped child stops\n");
    counters[0] = counters[1] = 0;
    pid_t pid = child(spin_two);
    printf("  both run: %d %d\n", advances(0), advances(1));
    kill(pid, SIGSTOP);
    waited("WUNTRACED", pid, WUNTRACED);
    printf("  frozen: %d %d\n", frozen(0), frozen(1));
    kill(pid, SIGCONT);
    waited("WCONTINUED", pid, WCONTINUED);
    printf("  both run again: %d %d\n", advances(0), advances(1));
    kill(pid, SIGKILL);
    waited("end", pid, 0);
}

static int data_pipe[2];
static void reader(void)
{
    unsigned char b;
    ssize_t n = read(data_pipe[0], &b, 1);
    _exit(n == 1 ? b : 100 + errno);
}

static void section_blocked_read(void)
{
    printf("6. a read blocked across a stop goes on after it\n");
    if (pipe(data_pipe))
        return;
    pid_t pid = child(reader);
    usleep(100000);
    kill(pid, SIGSTOP);
    waited("stopped in read", pid, WUNTRACED);
    kill(pid, SIGCONT);
    waited("continued", pid, WCONTINUED);
    if (write(data_pipe[1], "\x2a", 1) != 1)
        printf("  write failed\n");
    waited("read's byte as the exit status", pid, 0);
    close(data_pipe[0]);
    close(data_pipe[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    section_stop_continue();
    section_waitid();
    section_sigchld();
    section_tstp_and_handlers();
    section_threads();
    section_blocked_read();
    return 0;
}
