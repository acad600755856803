/*
 * bench/gnttab/gnttab_bench.c - grant cycles per second in a guest of
 * winpv-simd: each cycle allocates a reference, grants a page to dom0,
 * revokes the grant and frees the reference. One thread per processor,
 * each pinned to its own, shows whether the per-processor caches keep the
 * processors out of each other's way; one thread alone is the reference.
 *
 *   BENCH name=gnttab_cycle_single    cycles/s of one thread
 *   BENCH name=gnttab_cycle_per_core  cycles/s of each thread, all running
 *
 * Grants and revokes are memory writes; the table grows (a hypercall to
 * the daemon) only while the caches first fill.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "support/sim/sim_fixture.h"
#include "gnttab/gnttab.h"
#include "os.h"

#define WARM_UP_NS  (100ull * 1000 * 1000)
#define MEASURE_NS  (1000ull * 1000 * 1000)
#define MAX_THREADS 256

struct runner {
    pthread_t thread;
    unsigned int cpu;
    uint64_t cycles;
    uint64_t cpu_ns; /* processor time the thread had while measuring */
    int error;
} __attribute__((aligned(64))); /* the runners share no cache line */

static struct gnttab *gt;
static uint64_t gfn;
static volatile uint32_t phase; /* 0 warming up, 1 measuring, 2 stopped */

static int cycle(void)
{
    grant_ref_t ref;
    int rc = gnttab_alloc(gt, &ref);

    if (rc)
        return rc;
    rc = gnttab_grant(gt, ref, 0, gfn, false);
    if (rc == 0)
        rc = gnttab_revoke(gt, ref);
    gnttab_free(gt, ref);
    return rc;
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *runner_main(void *arg)
{
    struct runner *r = arg;
    uint64_t cycles = 0, cpu_ns;
    cpu_set_t set;
    int error = 0;

    CPU_ZERO(&set);
    CPU_SET(r->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    while (os_atomic_load32(&phase) == 0 && error == 0)
        error = cycle();
    cpu_ns = thread_cpu_ns();
    for (; os_atomic_load32(&phase) == 1 && error == 0; cycles++)
        error = cycle();
    r->cpu_ns = thread_cpu_ns() - cpu_ns;
    r->cycles = cycles;
    r->error = error;
    return NULL;
}

/* Cycles per second of each of @threads threads running together, or -1. */
static double measure(unsigned int threads)
{
    static struct runner runners[MAX_THREADS];
    uint64_t cycles = 0, cpu_ns = 0, start;
    int error = 0;

    os_atomic_store32(&phase, 0);
    for (unsigned int i = 0; i < threads; i++) {
        runners[i] = (struct runner){.cpu = i};
        if (pthread_create(&runners[i].thread, NULL, runner_main, &runners[i]) != 0)
            return -1;
    }
    start = os_time_ns();
    while (os_time_ns() - start < WARM_UP_NS)
        sched_yield();
    os_atomic_store32(&phase, 1);
    start = os_time_ns();
    while (os_time_ns() - start < MEASURE_NS)
        sched_yield();
    os_atomic_store32(&phase, 2);
    for (unsigned int i = 0; i < threads; i++) {
        pthread_join(runners[i].thread, NULL);
        cycles += runners[i].cycles;
        cpu_ns += runners[i].cpu_ns;
        error = error ? error : runners[i].error;
    }
    if (error) {
        fprintf(stderr, "gnttab-bench: a cycle failed: %d\n", error);
        return -1;
    }
    printf("# %u thread(s): %.0f cycles per second of processor time\n", threads,
           (double)cycles * 1e9 / (double)cpu_ns);
    return (double)cycles * 1e9 / (double)(os_time_ns() - start) / threads;
}

int main(void)
{
    unsigned int cpus = os_cpu_count() < MAX_THREADS ? os_cpu_count() : MAX_THREADS;
    double single, per_core;
    void *page;
    int rc = 1;

    if (sim_fixture_setup(NULL) != 0)
        return 1;
    page = os_pages_alloc(1, &gfn);
    if (page && gnttab_create(NULL, &gt) == 0) {
        single = measure(1);
        per_core = measure(cpus);
        if (single > 0 && per_core > 0) {
            printf("BENCH name=gnttab_cycle_single value=%.0f unit=ops/s\n", single);
            printf("BENCH name=gnttab_cycle_per_core value=%.0f unit=ops/s\n", per_core);
            printf("# %u threads; a cycle is alloc + grant + revoke + free\n", cpus);
            rc = 0;
        }
        gnttab_destroy(gt);
    }
    if (page)
        os_pages_free(page, 1);
    sim_fixture_teardown(NULL);
    return rc;
}
