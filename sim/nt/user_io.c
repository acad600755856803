/*
 * sim/nt/user_io.c - what a person asks of the guest's disks from outside
 * (winpv-sim io), served as a program in the guest would do it: on a
 * kernel thread of its own at PASSIVE_LEVEL, through the disk class,
 * Storport and the miniport.
 *
 * A Unix socket (--control PATH) takes one request a connection, one line:
 *   sha256 DISK         read the guest's disk number DISK whole: "ok HEX BYTES"
 *   fill DISK PATH      write the file at PATH (absolute) onto it from its
 *                       first byte, then flush: "ok BYTES"
 *   trim DISK OFFSET LENGTH
 *                       unmap LENGTH bytes from byte OFFSET (whole blocks), as
 *                       a file system's trim: "ok BYTES COMMANDS"
 *   run DISK RW BS QD SECONDS
 *                       RW (read, write, randread or randwrite) of BS bytes a
 *                       request, QD at once, for SECONDS: "ok IOS BYTES NS CPU_NS"
 *   stamp DISK BS QD SECONDS JOURNAL
 *                       random writes with FUA of BS bytes, QD at once, for
 *                       SECONDS, or until the client shuts down its side of
 *                       the connection (it still reads the answer), every 512
 *                       bytes stamped with their place and the write's
 *                       sequence number, each journaled to the file JOURNAL
 *                       (absolute) as it comes back, acknowledged or failed;
 *                       then a flush: "ok ACKNOWLEDGED FAILED NS" (disk_class.h
 *                       says what the stamps and the journal hold)
 *   dump DISK PATH OFFSET crash|hiber
 *                       a crash dump or hibernation of the file at PATH at byte
 *                       OFFSET through the miniport's dump mode, then the machine
 *                       ends (storport_dump.c): "ok BYTES REQUESTS LARGEST"
 * and answers one line ("ok ..." or "error ..."). A request that is none
 * of these is answered "error" and nothing else happens.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kernel.h"
#include "disk_class.h"
#include "storport_dump.h"
#include "user_io.h"

#define REQUEST_MAX 4200 /* "fill" or "stamp", its numbers and a path of PATH_MAX */
#define ANSWER_MAX  512

static struct {
    int fd;
    pthread_t thread;
    volatile int stopping;
    char path[108];
} io = {.fd = -1};

/* The decimal number at *@p (moved past it and one blank), at most @max; false when there is none. */
static bool number(char **p, unsigned long max, unsigned long *value)
{
    char *end;

    if (**p < '0' || **p > '9')
        return false;
    errno = 0;
    *value = strtoul(*p, &end, 10);
    if (errno || *value > max || (*end != ' ' && *end != '\0'))
        return false;
    *p = *end == ' ' ? end + 1 : end;
    return true;
}

/* "trim DISK OFFSET LENGTH" after "trim ". */
static int trim_request(char *p, char *answer, size_t size)
{
    unsigned long disk, offset, length;

    if (!number(&p, UINT8_MAX, &disk) || !number(&p, ULONG_MAX, &offset) ||
        !number(&p, ULONG_MAX, &length) || *p != '\0') {
        snprintf(answer, size, "error trim DISK OFFSET LENGTH");
        return -1;
    }
    return disk_class_trim((unsigned int)disk, offset, length, answer, size);
}

/* "run DISK RW BS QD SECONDS" after "run ". */
static int run_request(char *p, char *answer, size_t size)
{
    static const char *const kinds[] = {"read", "write", "randread", "randwrite"};
    struct disk_workload w = {0};
    unsigned long disk, bs, qd, seconds;
    size_t kind = sizeof(kinds) / sizeof(kinds[0]);

    if (number(&p, UINT8_MAX, &disk)) {
        for (kind = 0; kind < sizeof(kinds) / sizeof(kinds[0]); kind++) {
            size_t n = strlen(kinds[kind]);

            if (strncmp(p, kinds[kind], n) == 0 && p[n] == ' ') {
                p += n + 1;
                break;
            }
        }
    }
    if (kind == sizeof(kinds) / sizeof(kinds[0]) || !number(&p, UINT32_MAX, &bs) ||
        !number(&p, UINT32_MAX, &qd) || !number(&p, UINT32_MAX, &seconds) || *p != '\0') {
        snprintf(answer, size, "error run DISK read|write|randread|randwrite BS QD SECONDS");
        return -1;
    }
    w.write = kind == 1 || kind == 3;
    w.random = kind >= 2;
    w.bs = (uint32_t)bs;
    w.qd = (unsigned int)qd;
    w.seconds = (unsigned int)seconds;
    return disk_class_run((unsigned int)disk, &w, answer, size);
}

/* "dump DISK PATH OFFSET crash|hiber" after "dump ". */
static int dump_request(char *p, char *answer, size_t size)
{
    unsigned long disk, offset;
    char *path, *mode;

    if (!number(&p, UINT8_MAX, &disk) || p[0] != '/' || (path = p, p = strchr(p, ' ')) == NULL) {
        snprintf(answer, size, "error dump DISK PATH OFFSET crash|hiber");
        return -1;
    }
    *p++ = '\0';
    mode = strchr(p, ' ');
    if (mode == NULL || (*mode++ = '\0', !number(&p, ULONG_MAX, &offset)) || *p != '\0' ||
        (strcmp(mode, "crash") != 0 && strcmp(mode, "hiber") != 0)) {
        snprintf(answer, size, "error dump DISK PATH OFFSET crash|hiber");
        return -1;
    }
    return storport_dump_run((unsigned int)disk, path, offset, strcmp(mode, "hiber") == 0, answer,
                             size);
}

/* "stamp DISK BS QD SECONDS JOURNAL" after "stamp ", from connection @conn. */
static int stamp_request(char *p, int conn, char *answer, size_t size)
{
    struct disk_workload w = {.write = true, .random = true};
    unsigned long disk, bs, qd, seconds;

    if (!number(&p, UINT8_MAX, &disk) || !number(&p, UINT32_MAX, &bs) ||
        !number(&p, UINT32_MAX, &qd) || !number(&p, UINT32_MAX, &seconds) || p[0] != '/') {
        snprintf(answer, size, "error stamp DISK BS QD SECONDS /JOURNAL");
        return -1;
    }
    w.bs = (uint32_t)bs;
    w.qd = (unsigned int)qd;
    w.seconds = (unsigned int)seconds;
    return disk_class_stamp((unsigned int)disk, &w, p, conn, answer, size);
}

/* The answer to @request from connection @conn, in @answer; "error ..." when it failed. */
static void answer_to(char *request, int conn, char *answer, size_t size)
{
    unsigned long disk;
    char *p = request;
    int rc;

    if (strncmp(p, "sha256 ", 7) == 0 && (p += 7, number(&p, UINT8_MAX, &disk)) && *p == '\0') {
        rc = disk_class_sha256((unsigned int)disk, answer, size);
    } else if (strncmp(request, "fill ", 5) == 0 &&
               (p = request + 5, number(&p, UINT8_MAX, &disk)) && p[0] == '/') {
        rc = disk_class_fill((unsigned int)disk, p, answer, size);
    } else if (strncmp(request, "run ", 4) == 0) {
        rc = run_request(request + 4, answer, size);
    } else if (strncmp(request, "trim ", 5) == 0) {
        rc = trim_request(request + 5, answer, size);
    } else if (strncmp(request, "stamp ", 6) == 0) {
        rc = stamp_request(request + 6, conn, answer, size);
    } else if (strncmp(request, "dump ", 5) == 0) {
        rc = dump_request(request + 5, answer, size);
    } else {
        snprintf(
            answer, size,
            "error no such request (sha256 DISK, fill DISK PATH, run ..., stamp ..., dump ...)");
        return;
    }
    if (rc != 0 && strncmp(answer, "error ", 6) != 0) {
        size_t n = strlen(answer);

        if (n + 7 > size)
            n = size - 7;
        memmove(answer + 6, answer, n);
        memcpy(answer, "error ", 6);
        answer[n + 6] = '\0';
    }
}

/* One request from @conn, answered. */
static void serve(int conn)
{
    char request[REQUEST_MAX + 1], answer[ANSWER_MAX];
    size_t got = 0;
    ssize_t n;

    /* The request is one line; the client sends it whole and then waits. */
    while (got < REQUEST_MAX && memchr(request, '\n', got) == NULL &&
           (n = read(conn, request + got, REQUEST_MAX - got)) > 0)
        got += (size_t)n;
    if (got == 0)
        return;
    request[got] = '\0';
    request[strcspn(request, "\r\n")] = '\0';
    answer_to(request, conn, answer, sizeof(answer) - 1);
    strcat(answer, "\n");
    if (write(conn, answer, strlen(answer)) < 0)
        nt_log("io: the answer did not go back\n");
    storport_dump_end();
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
