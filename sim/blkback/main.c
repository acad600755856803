/*
 * sim/blkback/main.c - winpv-blkback: a blkif backend in dom0 of winpv-simd,
 * serving one vbd from an image file through io_uring. The toolstack
 * (sim/toolstack/blkback.c) starts one per disk, as Xen's starts a backend.
 *
 * One thread, one poll loop: xenstore watches, the frontend's events, I/O
 * completions and signals. SIGHUP: the image's size may have changed
 * (online resize). SIGTERM or SIGINT: finish the I/O in flight, answer it,
 * unmap everything and exit, leaving xenstore as it is (a restarted backend
 * takes over from there).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <xenstore.h>

#include "dom0.h"
#include "options.h"
#include "xenbus.h"

enum { FD_SIGNALS, FD_STORE, FD_EVENTS, FD_IO, FD_COUNT };

static int open_signals(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
        return -1;
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Returns false when the process should end. */
static bool take_signals(struct backend *be, int fd)
{
    struct signalfd_siginfo info;

    while (read(fd, &info, sizeof(info)) == (ssize_t)sizeof(info)) {
        if (info.ssi_signo == SIGHUP)
            backend_resize(be);
        else
            return false;
    }
    return true;
}

static void take_watches(struct backend *be)
{
    char **event;
    bool fired = false;

    while ((event = xs_check_watch(be->xs)) != NULL) {
        free(event);
        fired = true;
    }
    if (fired)
        backend_changed(be);
}

static void take_events(struct backend *be)
{
    uint32_t port;

    while (dom0_pending(be->dom0, &port) == 0) {
        if (be->dev)
            device_event(be->dev, port);
        else
            dom0_unmask(be->dom0, port); /* a port of an ended connection */
    }
}

static int run(struct backend *be, int signals)
{
    struct pollfd fds[FD_COUNT] = {
        [FD_SIGNALS] = {.fd = signals, .events = POLLIN},
        [FD_STORE] = {.fd = xs_fileno(be->xs), .events = POLLIN},
        [FD_EVENTS] = {.fd = dom0_event_fd(be->dom0), .events = POLLIN},
        [FD_IO] = {.fd = -1, .events = POLLIN},
    };

    if (fds[FD_STORE].fd < 0)
        return -1;
    /* The watches fire once when set: their first events bring the first look. */
    while (!be->quit) {
        bool busy = be->dev && device_idle(be->dev, be->opt->poll_us * 1000ull);

        fds[FD_IO].fd = be->dev ? device_io_fd(be->dev) : -1;
        /* With work at hand, only a look at the other sources. */
        if (poll(fds, FD_COUNT, busy ? 0 : -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("winpv-blkback: poll");
            return -1;
        }
        if (fds[FD_SIGNALS].revents && !take_signals(be, signals))
            break;
        if (fds[FD_STORE].revents)
            take_watches(be);
        if (fds[FD_EVENTS].revents)
            take_events(be);
        if (be->dev && ((fds[FD_IO].revents && fds[FD_IO].fd == device_io_fd(be->dev)) || busy)) {
            device_complete(be->dev);
            device_pump(be->dev); /* room for requests that waited */
        }
        backend_check(be);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct blkback_options opt;
    struct backend be;
    struct xs_handle *xs;
    struct dom0 *dom0;
    int signals, rc = 1;

    setvbuf(stderr, NULL, _IOLBF, 0);
    if (options_parse(&opt, argc, argv) != 0)
        return 2;
    signals = open_signals();
    xs = xs_open(0);
    dom0 = dom0_open();
    if (signals < 0 || xs == NULL || dom0 == NULL) {
        fprintf(stderr, "winpv-blkback: cannot reach xenstore, the simulator or signals: %s\n",
                strerror(errno));
    } else if (backend_start(&be, &opt, xs, dom0) == 0) {
        rc = run(&be, signals) == 0 ? 0 : 1;
        backend_stop(&be);
    }
    dom0_close(dom0);
    if (xs)
        xs_close(xs);
    if (signals >= 0)
        close(signals);
    return rc;
}
