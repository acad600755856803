/* sim/toolstack/child.c - see child.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

void child_prepare(pid_t parent, int death_signal, const char *log)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigset_t none;
    int fd;

    setpgid(0, 0);
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL); /* SIGKILL, SIGSTOP and libc's own refuse: fine */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_PDEATHSIG, death_signal);
    /* The parent may have ended before the line above: nothing would tell us. */
    if (getppid() != parent)
        _exit(126);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
    }
}

#define POLL_MS 5

bool child_wait(pid_t pid, int ms, int *status)
{
    for (int waited = 0;; waited += POLL_MS) {
        pid_t got = waitpid(pid, status, WNOHANG);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            *status = W_EXITCODE(255, 0);
        if (got != 0)
            return true;
        if (waited >= ms)
            return false;
        usleep(POLL_MS * 1000);
    }
}

int child_kill(pid_t pid)
{
    int status = W_EXITCODE(255, 0);

    /* Its group is its own (child_prepare): what it started goes with it. */
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}
