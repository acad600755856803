/*
 * sim/nt/user_io.c - what a person asks of the guest's disks from outside
 * (winpv-sim io), served as a program in the guest would do it: on a
 * kernel thread of its own at PASSIVE_LEVEL, through the disk class,
 * Storport and the miniport.
 *
 * A Unix socket (--control PATH) takes one request a connection, one line:
 *   sha256 DISK    read the guest's disk number DISK whole: "ok HEX BYTES"
 * and answers one line ("ok ..." or "error ..."). A request that is none
 * of these is answered "error" and nothing else happens.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kernel.h"
#include "storport.h"
#include "user_io.h"

#define REQUEST_MAX 128

static struct {
    int fd;
    pthread_t thread;
    volatile int stopping;
    char path[108];
} io = {.fd = -1};

/* One request from @conn, answered. */
static void serve(int conn)
{
    char request[REQUEST_MAX + 1], answer[256], hex[65], error[160], *end;
    ssize_t n = read(conn, request, REQUEST_MAX);
    unsigned long disk;
    uint64_t bytes;

    if (n <= 0)
        return;
    request[n] = '\0';
    request[strcspn(request, "\r\n")] = '\0';
    if (strncmp(request, "sha256 ", 7) == 0 && request[7] >= '0' && request[7] <= '9' &&
        (disk = strtoul(request + 7, &end, 10), *end == '\0') && disk < 256) {
        if (disk_class_sha256((unsigned int)disk, hex, &bytes, error, sizeof(error)) == 0)
            snprintf(answer, sizeof(answer), "ok %s %llu\n", hex, (unsigned long long)bytes);
        else
            snprintf(answer, sizeof(answer), "error %s\n", error);
    } else {
        snprintf(answer, sizeof(answer), "error no such request (sha256 DISK)\n");
    }
    if (write(conn, answer, strlen(answer)) < 0)
        nt_log("io: the answer did not go back\n");
}

static void *io_main(void *arg)
{
    struct nt_thread thread;

    if (nt_thread_enter(&thread, "user-io", 0) != 0)
        return NULL;
    while (!io.stopping) {
        struct pollfd p = {.fd = io.fd, .events = POLLIN};
        int conn;

        if (poll(&p, 1, 100) != 1)
            continue;
        conn = accept(io.fd, NULL, NULL);
        if (conn < 0)
            continue;
        serve(conn);
        close(conn);
    }
    nt_thread_exit(&thread);
    return NULL;
}

int nt_user_io_start(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};

    if (strlen(path) >= sizeof(addr.sun_path))
        return -1;
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    snprintf(io.path, sizeof(io.path), "%s", path);
    unlink(path);
    io.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (io.fd < 0 || bind(io.fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(io.fd, 4) != 0 || pthread_create(&io.thread, NULL, io_main, NULL) != 0) {
        if (io.fd >= 0)
            close(io.fd);
        io.fd = -1;
        return -1;
    }
    return 0;
}

void nt_user_io_stop(void)
{
    if (io.fd < 0)
        return;
    io.stopping = 1;
    pthread_join(io.thread, NULL);
    close(io.fd);
    unlink(io.path);
    io.fd = -1;
}
