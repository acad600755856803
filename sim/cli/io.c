/*
 * sim/cli/io.c - winpv-sim io: I/O on a guest's disk through its drivers
 * (the disk class, Storport, the miniport, the ring, the backend), asked
 * of the simulated Windows kernel on its socket in the run directory:
 *
 *   io DOMID DISK --sha256      read disk DISK whole; print its SHA-256
 *   io DOMID DISK --fill FILE   write FILE's bytes from the disk's first byte
 *   io DOMID DISK --trim OFFSET LENGTH
 *                               unmap LENGTH bytes from byte OFFSET (k, m, g
 *                               suffixes), as a file system's trim does
 *   io DOMID DISK --rw read|write|randread|randwrite [--bs N] [--qd N] [--seconds N]
 *                               run that for N seconds (default 10), N bytes a
 *                               request (default 4k; k and m suffixes), N at once
 *                               (default 1); print IOPS and MB/s
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "run.h"

#define ANSWER_MAX 512

/* Ask domain @domid's guest @request (one line); its answer in @answer: 0, or 1 (reported). */
static int ask_guest(const char *domid, const char *request, char *answer, size_t size)
{
    const char *run_dir = getenv(SIM_RUN_DIR_ENV);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t got = 0;
    ssize_t n = 0;
    int fd;

    if (run_dir == NULL) {
        fprintf(stderr, "winpv-sim: no run to look at: set %s (winpv-sim up prints it)\n",
                SIM_RUN_DIR_ENV);
        return 1;
    }
    run_guest_file(run_dir, (unsigned int)strtoul(domid, NULL, 10), "sock", addr.sun_path,
                   sizeof(addr.sun_path));
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        fprintf(stderr,
                "winpv-sim: domain %s runs no simulated Windows kernel (winpv-sim up --guest "
                "DIR)\n",
                domid);
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (write(fd, request, strlen(request)) == (ssize_t)strlen(request))
        while (got < size - 1 && (n = read(fd, answer + got, size - 1 - got)) > 0)
            got += (size_t)n;
    close(fd);
    answer[got] = '\0';
    if (got == 0 || answer[got - 1] != '\n') {
        fprintf(stderr, "winpv-sim: the guest did not answer\n");
        return 1;
    }
    if (strncmp(answer, "ok ", 3) != 0) {
        fprintf(stderr, "winpv-sim: %s", strncmp(answer, "error ", 6) == 0 ? answer + 6 : answer);
        return 1;
    }
    return 0;
}

static int sha256(const char *domid, const char *disk)
{
    char request[64], answer[ANSWER_MAX], hex[80];
    unsigned long long bytes;

    snprintf(request, sizeof(request), "sha256 %s\n", disk);
    if (ask_guest(domid, request, answer, sizeof(answer)) != 0)
        return 1;
    if (sscanf(answer, "ok %64s %llu", hex, &bytes) != 2) {
        fprintf(stderr, "winpv-sim: the guest answered %s", answer);
        return 1;
    }
    printf("%s  disk %s of domain %s (%llu bytes, read through the guest's drivers)\n", hex, disk,
           domid, bytes);
    return 0;
}

static int fill(const char *domid, const char *disk, const char *file)
{
    char path[PATH_MAX], request[PATH_MAX + 64], answer[ANSWER_MAX];
    unsigned long long bytes;
    struct stat st;
    int fd = open(file, O_RDONLY | O_CLOEXEC);

    /* Checked here too, so that the error names the file as the user wrote it. */
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || realpath(file, path) == NULL) {
        fprintf(stderr, "winpv-sim: --fill %s: %s\n", file,
                fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return 1;
    }
    close(fd);
    if (strchr(path, '\n')) {
        fprintf(stderr, "winpv-sim: --fill %s: a path with a newline cannot be sent\n", file);
        return 1;
    }
    snprintf(request, sizeof(request), "fill %s %s\n", disk, path);
    if (ask_guest(domid, request, answer, sizeof(answer)) != 0)
        return 1;
    if (sscanf(answer, "ok %llu", &bytes) != 1) {
        fprintf(stderr, "winpv-sim: the guest answered %s", answer);
        return 1;
    }
    printf("%s: %llu bytes written to disk %s of domain %s through the guest's drivers, and "
           "flushed\n",
           file, bytes, disk, domid);
    return 0;
}

/* @text as a count, with a k or m suffix (1024, 1048576); 0 when it is not one. */
static unsigned long size_of(const char *text)
{
    char *end;
    unsigned long value;

    if (text[0] < '0' || text[0] > '9')
        return 0;
    errno = 0;
    value = strtoul(text, &end, 10);
    if (errno || value > UINT32_MAX)
        return 0;
    if ((*end == 'k' || *end == 'K') && end[1] == '\0')
        return value <= UINT32_MAX / 1024 ? value * 1024 : 0;
    if ((*end == 'm' || *end == 'M') && end[1] == '\0')
        return value <= UINT32_MAX / 1048576 ? value * 1048576 : 0;
    return *end == '\0' ? value : 0;
}

static int workload(const char *domid, const char *disk, int argc, char **argv)
{
    const char *rw = NULL;
    unsigned long bs = 4096, qd = 1, seconds = 10;
    unsigned long long ios, bytes, ns, cpu_ns;
    char request[128], answer[ANSWER_MAX];
    double s;

    for (int i = 0; i + 1 < argc; i += 2) {
        unsigned long *value = strcmp(argv[i], "--bs") == 0        ? &bs
                               : strcmp(argv[i], "--qd") == 0      ? &qd
                               : strcmp(argv[i], "--seconds") == 0 ? &seconds
                                                                   : NULL;

        if (strcmp(argv[i], "--rw") == 0) {
            rw = argv[i + 1];
        } else if (value == NULL || (*value = size_of(argv[i + 1])) == 0) {
            fprintf(stderr, "winpv-sim: io: %s %s: not understood\n", argv[i], argv[i + 1]);
            return 2;
        }
    }
    if (argc % 2 || rw == NULL ||
        (strcmp(rw, "read") && strcmp(rw, "write") && strcmp(rw, "randread") &&
         strcmp(rw, "randwrite"))) {
        fprintf(stderr, "winpv-sim: io: --rw read|write|randread|randwrite is needed\n");
        return 2;
    }
    snprintf(request, sizeof(request), "run %s %s %lu %lu %lu\n", disk, rw, bs, qd, seconds);
    if (ask_guest(domid, request, answer, sizeof(answer)) != 0)
        return 1;
    if (sscanf(answer, "ok %llu %llu %llu %llu", &ios, &bytes, &ns, &cpu_ns) != 4 || ns == 0) {
        fprintf(stderr, "winpv-sim: the guest answered %s", answer);
        return 1;
    }
    s = (double)ns / 1e9;
    printf("%s, %lu bytes a request, %lu at once, %.1f s: %.0f IOPS, %.1f MB/s, guest processor "
           "%.2f us a request\n",
           rw, bs, qd, s, (double)ios / s, (double)bytes / s / 1e6,
           ios ? (double)cpu_ns / 1e3 / (double)ios : 0.0);
    return 0;
}

/* @text as a byte count, with a k, m or g suffix; false when it is not one. */
static bool bytes_of(const char *text, unsigned long long *value)
{
    char *end;
    unsigned int shift = 0;

    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    *value = strtoull(text, &end, 10);
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'm' || *end == 'M')
        shift = 20;
    else if (*end == 'g' || *end == 'G')
        shift = 30;
    if (errno || (shift && end[1] != '\0') || (!shift && *end != '\0') ||
        *value > (ULLONG_MAX >> shift))
        return false;
    *value <<= shift;
    return true;
}

static int trim(const char *domid, const char *disk, const char *offset_text,
                const char *length_text)
{
    unsigned long long offset, length, bytes;
    unsigned int commands;
    char request[128], answer[ANSWER_MAX];

    if (!bytes_of(offset_text, &offset) || !bytes_of(length_text, &length)) {
        fprintf(stderr, "winpv-sim: io: --trim %s %s: OFFSET and LENGTH are byte counts\n",
                offset_text, length_text);
        return 2;
    }
    snprintf(request, sizeof(request), "trim %s %llu %llu\n", disk, offset, length);
    if (ask_guest(domid, request, answer, sizeof(answer)) != 0)
        return 1;
    if (sscanf(answer, "ok %llu %u", &bytes, &commands) != 2) {
        fprintf(stderr, "winpv-sim: the guest answered %s", answer);
        return 1;
    }
    printf("%llu bytes from byte %llu of disk %s of domain %s unmapped (%u UNMAP command(s))\n",
           bytes, offset, disk, domid, commands);
    return 0;
}

int io_command(int argc, char **argv)
{
    const char *domid = argv[0], *disk = argv[1];

    if (argc < 3 || disk[0] < '0' || disk[0] > '9' || strspn(disk, "0123456789") != strlen(disk))
        return -1;
    if (argc == 3 && strcmp(argv[2], "--sha256") == 0)
        return sha256(domid, disk);
    if (argc == 4 && strcmp(argv[2], "--fill") == 0)
        return fill(domid, disk, argv[3]);
    if (argc == 5 && strcmp(argv[2], "--trim") == 0)
        return trim(domid, disk, argv[3], argv[4]);
    if (argc >= 4 && strncmp(argv[2], "--", 2) == 0)
        return workload(domid, disk, argc - 2, argv + 2);
    return -1;
}
