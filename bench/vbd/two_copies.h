/*
 * bench/vbd/two_copies.h - the disk path persistent grants make, without
 * Xen: what a blkif frontend over persistent grants can at best reach on
 * this machine.
 *
 * With persistent grants every byte is copied twice: the backend moves it
 * between the file and a pool page, the frontend between the pool page and
 * the caller's buffer. Here one thread does the backend's part through
 * io_uring (buffered, @depth pool buffers of @block bytes in flight, the
 * file read or written in order), and a second thread the frontend's
 * (memcpy between a pool buffer and one caller buffer), handing buffers to
 * each other through a queue: no rings, grants or events. Set beside fio on
 * the same file, it separates what the second copy costs from what the
 * protocol and our code cost.
 */
#ifndef WINPV_BENCH_VBD_TWO_COPIES_H
#define WINPV_BENCH_VBD_TWO_COPIES_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Start sequential reads (or writes, @write) of @block bytes over the whole
 * of @image, @depth in flight, going round until stopped. Returns the
 * pipeline, or NULL after printing why.
 */
struct two_copies *two_copies_start(const char *image, bool write, uint32_t block, uint32_t depth);

/* Bytes through both copies so far. */
uint64_t two_copies_bytes(struct two_copies *t);

/* Stop and free @t. Returns 0, or -1 if an I/O failed (after printing why). */
int two_copies_stop(struct two_copies *t);

#endif /* WINPV_BENCH_VBD_TWO_COPIES_H */
