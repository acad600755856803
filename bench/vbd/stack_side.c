/* bench/vbd/stack_side.c - see stack_side.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "stack_side.h"

/* Room for 32 requests of 1 MiB in the guest's nonpaged pool, beside the drivers. */
#define GUEST_PAGES    (256u * 256u)
#define GUEST_VCPUS    2
#define READY_TIMEOUT  30
#define ANSWER_MAX     256
#define FOUND_ONE_DISK "storport: scan of 16 target(s): 1 disk(s)\n"

/* Whether the kernel's log at @path has @text yet. */
static bool log_has(const char *path, const char *text)
{
    static char buf[1 << 16];
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL)
        return false;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, text) != NULL;
}

int stack_start(struct simd *simd, struct xenstore *xs, const char *image, struct stack_side *s)
{
    struct blkback_disk disk = {.image = image};
    struct guest_rings rings = {0};
    char program[512], packages[512], domid[16], vcpus[16];
    char *argv[] = {program,
                    "--run-dir",
                    simd->dir,
                    "--domid",
                    domid,
                    "--drivers",
                    packages,
                    "--vcpus",
                    vcpus,
                    "--log",
                    s->log,
                    "--sequence",
                    "start,serve,remove",
                    "--control",
                    s->socket,
                    NULL};
    time_t deadline;

    memset(s, 0, sizeof(*s));
    if (simd_domain_create(simd, GUEST_PAGES, GUEST_VCPUS, &s->domid) != 0 ||
        xenstore_introduce(simd, xs, s->domid, &rings) != 0) {
        fprintf(stderr, "vbd-bench: no domain for the Windows stack\n");
        return -1;
    }
    if (blkback_start(simd, xs, s->domid, 0, &disk, &s->blkback) != 0) {
        xenstore_release(xs, s->domid);
        simd_domain_destroy(simd, s->domid);
        return -1;
    }
    simd_path_near_program("winpv-ntsim", program, sizeof(program));
    simd_path_near_program("../../ntsim-disk-packages", packages, sizeof(packages));
    snprintf(domid, sizeof(domid), "%u", s->domid);
    snprintf(vcpus, sizeof(vcpus), "%u", GUEST_VCPUS);
    snprintf(s->log, sizeof(s->log), "%s/stack-guest-%u.log", simd->dir, s->domid);
    snprintf(s->socket, sizeof(s->socket), "%s/stack-guest-%u.sock", simd->dir, s->domid);
    if (component_start(simd, &s->guest, "stack-guest", argv, NULL) != 0) {
        stack_stop(simd, xs, s);
        return -1;
    }
    s->processes = (struct processes){.pid = {s->guest.pid, simd->pid, s->blkback.process.pid},
                                      .name = {"the guest", "winpv-simd", "backend"}};
    deadline = time(NULL) + READY_TIMEOUT;
    while (!log_has(s->log, FOUND_ONE_DISK) && time(NULL) < deadline)
        usleep(20000);
    if (!log_has(s->log, FOUND_ONE_DISK)) {
        fprintf(stderr, "vbd-bench: the Windows stack found no disk within %d s (see %s)\n",
                READY_TIMEOUT, s->log);
        stack_stop(simd, xs, s);
        return -1;
    }
    return 0;
}

/* Send @request to the guest; its answer in @answer, with samples taken just around it. */
static int ask(struct stack_side *s, const char *request, char *answer, size_t size,
               struct cpu_sample *a, struct cpu_sample *b)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    size_t got = 0;
    ssize_t n;

    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", s->socket);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    cpu_sample_take(&s->processes, a);
    if (write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
        close(fd);
        return -1;
    }
    while (got < size - 1 && (n = read(fd, answer + got, size - 1 - got)) > 0)
        got += (size_t)n;
    cpu_sample_take(&s->processes, b);
    close(fd);
    answer[got] = '\0';
    return got > 0 ? 0 : -1;
}

int stack_run(struct stack_side *s, const char *rw, uint32_t bs, unsigned int qd,
              unsigned int seconds, struct stack_result *r)
{
    unsigned long long ios, bytes, ns, cpu_ns;
    char request[128], answer[ANSWER_MAX];
    struct cpu_sample a, b;

    snprintf(request, sizeof(request), "run 0 %s %u %u %u\n", rw, bs, qd, seconds);
    if (ask(s, request, answer, sizeof(answer), &a, &b) != 0 ||
        sscanf(answer, "ok %llu %llu %llu %llu", &ios, &bytes, &ns, &cpu_ns) != 4 || ios == 0) {
        fprintf(stderr, "vbd-bench: the Windows stack's %s: %s", rw,
                answer[0] ? answer : "no answer\n");
        return -1;
    }
    r->iops = (double)ios / ((double)ns / 1e9);
    r->mb_per_s = (double)bytes / ((double)ns / 1e9) / 1e6;
    r->guest_us = (double)cpu_ns / (double)ios / 1000;
    printf("# the Windows stack, %s %u bytes, %u at once: %.0f requests/s, %.1f MB/s\n", rw, bs, qd,
           r->iops, r->mb_per_s);
    cpu_describe(&s->processes, &a, &b, (double)ios);
    return 0;
}

void stack_stop(struct simd *simd, struct xenstore *xs, struct stack_side *s)
{
    if (s->guest.state == COMPONENT_RUNNING && component_stop(&s->guest) != 0)
        fprintf(stderr, "vbd-bench: the Windows stack did not end cleanly (see %s)\n", s->log);
    blkback_unplug(xs, &s->blkback, 5000);
    xenstore_release(xs, s->domid);
    simd_domain_destroy(simd, s->domid);
}
