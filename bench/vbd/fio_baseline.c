/* bench/vbd/fio_baseline.c - see fio_baseline.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fio_baseline.h"

/*
 * Fields of fio's terse output (version 3), counted from 1: the read
 * side's bandwidth (KiB/s) and IOPS, then the write side's.
 */
#define TERSE_READ_BW    7
#define TERSE_READ_IOPS  8
#define TERSE_WRITE_BW   48
#define TERSE_WRITE_IOPS 49

/* Field @n (from 1) of the ';'-separated @line as a number, or -1. */
static double terse_field(const char *line, unsigned int n)
{
    const char *p = line;

    for (unsigned int i = 1; i < n; i++) {
        p = strchr(p, ';');
        if (!p)
            return -1;
        p++;
    }
    return strtod(p, NULL);
}

int fio_run(const char *image, const char *rw, uint32_t block, uint32_t depth, bool direct,
            uint32_t warm_up_ms, uint32_t seconds, struct fio_result *out)
{
    char cmd[768], line[4096] = "";
    bool writes = strcmp(rw, "write") == 0;
    FILE *p;
    double kib_s, iops;

    snprintf(cmd, sizeof(cmd),
             "fio --name=baseline --filename='%s' --ioengine=io_uring --direct=%d "
             "--invalidate=0 --rw=%s --bs=%u --iodepth=%u --numjobs=1 --time_based "
             "--ramp_time=%ums --runtime=%us --minimal --terse-version=3 2>&1",
             image, direct ? 1 : 0, rw, block, depth, warm_up_ms, seconds);
    p = popen(cmd, "r");
    if (!p) {
        fprintf(stderr, "vbd-bench: cannot run fio\n");
        return -1;
    }
    /* The terse line is the one starting with the version. */
    while (fgets(line, sizeof(line), p) && strncmp(line, "3;", 2) != 0)
        fputs(line, stderr);
    if (pclose(p) != 0 || strncmp(line, "3;", 2) != 0) {
        fprintf(stderr, "vbd-bench: fio failed: %s\n", cmd);
        return -1;
    }
    kib_s = terse_field(line, writes ? TERSE_WRITE_BW : TERSE_READ_BW);
    iops = terse_field(line, writes ? TERSE_WRITE_IOPS : TERSE_READ_IOPS);
    if (kib_s <= 0 || iops <= 0) {
        fprintf(stderr, "vbd-bench: no figures in fio's output: %s", line);
        return -1;
    }
    out->iops = iops;
    out->mb_per_s = kib_s * 1024 / 1e6;
    return 0;
}
