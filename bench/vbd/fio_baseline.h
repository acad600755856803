/*
 * bench/vbd/fio_baseline.h - fio run directly on an image file: the native
 * figure a disk path through the blkif frontend is compared with.
 */
#ifndef WINPV_BENCH_VBD_FIO_BASELINE_H
#define WINPV_BENCH_VBD_FIO_BASELINE_H

#include <stdbool.h>
#include <stdint.h>

/* What fio measured. */
struct fio_result {
    double iops;
    double mb_per_s; /* 10^6 bytes a second */
};

/*
 * One fio job (ioengine=io_uring, one job, @depth in flight) of @rw
 * ("randread", "read" or "write") in blocks of @block bytes over the whole
 * of @image, for @seconds after a warm-up of @warm_up_ms; @direct asks for
 * O_DIRECT, else buffered without fio's cache invalidation. Returns 0, or
 * -1 after printing why.
 */
int fio_run(const char *image, const char *rw, uint32_t block, uint32_t depth, bool direct,
            uint32_t warm_up_ms, uint32_t seconds, struct fio_result *out);

#endif /* WINPV_BENCH_VBD_FIO_BASELINE_H */
