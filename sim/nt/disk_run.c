/*
 * sim/nt/disk_run.c - a workload through the disk class (disk_class_run):
 * its queue depth spread over kernel threads, one per processor of the
 * guest (and at most one per request), as programs on several processors
 * make their I/O; with a miniport that takes concurrent channels, Storport
 * then calls HwStartIo on those processors at once. Each thread keeps its
 * share of the requests with the miniport and starts each again as it
 * comes back, until the time is up. A sequential workload takes its places
 * in turn from one cursor the threads share; a random one from a seed of
 * each thread's. Those still out when the time is up are not counted.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "disk_requests.h"
#include "kernel.h"
#include "scsi/bytes.h"

#define ANSWER_MAX 160

/* One thread's share of a workload. */
struct job {
    struct disk_use *d;
    const struct disk_workload *w;
    unsigned int vcpu;
    unsigned int first, qd; /* its requests: numbers first .. first + qd - 1 of the workload */
    uint64_t end;           /* CLOCK_MONOTONIC: when no more are started */
    uint64_t *cursor;       /* the next place of a sequential workload, shared */
    uint64_t seed;
    uint64_t ios;
    bool failed;
    char answer[ANSWER_MAX];
    pthread_t thread;
    bool threaded; /* thread runs it */
};

/* The first block of @j's next request of @count blocks. */
static uint64_t place(struct job *j, uint32_t count)
{
    uint64_t slots = j->d->blocks / count;

    if (j->w->random)
        return disk_random_lba(j->d->blocks, count, &j->seed);
    return __atomic_fetch_add(j->cursor, 1, __ATOMIC_RELAXED) % slots * count;
}

static void start(struct job *j, struct storport_request *r, uint32_t count)
{
    uint8_t cdb[16];

    disk_cdb_rw(cdb, j->w->write, place(j, count), count);
    storport_request_start(r, j->d->target, cdb, 16, j->w->write ? SRB_DIR_OUT : SRB_DIR_IN,
                           j->w->bs);
}

static void run_job(struct job *j)
{
    struct disk_request_set set = {0};
    uint32_t count = j->w->bs / j->d->block_size;
    char why[96];

    if (disk_request_set_new(j->d, &set, j->qd, j->w->bs, j->answer, sizeof(j->answer)) != 0) {
        j->failed = true;
        return;
    }
    for (unsigned int i = 0; i < j->qd; i++) {
        for (uint32_t b = 0; b < j->w->bs; b += 8) /* what a write leaves: its request's number */
            scsi_put64(set.r[i].data + b, (uint64_t)(j->first + i) << 32 | b);
        start(j, &set.r[i], count);
    }
    for (;;) {
        unsigned int i = storport_request_wait(set.ptrs, j->qd);

        if (disk_request_restarted(j->d, &set.r[i]))
            continue;
        if (!disk_request_done(j->d, &set.r[i], why, sizeof(why))) {
            snprintf(j->answer, sizeof(j->answer), "disk %u: %s at block %llu failed (%s)",
                     j->d->number, j->w->write ? "WRITE" : "READ",
                     (unsigned long long)scsi_get64(set.r[i].spec.cdb + 2), why);
            j->failed = true;
            break;
        }
        j->ios++;
        if (disk_now_ns(CLOCK_MONOTONIC) >= j->end)
            break;
        start(j, &set.r[i], count);
    }
    disk_request_set_free(&set);
}

static void *job_thread(void *arg)
{
    struct job *j = arg;
    struct nt_thread thread;

    if (nt_thread_enter(&thread, "disk-run", j->vcpu) != 0) {
        snprintf(j->answer, sizeof(j->answer), "no kernel thread for processor %u", j->vcpu);
        j->failed = true;
        return NULL;
    }
    run_job(j);
    nt_thread_exit(&thread);
    return NULL;
}

int disk_class_run(unsigned int disk, const struct disk_workload *w, char *answer, size_t size)
{
    struct job jobs[NT_MAX_VCPUS];
    unsigned int n, given = 0;
    uint64_t cursor = 0, ios = 0, start_ns, cpu_ns;
    struct disk_use d;
    int rc = 0;

    if (disk_open(disk, &d, answer, size) != 0)
        return -1;
    if (disk_workload_checked(&d, w, answer, size) != 0) {
        disk_close(&d);
        return -1;
    }
    n = nt_vcpu_count() < w->qd ? nt_vcpu_count() : w->qd;
    n = n > NT_MAX_VCPUS ? NT_MAX_VCPUS : n;
    start_ns = disk_now_ns(CLOCK_MONOTONIC);
    cpu_ns = disk_now_ns(CLOCK_PROCESS_CPUTIME_ID);
    for (unsigned int i = 0; i < n; i++) {
        unsigned int qd = w->qd / n + (i < w->qd % n);

        jobs[i] = (struct job){.d = &d,
                               .w = w,
                               .vcpu = i,
                               .first = given,
                               .qd = qd,
                               .end = start_ns + w->seconds * 1000000000ull,
                               .cursor = &cursor,
                               .seed = 0x9e3779b97f4a7c15ull * (i + 1)};
        given += qd;
    }
    /* This thread is the first job; the others each get a thread of their own. */
    for (unsigned int i = 1; i < n; i++) {
        jobs[i].threaded = pthread_create(&jobs[i].thread, NULL, job_thread, &jobs[i]) == 0;
        if (!jobs[i].threaded) {
            snprintf(jobs[i].answer, sizeof(jobs[i].answer), "no thread for a share");
            jobs[i].failed = true;
        }
    }
    run_job(&jobs[0]);
    for (unsigned int i = 1; i < n; i++)
        if (jobs[i].threaded)
            pthread_join(jobs[i].thread, NULL);
    for (unsigned int i = 0; i < n; i++) {
        ios += jobs[i].ios;
        if (jobs[i].failed && rc == 0) {
            snprintf(answer, size, "%s", jobs[i].answer);
            rc = -1;
        }
    }
    if (rc == 0)
        snprintf(answer, size, "ok %llu %llu %llu %llu", (unsigned long long)ios,
                 (unsigned long long)(ios * w->bs),
                 (unsigned long long)(disk_now_ns(CLOCK_MONOTONIC) - start_ns),
                 (unsigned long long)(disk_now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_ns));
    disk_close(&d);
    return rc;
}
