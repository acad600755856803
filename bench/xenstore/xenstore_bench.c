/*
 * bench/xenstore/xenstore_bench.c - XS_READ round trips per second against
 * one real C xenstored, two ways in the same run:
 *
 *   BENCH name=xenstore_read_rtt        our client, in a guest of winpv-simd,
 *                                       on the shared ring and event channel
 *                                       that XENBUS's services set up
 *   BENCH name=libxenstore_socket_read  dom0's libxenstore on the socket
 *
 * Both read the same node (a value dom0 wrote in the guest's home, which
 * the guest may read), one read at a time. Our round trip is the guest's
 * EVTCHNOP_send (a call to winpv-simd), xenstored woken on its event
 * stream, its reply and notify (another call to winpv-simd), the upcall
 * byte to this process's upcall thread, the event engine and the client's
 * wake-up of the reader. Beside the figures, each side's latency
 * distribution, upcalls per read, and the processor time per read of this
 * process, winpv-simd and xenstored show where the time goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/sim/sim_fixture.h"
#include "evtchn/evtchn.h"
#include "guest.h"
#include "os.h"
#include "socket_reader.h"
#include "store.h"
#include "xenbus/services.h"
#include "xenstore/client.h"

#define WARM_UP_NS  (200ull * 1000 * 1000)
#define MEASURE_NS  (1500ull * 1000 * 1000)
#define VALUE_LEN   64u /* bytes of the node read */
#define MAX_SAMPLES (1u << 21)
#define GUEST_VCPUS 2u /* as sim_fixture creates the domain */

/* The processes a round trip runs in. */
enum process { BENCH_PROCESS, SIMD_PROCESS, XENSTORED_PROCESS, PROCESSES };

static const char *const process_names[PROCESSES] = {"this process", "winpv-simd", "xenstored"};

struct figures {
    uint64_t reads;
    double reads_per_s;
    double p50_us, p99_us, max_us;
    double upcalls_per_read;
    double cpu_us_per_read[PROCESSES]; /* negative: not known */
};

static struct xenstore store;
static struct xenbus_services services;
static char node[64];
static uint32_t *samples;

/* What the upcall interrupt's deferred routine does on Windows. */
static void on_upcall(void *ctx, unsigned int vcpu)
{
    xenbus_services_upcall(ctx, vcpu);
}

static int guest_read(void)
{
    char *value;
    size_t len;
    int rc = xs_client_read(services.store.client, XS_TX_NONE, node, &value, &len);

    if (rc == 0) {
        rc = len == VALUE_LEN ? 0 : -1;
        os_free(value);
    }
    return rc;
}

static int socket_read(void)
{
    return socket_reader_read(node, VALUE_LEN);
}

/* Processor time each process has had, in ns; -1 where it cannot be read. */
static void cpu_times(int64_t ns[PROCESSES])
{
    pid_t pids[PROCESSES] = {0, fx.simd.pid, store.daemon.pid};

    for (int i = 0; i < PROCESSES; i++) {
        clockid_t clock = CLOCK_PROCESS_CPUTIME_ID;
        struct timespec ts;

        ns[i] = -1;
        if ((pids[i] == 0 || clock_getcpuclockid(pids[i], &clock) == 0) &&
            clock_gettime(clock, &ts) == 0)
            ns[i] = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    }
}

static int by_value(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static double percentile_us(uint64_t count, double fraction)
{
    return samples[(uint64_t)((double)(count - 1) * fraction)] / 1000.0;
}

/* Read with @read_once for MEASURE_NS after WARM_UP_NS; returns 0 or -1. */
static int measure(int (*read_once)(void), struct figures *f)
{
    uint64_t start, now, upcalls, kept;
    int64_t cpu_before[PROCESSES], cpu_after[PROCESSES];

    *f = (struct figures){0};
    for (start = os_time_ns(); os_time_ns() - start < WARM_UP_NS;)
        if (read_once() != 0)
            return -1;
    upcalls = sim_guest_upcalls();
    cpu_times(cpu_before);
    start = now = os_time_ns();
    while (now - start < MEASURE_NS) {
        uint64_t before = now;

        if (read_once() != 0)
            return -1;
        now = os_time_ns();
        if (f->reads < MAX_SAMPLES)
            samples[f->reads] = now - before > UINT32_MAX ? UINT32_MAX : (uint32_t)(now - before);
        f->reads++;
    }
    cpu_times(cpu_after);
    f->reads_per_s = (double)f->reads * 1e9 / (double)(now - start);
    f->upcalls_per_read = (double)(sim_guest_upcalls() - upcalls) / (double)f->reads;
    for (int i = 0; i < PROCESSES; i++)
        f->cpu_us_per_read[i] = cpu_before[i] < 0 || cpu_after[i] < 0
                                    ? -1
                                    : (double)(cpu_after[i] - cpu_before[i]) / 1e3 / f->reads;
    kept = f->reads < MAX_SAMPLES ? f->reads : MAX_SAMPLES;
    qsort(samples, kept, sizeof(*samples), by_value);
    f->p50_us = percentile_us(kept, 0.5);
    f->p99_us = percentile_us(kept, 0.99);
    f->max_us = percentile_us(kept, 1.0);
    return 0;
}

static void report(const char *label, const struct figures *f)
{
    printf("# %s: %llu reads in %.1f s, %.0f reads/s, %.1f us a read (p50 %.1f, p99 %.1f, "
           "max %.1f us), %.2f upcalls a read\n",
           label, (unsigned long long)f->reads, (double)MEASURE_NS / 1e9, f->reads_per_s,
           1e6 / f->reads_per_s, f->p50_us, f->p99_us, f->max_us, f->upcalls_per_read);
    printf("#   processor time a read:");
    for (int i = 0; i < PROCESSES; i++) {
        printf("%s %s ", i ? "," : "", process_names[i]);
        if (f->cpu_us_per_read[i] < 0)
            printf("?");
        else
            printf("%.1f us", f->cpu_us_per_read[i]);
    }
    printf("\n");
}

/* Our client's events as the engine and the client counted them, warm-up included. */
static void report_guest_counters(void)
{
    struct evtchn_stats ev;
    struct xs_client_stats xs;

    evtchn_get_stats(services.evtchn, &ev);
    xs_client_get_stats(services.store.client, &xs);
    printf("#   event engine: %llu upcalls served, %llu spurious, %llu deferred; "
           "client: %llu requests, %llu replies, %llu timeouts\n",
           (unsigned long long)ev.upcalls, (unsigned long long)ev.spurious,
           (unsigned long long)ev.deferred, (unsigned long long)xs.requests,
           (unsigned long long)xs.replies, (unsigned long long)xs.timeouts);
}

static int run(void)
{
    char value[VALUE_LEN];
    struct figures ours, base;

    for (unsigned int i = 0; i < VALUE_LEN; i++)
        value[i] = (char)('a' + i % 26);
    snprintf(node, sizeof(node), "/local/domain/%u/bench", fx.domid);
    if (!socket_reader_publish(node, value, VALUE_LEN, fx.domid))
        return -1;
    if (measure(guest_read, &ours) != 0) {
        fprintf(stderr, "xenstore-bench: a read through our client failed\n");
        return -1;
    }
    report("ours (xs_client_read in the guest)", &ours);
    report_guest_counters();
    if (measure(socket_read, &base) != 0) {
        fprintf(stderr, "xenstore-bench: a read through libxenstore failed\n");
        return -1;
    }
    report("baseline (libxenstore xs_read on the socket)", &base);
    printf("# node %s, %u bytes; one read at a time\n", node, VALUE_LEN);
    printf("BENCH name=xenstore_read_rtt value=%.0f unit=reads/s baseline=libxenstore_socket_read "
           "ratio=%.3f\n",
           ours.reads_per_s, ours.reads_per_s / base.reads_per_s);
    printf("BENCH name=libxenstore_socket_read value=%.0f unit=reads/s\n", base.reads_per_s);
    return 0;
}

/* The guest's services started as XENBUS starts them, the figures taken, all stopped. */
static int run_in_guest(void)
{
    int rc;

    /* The upcall interrupt is connected before the services start. */
    sim_guest_set_upcall(on_upcall, &services);
    rc = xenbus_services_start(&services, GUEST_VCPUS);
    if (rc == 0) {
        rc = socket_reader_open() ? run() : -1;
        socket_reader_close();
    }
    /* Upcalls stop first: the interrupt disconnected, its DPC flushed. */
    sim_guest_set_upcall(NULL, NULL);
    if (services.evtchn)
        xenbus_services_stop(&services);
    return rc;
}

int main(void)
{
    struct guest_rings rings;
    int rc = -1;

    samples = malloc(MAX_SAMPLES * sizeof(*samples));
    if (samples == NULL || sim_fixture_setup(NULL) != 0)
        return 1;
    if (xenstore_start(&fx.simd, &store, XENSTORED_C) == 0 &&
        xenstore_introduce(&fx.simd, &store, fx.domid, &rings) == 0)
        rc = run_in_guest();
    if (rc)
        fprintf(stderr, "xenstore-bench: failed (%d); run directory %s\n", rc, fx.simd.dir);
    xenstore_stop(&store);
    sim_fixture_teardown(NULL);
    free(samples);
    return rc ? 1 : 0;
}
