/*
 * sim/hv/main.c - winpv-simd: serve the run directory's socket until told
 * to stop (SIGTERM, SIGINT) or, with --parent-pid, until that process ends.
 *
 * usage: winpv-simd RUN_DIR
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "hv.h"

struct hv hv;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    stop = 1;
}

static int listen_on(const char *run_dir)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd;

    if (sim_socket_path(run_dir, addr.sun_path, sizeof(addr.sun_path)) != 0) {
        fprintf(stderr, "winpv-simd: run directory path too long: %s\n", run_dir);
        return -1;
    }
    unlink(addr.sun_path);
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 64) != 0) {
        fprintf(stderr, "winpv-simd: cannot listen on %s: %s\n", addr.sun_path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void accept_conn(void)
{
    struct epoll_event ev = {.events = EPOLLIN};
    struct ucred cred;
    socklen_t len = sizeof(cred);
    struct conn *c;
    int fd = accept4(hv.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (fd < 0)
        return;
    c = calloc(1, sizeof(*c));
    if (c == NULL || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        free(c);
        close(fd);
        return;
    }
    c->fd = fd;
    c->pid = cred.pid;
    c->event_fd = -1;
    ev.data.ptr = c;
    if (epoll_ctl(hv.epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        free(c);
        close(fd);
        return;
    }
    c->next = hv.conns;
    hv.conns = c;
}

/* One message from @c; a short, oversized or failed read ends the connection. */
static void serve(struct conn *c)
{
    struct sim_request req;
    ssize_t n;

    if (c->broken)
        return;
    n = recv(c->fd, &req, sizeof(req), MSG_TRUNC);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;

    if (n != (ssize_t)sizeof(req)) {
        if (n > 0)
            hv_log("connection %d: malformed message (%zd bytes): closed", c->fd, n);
        c->broken = true;
        return;
    }
    if (c->blocked || c->suspended) {
        hv_log("connection %d: request while blocked: closed", c->fd);
        c->broken = true;
        return;
    }
    conn_dispatch(c, &req);
}

static int setup(const char *run_dir)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    char path[4096];
    struct sigaction sa = {.sa_handler = on_signal};

    hv.run_dir = strdup(run_dir);
    snprintf(path, sizeof(path), "%s/hv-console.log", run_dir);
    hv.console_log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    for (uint32_t id = 0; id < HV_MAX_DOMAINS; id++)
        hv.domains[id].mem_fd = hv.domains[id].upcall_fd = hv.domains[id].upcall_peer = -1;
    /* Dom0 always exists; it has no memory here, only event channels. */
    hv.domains[0].exists = true;
    hv.domains[0].vcpus = 1;
    if (evtchn_init(&hv.domains[0]) != 0)
        return -1;
    hv.listen_fd = listen_on(run_dir);
    hv.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (hv.listen_fd < 0 || hv.epoll_fd < 0)
        return -1;
    return epoll_ctl(hv.epoll_fd, EPOLL_CTL_ADD, hv.listen_fd, &ev);
}

static void teardown(void)
{
    while (hv.conns)
        conn_close(hv.conns);
    for (uint32_t id = 1; id < HV_MAX_DOMAINS; id++)
        if (hv.domains[id].exists)
            domain_destroy(&hv.domains[id]);
    evtchn_fini(&hv.domains[0]);
    close(hv.listen_fd);
    close(hv.epoll_fd);
    if (hv.console_log_fd >= 0)
        close(hv.console_log_fd);
    free(hv.run_dir);
}

int main(int argc, char **argv)
{
    sigset_t stop_signals, wait_mask;

    if (argc != 2) {
        fprintf(stderr, "usage: winpv-simd RUN_DIR\n");
        return 2;
    }
    /* Started by a toolstack: end with it, never outlive a test. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (setup(argv[1]) != 0)
        return 1;
    hv_log("winpv-simd serving %s", argv[1]);
    /*
     * SIGTERM and SIGINT stay blocked except inside epoll_pwait: one that
     * came between the test of stop and the wait would not wake the wait.
     */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigprocmask(SIG_BLOCK, &stop_signals, &wait_mask);
    sigdelset(&wait_mask, SIGTERM);
    sigdelset(&wait_mask, SIGINT);
    while (!stop) {
        struct epoll_event events[16];
        int n = epoll_pwait(hv.epoll_fd, events, 16, upcall_expire_timeouts(), &wait_mask);

        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == NULL)
                accept_conn();
            else
                serve(events[i].data.ptr);
        }
        conn_close_broken();
    }
    teardown();
    hv_log("winpv-simd stopped");
    return 0;
}
