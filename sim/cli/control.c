/* sim/cli/control.c - the control socket of "winpv-sim up" (see run.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/errno.h>

#include "run.h"

#define CONTROL_NAME "control.sock"
#define LINE_MAX_LEN 128

static int control_address(const char *run_dir, struct sockaddr_un *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (run_dir == NULL || snprintf(addr->sun_path, sizeof(addr->sun_path), "%s/%s", run_dir,
                                    CONTROL_NAME) >= (int)sizeof(addr->sun_path))
        return -XEN_ENAMETOOLONG;
    return 0;
}

int control_listen(const char *run_dir)
{
    struct sockaddr_un addr;
    int fd;

    if (control_address(run_dir, &addr) != 0)
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 4) != 0)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Carry out one command line; the answer in @answer. */
static void handle(struct run *run, char *line, char *answer, size_t size)
{
    char *arg = strchr(line, ' ');
    unsigned int disk;
    int rc;

    if (arg)
        *arg++ = '\0';
    if (strcmp(line, "disk-add") == 0) {
        unsigned long mib = arg ? strtoul(arg, NULL, 10) : run->disk_mib;

        if (mib == 0 || mib > 65536) {
            snprintf(answer, size, "error: size must be 1..65536 MiB\n");
            return;
        }
        rc = run_disk_add(run, mib, &disk);
        if (rc == 0)
            snprintf(answer, size, "ok %s %s\n", run->disks[disk].name,
                     run->disks[disk].backend_path);
        else
            snprintf(answer, size, "error: adding a disk failed (%d)\n", rc);
    } else if (strcmp(line, "disk-remove") == 0 && arg) {
        rc = run_disk_remove(run, arg);
        if (rc == -XEN_ENOENT)
            snprintf(answer, size, "error: no disk %s\n", arg);
        else if (rc)
            snprintf(answer, size, "error: %s did not close; stopped all the same\n", arg);
        else
            snprintf(answer, size, "ok %s removed\n", arg);
    } else if (strcmp(line, "disk-resize") == 0 && arg && strchr(arg, ' ')) {
        char *mib_text = strchr(arg, ' ');
        unsigned long mib;

        *mib_text++ = '\0';
        mib = strtoul(mib_text, NULL, 10);
        if (mib == 0 || mib > 65536) {
            snprintf(answer, size, "error: size must be 1..65536 MiB\n");
            return;
        }
        rc = run_disk_resize(run, arg, mib);
        if (rc == -XEN_ENOENT)
            snprintf(answer, size, "error: no disk %s\n", arg);
        else if (rc)
            snprintf(answer, size, "error: resizing %s failed (%d)\n", arg, rc);
        else
            snprintf(answer, size, "ok %s now %lu MiB\n", arg, mib);
    } else if (strcmp(line, "restore") == 0 && arg) {
        uint32_t restored;

        rc = run_restore(run, arg, &restored);
        if (rc == 0)
            snprintf(answer, size, "ok domain %u\n", restored);
        else if (rc == -XEN_EINVAL)
            snprintf(answer, size,
                     "error: restore refused: %s is not an image of a guest "
                     "that suspended itself\n",
                     arg);
        else
            snprintf(answer, size, "error: restore failed (%d)\n", rc);
    } else {
        snprintf(answer, size, "error: unknown command\n");
    }
}

void control_serve(struct run *run, int listen_fd)
{
    char line[LINE_MAX_LEN + 1], answer[256];
    ssize_t n;
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0)
        return;
    n = read(fd, line, LINE_MAX_LEN);
    if (n > 0) {
        line[n] = '\0';
        line[strcspn(line, "\n")] = '\0';
        handle(run, line, answer, sizeof(answer));
        if (write(fd, answer, strlen(answer)) < 0)
            fprintf(stderr, "winpv-sim: answer lost: %s\n", strerror(errno));
    }
    close(fd);
}

int control_ask(const char *line, char *answer, size_t size)
{
    struct sockaddr_un addr;
    ssize_t n;
    int fd;

    answer[0] = '\0';
    if (control_address(getenv(SIM_RUN_DIR_ENV), &addr) != 0 ||
        (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        fprintf(stderr, "winpv-sim: no run to talk to: set %s\n", SIM_RUN_DIR_ENV);
        return 1;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
        fprintf(stderr, "winpv-sim: the run does not answer at %s\n", addr.sun_path);
        close(fd);
        return 1;
    }
    n = read(fd, answer, size - 1);
    close(fd);
    if (n <= 0) {
        fprintf(stderr, "winpv-sim: the run gave no answer at %s\n", addr.sun_path);
        return 1;
    }
    answer[n] = '\0';
    return strncmp(answer, "ok", 2) == 0 ? 0 : 1;
}

int control_request(const char *line)
{
    char answer[256];
    int rc = control_ask(line, answer, sizeof(answer));

    if (answer[0])
        fputs(answer, rc == 0 ? stdout : stderr);
    return rc;
}
