/*
 * bench/vbd/vbd_bench.c - the disk path through the blkif frontend
 * (core/vbd/front), in a guest of winpv-simd running XENBUS's services,
 * against winpv-blkback and against QEMU's xen-disk, each beside fio run
 * directly on the same image file in the same run:
 *
 *   BENCH name=fio_randread_4k_qd32            fio: 4 KiB random reads, 32 in flight
 *   BENCH name=fio_seqread_1m_qd32             fio: 1 MiB sequential reads
 *   BENCH name=fio_seqwrite_1m_qd32            fio: 1 MiB sequential writes
 *   BENCH name=vbd_<backend>_<the same>        through the frontend, ratio to fio's
 *   BENCH name=vbd_<backend>_notify_per_request  event notifications (upcalls to
 *                                              the guest and the guest's kicks of
 *                                              the backend) a 4 KiB random read
 *   BENCH name=two_copies_<seq...>             the 1 MiB workloads with the two
 *                                              copies persistent grants make, but
 *                                              no Xen (two_copies.h), ratio to fio's
 *   BENCH name=vbd_<backend>_<seq...>_of_two_copies  through the frontend, ratio to
 *                                              the two copies': what the protocol
 *                                              and our code cost beyond the copies
 *                                              (backends with persistent grants)
 *   BENCH name=stack_blkback_<the same>        through the whole Windows stack (the
 *                                              simulated disk class and Storport,
 *                                              the shipped xenbus.sys and
 *                                              xenvbd.sys, stack_side.h) on
 *                                              winpv-blkback, ratio to the frontend's
 *   BENCH name=<vbd|stack>_blkback_<...>_guest_cpu  the guest's processor time a
 *                                              request in each side's best round
 *
 * The Windows stack runs in a second domain with its own winpv-blkback on
 * the same image, taking its turn after fio and the frontend in each
 * round; its disk class keeps 32 SRBs with the miniport.
 *
 * The guest side keeps 32 vbd_front requests in flight on one queue (fio
 * runs one job), each submitted again from its completion (the event
 * callback, at dispatch level) until the measurement ends; the figures are
 * completions a second and 10^6 bytes a second. Each workload runs ROUNDS
 * times on each side, fio and the frontend taking turns, and each figure is
 * the best of its side's rounds: on a shared machine the slowest rounds
 * measure the neighbours, and the turns give both sides the same chances.
 *
 * Page cache: both backends open the image buffered (winpv-blkback without
 * O_DIRECT, QEMU's default cache=writeback), so fio runs buffered too
 * (direct=0, invalidate=0), and the image is written whole before anything
 * is measured: every side reads a file already in the page cache and
 * writes into it, and none measures the device under the filesystem.
 *
 * Beside the figures, '#' lines give what was negotiated, ring requests,
 * copies and waits a request, and the processor time a request of this
 * process, winpv-simd and the backend: where the time goes; which of them
 * was saturated, its serving thread never waiting (then it, not the side
 * under test, set the figure); and how far each side's worst round fell
 * below its best (a wide spread: a noisy machine, the figures uncertain).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/blkif.h>

#include "support/sim/sim_fixture.h"
#include "support/vbd/front_fixture.h"
#include "blkback.h"
#include "fio_baseline.h"
#include "guest.h"
#include "os.h"
#include "os_posix.h"
#include "processes.h"
#include "qemu.h"
#include "stack_side.h"
#include "two_copies.h"

#define IMAGE_BYTES (256ull << 20)
#define DEPTH       32u
#define BIG_BLOCK   (1u << 20)
#define WARM_UP_MS  500u
#define MEASURE_S   2u
#define DRAIN_NS    (20ull * 1000 * 1000 * 1000)
#define ROUNDS      3u

struct workload {
    const char *name; /* randread_4k_qd32, ... */
    const char *fio_rw;
    enum vbd_scsi_op op;
    uint32_t block;
    bool random;
    bool throughput; /* the figure is MB/s, else IOPS */
};

static const struct workload workloads[] = {
    {"randread_4k_qd32", "randread", VBD_SCSI_OP_READ, 4096, true, false},
    {"seqread_1m_qd32", "read", VBD_SCSI_OP_READ, BIG_BLOCK, false, true},
    {"seqwrite_1m_qd32", "write", VBD_SCSI_OP_WRITE, BIG_BLOCK, false, true},
};
#define WORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

/*
 * One queue, as fio runs one job: the requests come from one thread here,
 * and more queues would only split the same stream (each with its own
 * events). Everything else is the frontend's default.
 */
static const struct vbd_front_options one_queue = {.max_queues = 1};

/* One request kept in flight. */
struct slot {
    struct vbd_front_request req;
    uint64_t rng;
    unsigned int queue;
};

static struct vbd_front *front;
static const struct workload *load;
static struct slot slots[DEPTH];
static struct test_buffer buffer; /* shared by all slots: only the transfer is measured */
static volatile uint32_t running, inflight, failures;
static volatile uint64_t completed, next_block;

/* -- counting the event channel's notify: the guest's kicks of the backend -- */

static struct winpv_evtchn_interface_v1 counting_evtchn;
static const struct winpv_evtchn_interface_v1 *real_evtchn;
static volatile uint64_t kicks;

static int count_notify(void *context, struct winpv_evtchn_channel *channel)
{
    os_atomic_add64(&kicks, 1);
    return real_evtchn->notify(context, channel);
}

static void count_kicks(void)
{
    real_evtchn = svc.evtchn;
    counting_evtchn = *real_evtchn;
    counting_evtchn.notify = count_notify;
    svc.evtchn = &counting_evtchn;
}

/* -- the requests ------------------------------------------------------------ */

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Point @s at its next block. */
static void aim(struct slot *s)
{
    uint64_t blocks = IMAGE_BYTES / load->block;
    uint64_t block =
        load->random ? xorshift(&s->rng) % blocks : (os_atomic_add64(&next_block, 1) - 1) % blocks;

    s->req.io.op = load->op;
    s->req.io.sector = block * (load->block / 512);
    s->req.io.sectors = load->block / 512;
}

static void done(void *ctx, struct vbd_front_request *req, int16_t status);

static void start(struct slot *s)
{
    aim(s);
    s->req.done = done;
    s->req.ctx = s;
    if (vbd_front_submit(front, s->queue, &s->req) != 0) {
        os_atomic_add32(&failures, 1);
        os_atomic_sub32(&inflight, 1);
    }
}

/* In the event callback: count, and go again while measuring. */
static void done(void *ctx, struct vbd_front_request *req, int16_t status)
{
    (void)req;
    if (status != BLKIF_RSP_OKAY)
        os_atomic_add32(&failures, 1);
    os_atomic_add64(&completed, 1);
    if (status == BLKIF_RSP_OKAY && os_atomic_load32(&running))
        start(ctx);
    else
        os_atomic_sub32(&inflight, 1);
}

/* -- where the time goes ------------------------------------------------------ */

struct sample {
    struct cpu_sample cpu;
    uint64_t completed, upcalls, kicks;
    struct vbd_front_stats stats;
};

static void take_sample(const struct processes *p, struct sample *s)
{
    s->completed = os_atomic_add64(&completed, 0);
    s->upcalls = sim_guest_upcalls();
    s->kicks = os_atomic_add64(&kicks, 0);
    vbd_front_get_stats(front, &s->stats);
    cpu_sample_take(p, &s->cpu);
}

static void sleep_ms(uint32_t ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The figures of one workload through the frontend. */
struct run_result {
    double iops, mb_per_s, events_per_request, guest_us; /* guest_us: processor time a request */
};

static void describe(const struct processes *p, const struct sample *a, const struct sample *b,
                     double n)
{
    printf("#   a request: %.3f upcalls, %.3f kicks, %.3f ring requests (%.3f indirect, "
           "%.3f copied), %.4f waits for a ring slot\n",
           (double)(b->upcalls - a->upcalls) / n, (double)(b->kicks - a->kicks) / n,
           (double)(b->stats.ring_requests - a->stats.ring_requests) / n,
           (double)(b->stats.indirect_requests - a->stats.indirect_requests) / n,
           (double)(b->stats.copied_requests - a->stats.copied_requests) / n,
           (double)(b->stats.waits - a->stats.waits) / n);
    cpu_describe(p, &a->cpu, &b->cpu, n);
}

/* 32 requests in flight: warm up, measure, stop and wait for all to end. */
static int run(const struct workload *w, pid_t backend, struct run_result *r)
{
    const struct processes p = {.pid = {0, fx.simd.pid, backend},
                                .name = {"this process (the guest)", "winpv-simd", "backend"}};
    struct sample a, b;
    uint64_t until;
    double n, seconds;

    load = w;
    os_atomic_store32(&running, 1);
    os_atomic_store32(&failures, 0);
    os_atomic_store32(&inflight, DEPTH);
    for (uint32_t i = 0; i < DEPTH; i++) {
        struct slot *s = &slots[i];
        bool big = w->block == BIG_BLOCK;

        s->rng = 0x9e3779b97f4a7c15ull * (i + 1);
        s->queue = i;
        s->req = (struct vbd_front_request){
            .buffer = big ? buffer.data : buffer.data + (size_t)i * 4096,
            .sg = big ? buffer.sg : &buffer.sg[i],
            .nr_sg = big ? buffer.nr_sg : 1,
        };
        /* As Storport's StartIo, at dispatch level. */
        os_posix_dispatch_enter();
        start(s);
        os_posix_dispatch_leave();
    }
    sleep_ms(WARM_UP_MS);
    take_sample(&p, &a);
    sleep_ms(MEASURE_S * 1000);
    take_sample(&p, &b);
    os_atomic_store32(&running, 0);
    until = os_time_ns() + DRAIN_NS;
    while (os_atomic_load32(&inflight) != 0 && os_time_ns() < until)
        sleep_ms(1);
    if (os_atomic_load32(&inflight) != 0 || os_atomic_load32(&failures) != 0) {
        fprintf(stderr, "vbd-bench: %s: %u requests failed, %u never ended\n", w->name,
                os_atomic_load32(&failures), os_atomic_load32(&inflight));
        return -1;
    }
    n = (double)(b.completed - a.completed);
    seconds = (double)(b.cpu.ns - a.cpu.ns) / 1e9;
    r->iops = n / seconds;
    r->mb_per_s = n * w->block / seconds / 1e6;
    r->events_per_request = (double)(b.upcalls - a.upcalls + b.kicks - a.kicks) / n;
    r->guest_us = (double)(b.cpu.cpu_ns[GUEST_PROCESS] - a.cpu.cpu_ns[GUEST_PROCESS]) / n / 1000;
    printf("# %s: %.0f requests/s, %.1f MB/s\n", w->name, r->iops, r->mb_per_s);
    describe(&p, &a, &b, n);
    return 0;
}

/* The two copies of workload @w alone (two_copies.h), measured as run() measures. */
static int run_two_copies(const struct workload *w, double *mb_per_s)
{
    struct two_copies *t =
        two_copies_start(image_path, w->op == VBD_SCSI_OP_WRITE, w->block, DEPTH);
    uint64_t bytes0, ns0, bytes1, ns1;

    if (t == NULL)
        return -1;
    sleep_ms(WARM_UP_MS);
    bytes0 = two_copies_bytes(t);
    ns0 = os_time_ns();
    sleep_ms(MEASURE_S * 1000);
    bytes1 = two_copies_bytes(t);
    ns1 = os_time_ns();
    if (two_copies_stop(t) != 0)
        return -1;
    *mb_per_s = (double)(bytes1 - bytes0) / ((double)(ns1 - ns0) / 1e9) / 1e6;
    return 0;
}

/* -- the backends ---------------------------------------------------------------- */

static struct blkback blkback;
static struct qemu qemu;

static pid_t start_blkback(void)
{
    struct blkback_disk disk = {.image = image_path};

    return blkback_start(&fx.simd, &store, fx.domid, 0, &disk, &blkback) == 0 ? blkback.process.pid
                                                                              : -1;
}

static void stop_blkback(void)
{
    blkback_unplug(&store, &blkback, 5000);
}

static pid_t start_qemu(void)
{
    return qemu_start(&fx.simd, &store, fx.domid, 0, image_path, &qemu) == 0 ? qemu.process.pid
                                                                             : -1;
}

static void stop_qemu(void)
{
    qemu_unplug(&store, &qemu, 5000);
}

struct backend {
    const char *name;
    pid_t (*start)(void);
    void (*stop)(void);
};

static const struct backend backends[] = {
    {"blkback", start_blkback, stop_blkback},
    {"qemu", start_qemu, stop_qemu},
};

#define BACKENDS (sizeof(backends) / sizeof(backends[0]))

/* The best of the rounds of each side, for each workload. */
static double fio_best[WORKLOADS];
static double ours_best[BACKENDS][WORKLOADS];
static double notify_best[BACKENDS];              /* of the best random-read round */
static double two_copies_best[WORKLOADS];         /* throughput workloads only */
static bool persistent[BACKENDS];                 /* negotiated: the two copies apply */
static double ours_guest_us[BACKENDS][WORKLOADS]; /* of each side's best round */

/* The whole Windows stack, beside the frontend on winpv-blkback (backend 0). */
static struct stack_side stack;
static bool stack_up;
static double stack_best[WORKLOADS], stack_guest_us[WORKLOADS];

static double figure(const struct workload *w, double iops, double mb_per_s)
{
    return w->throughput ? mb_per_s : iops;
}

/* The best of @n rounds' figures, and how far the worst fell below it. */
static void describe_spread(const char *side, const double *v, unsigned int n)
{
    double best = v[0], worst = v[0];

    for (unsigned int i = 1; i < n; i++) {
        best = v[i] > best ? v[i] : best;
        worst = v[i] < worst ? v[i] : worst;
    }
    printf("#   %s over %u rounds: best %.1f, worst %.1f (%.0f%% below the best)\n", side, n, best,
           worst, best > 0 ? (best - worst) / best * 100 : 0);
}

/* fio, then the same through the frontend, ROUNDS times; the best of each kept. */
static int rounds(size_t b, size_t i, pid_t pid)
{
    const struct workload *w = &workloads[i];
    double fio_figures[ROUNDS], our_figures[ROUNDS], copy_figures[ROUNDS], stack_figures[ROUNDS];
    bool copies_run = w->throughput && b == 0, stack_run_too = stack_up && b == 0;

    for (unsigned int round = 0; round < ROUNDS; round++) {
        struct fio_result f;
        struct run_result r;
        double native, ours;

        if (fio_run(image_path, w->fio_rw, w->block, DEPTH, false, WARM_UP_MS, MEASURE_S, &f) ||
            run(w, pid, &r) != 0)
            return -1;
        native = figure(w, f.iops, f.mb_per_s);
        ours = figure(w, r.iops, r.mb_per_s);
        printf("#   round %u: fio %.1f, through the frontend %.1f\n", round + 1, native, ours);
        fio_figures[round] = native;
        our_figures[round] = ours;
        /* Once, beside the first backend: it does not depend on one. */
        if (copies_run) {
            double copies;

            if (run_two_copies(w, &copies) != 0)
                return -1;
            printf("#   round %u: two copies %.1f\n", round + 1, copies);
            copy_figures[round] = copies;
            if (copies > two_copies_best[i])
                two_copies_best[i] = copies;
        }
        if (native > fio_best[i])
            fio_best[i] = native;
        if (ours > ours_best[b][i]) {
            ours_best[b][i] = ours;
            ours_guest_us[b][i] = r.guest_us;
            if (i == 0)
                notify_best[b] = r.events_per_request;
        }
        if (stack_run_too) {
            struct stack_result sr;

            if (stack_run(&stack, w->fio_rw, w->block, DEPTH, MEASURE_S, &sr) != 0)
                return -1;
            stack_figures[round] = figure(w, sr.iops, sr.mb_per_s);
            printf("#   round %u: through the Windows stack %.1f\n", round + 1,
                   stack_figures[round]);
            if (stack_figures[round] > stack_best[i]) {
                stack_best[i] = stack_figures[round];
                stack_guest_us[i] = sr.guest_us;
            }
        }
    }
    describe_spread("fio", fio_figures, ROUNDS);
    describe_spread("through the frontend", our_figures, ROUNDS);
    if (copies_run)
        describe_spread("two copies", copy_figures, ROUNDS);
    if (stack_run_too)
        describe_spread("through the Windows stack", stack_figures, ROUNDS);
    return 0;
}

/* Every workload through the frontend on backend @b, beside fio; 0 or -1. */
static int bench_backend(size_t b)
{
    const struct backend *be = &backends[b];
    struct vbd_front_info info;
    pid_t pid = be->start();
    int rc = 0;

    if (pid < 0)
        return -1;
    if (vbd_front_open(&svc, VDEV_ID, &one_queue, &front) != 0) {
        fprintf(stderr, "vbd-bench: the frontend did not connect to %s\n", be->name);
        be->stop();
        return -1;
    }
    vbd_front_get_info(front, &info);
    persistent[b] = info.persistent;
    printf("# %s: %u queues, %u slots a ring, %u segments a ring request%s, %s grants, "
           "%u pool pages a queue\n",
           be->name, info.queues, info.ring_slots, info.max_segments,
           info.indirect ? " (indirect)" : "", info.persistent ? "persistent" : "per-request",
           info.copy_pages);
    /* Beside winpv-blkback, the whole Windows stack on a backend of its own, same image. */
    stack_up = b == 0 && stack_start(&fx.simd, &store, image_path, &stack) == 0;
    if (b == 0 && !stack_up)
        rc = -1;
    for (size_t i = 0; i < WORKLOADS && rc == 0; i++)
        rc = rounds(b, i, pid);
    if (stack_up)
        stack_stop(&fx.simd, &store, &stack);
    stack_up = false;
    vbd_front_close(front);
    front = NULL;
    be->stop();
    return rc;
}

static void print_figures(void)
{
    for (size_t i = 0; i < WORKLOADS; i++) {
        const struct workload *w = &workloads[i];

        printf("BENCH name=fio_%s value=%.*f unit=%s\n", w->name, w->throughput ? 1 : 0,
               fio_best[i], w->throughput ? "MB/s" : "iops");
    }
    for (size_t i = 0; i < WORKLOADS; i++)
        if (workloads[i].throughput)
            printf("BENCH name=two_copies_%s value=%.1f unit=MB/s baseline=fio_%s ratio=%.3f\n",
                   workloads[i].name, two_copies_best[i], workloads[i].name,
                   two_copies_best[i] / fio_best[i]);
    for (size_t b = 0; b < BACKENDS; b++) {
        for (size_t i = 0; i < WORKLOADS; i++) {
            const struct workload *w = &workloads[i];

            printf("BENCH name=vbd_%s_%s value=%.*f unit=%s baseline=fio_%s ratio=%.3f\n",
                   backends[b].name, w->name, w->throughput ? 1 : 0, ours_best[b][i],
                   w->throughput ? "MB/s" : "iops", w->name, ours_best[b][i] / fio_best[i]);
            if (w->throughput && persistent[b])
                printf("BENCH name=vbd_%s_%s_of_two_copies value=%.1f unit=MB/s "
                       "baseline=two_copies_%s ratio=%.3f\n",
                       backends[b].name, w->name, ours_best[b][i], w->name,
                       ours_best[b][i] / two_copies_best[i]);
        }
        printf("BENCH name=vbd_%s_notify_per_request value=%.3f unit=events/request\n",
               backends[b].name, notify_best[b]);
    }
    for (size_t i = 0; i < WORKLOADS; i++) {
        const struct workload *w = &workloads[i];

        printf("BENCH name=stack_blkback_%s value=%.*f unit=%s baseline=vbd_blkback_%s "
               "ratio=%.3f\n",
               w->name, w->throughput ? 1 : 0, stack_best[i], w->throughput ? "MB/s" : "iops",
               w->name, stack_best[i] / ours_best[0][i]);
        printf("BENCH name=vbd_blkback_%s_guest_cpu value=%.2f unit=us/request\n", w->name,
               ours_guest_us[0][i]);
        printf("BENCH name=stack_blkback_%s_guest_cpu value=%.2f unit=us/request "
               "baseline=vbd_blkback_%s_guest_cpu ratio=%.3f\n",
               w->name, stack_guest_us[i], w->name, stack_guest_us[i] / ours_guest_us[0][i]);
    }
}

/* The image written whole, so that every side finds it in the page cache. */
static int fill_image(void)
{
    static uint8_t chunk[1 << 20];

    memset(chunk, 0x5a, sizeof(chunk));
    reset_image(IMAGE_BYTES);
    for (uint64_t at = 0; at < IMAGE_BYTES; at += sizeof(chunk))
        if (pwrite(image_fd, chunk, sizeof(chunk), (off_t)at) != (ssize_t)sizeof(chunk))
            return -1;
    return fdatasync(image_fd);
}

int main(void)
{
    int rc = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (front_fixture_setup(NULL) != 0)
        return 1;
    count_kicks();
    if (fill_image() != 0) {
        fprintf(stderr, "vbd-bench: cannot write %s\n", image_path);
        rc = 1;
        goto out;
    }
    printf("# image %s, %llu MiB, buffered and cached on every side\n", image_path,
           (unsigned long long)(IMAGE_BYTES >> 20));
    buffer_alloc(&buffer, BIG_BLOCK, 0);
    for (size_t b = 0; b < BACKENDS && rc == 0; b++)
        if (bench_backend(b) != 0)
            rc = 1;
    buffer_free(&buffer);
    if (rc == 0)
        print_figures();
out:
    if (front_fixture_teardown(NULL) != 0)
        rc = 1;
    return rc;
}
