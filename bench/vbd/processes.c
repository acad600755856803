/* bench/vbd/processes.c - see processes.h. */
#include <stdio.h>
#include <time.h>

#include "os.h"
#include "processes.h"

/* The machine's processor time so far: busy (not idle nor waiting for I/O) and in all. */
static void read_machine_time(uint64_t *busy, uint64_t *all)
{
    unsigned long long t[8] = {0};
    FILE *f = fopen("/proc/stat", "r");

    *busy = *all = 0;
    if (f == NULL)
        return;
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &t[0], &t[1], &t[2], &t[3], &t[4],
               &t[5], &t[6], &t[7]) == 8) {
        for (int i = 0; i < 8; i++)
            *all += t[i];
        *busy = *all - t[3] - t[4]; /* less idle and iowait */
    }
    fclose(f);
}

void cpu_sample_take(const struct processes *p, struct cpu_sample *s)
{
    s->ns = os_time_ns();
    read_machine_time(&s->machine_busy, &s->machine_all);
    for (int i = 0; i < PROCESSES; i++) {
        clockid_t clock = CLOCK_PROCESS_CPUTIME_ID;
        struct timespec ts = {0, 0};

        if (p->pid[i] == 0 || clock_getcpuclockid(p->pid[i], &clock) == 0)
            clock_gettime(clock, &ts);
        s->cpu_ns[i] = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    }
}

/*
 * A process whose requests are served on one thread (winpv-simd's loop,
 * winpv-blkback's loop, the guest's upcall thread) limits the figure
 * once that thread never waits: busy this share of the wall-clock or more.
 */
#define SATURATED 0.9

static void describe_saturation(const struct processes *p, const struct cpu_sample *a,
                                const struct cpu_sample *b)
{
    double wall = (double)(b->ns - a->ns), most = 0, ours = 0, machine = 0;
    unsigned int cpus = os_cpu_count();
    int limit = -1;

    printf("#   processors busy:");
    for (int i = 0; i < PROCESSES; i++) {
        double busy = (double)(b->cpu_ns[i] - a->cpu_ns[i]) / wall;

        printf("%s %s %.2f", i ? "," : "", p->name[i], busy);
        ours += busy;
        if (busy >= SATURATED && busy > most) {
            most = busy;
            limit = i;
        }
    }
    if (b->machine_all > a->machine_all)
        machine = (double)(b->machine_busy - a->machine_busy) /
                  (double)(b->machine_all - a->machine_all) * cpus;
    printf("; the machine %.2f of %u (others %.2f)", machine, cpus,
           machine > ours ? machine - ours : 0);
    if (limit >= 0)
        printf(": %s saturated (a thread that never waits)\n", p->name[limit]);
    else if (machine >= SATURATED * cpus)
        printf(": the machine saturated\n");
    else
        printf(": none saturated (each side waits on the other)\n");
}

void cpu_describe(const struct processes *p, const struct cpu_sample *a, const struct cpu_sample *b,
                  double n)
{
    printf("#   processor time a request:");
    for (int i = 0; i < PROCESSES; i++)
        printf("%s %s %.1f us", i ? "," : "", p->name[i],
               (double)(b->cpu_ns[i] - a->cpu_ns[i]) / n / 1000);
    printf(" (of %.1f us wall-clock a request)\n", (double)(b->ns - a->ns) / n / 1000);
    describe_saturation(p, a, b);
}
