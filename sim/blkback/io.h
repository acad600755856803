/*
 * sim/blkback/io.h - the disk's I/O through io_uring: vectored reads and
 * writes, fdatasync and fallocate submitted without waiting, completions
 * taken later, each carrying the tag it was submitted with.
 */
#ifndef WINPV_BLKBACK_IO_H
#define WINPV_BLKBACK_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <liburing.h>

/* Most operations one call may chain (io_reserve). */
#define IO_MAX_CHAIN 8

struct io_engine {
    struct io_uring ring;
    int fd; /* the file every operation is on */
};

/* A ring of @entries submission slots (a power of two) for file @fd. Returns 0 or -errno. */
int io_init(struct io_engine *io, int fd, unsigned int entries);
void io_exit(struct io_engine *io);

/* Readable when completions wait. */
int io_poll_fd(const struct io_engine *io);

/* Whether completions wait, without a system call. */
bool io_completions_ready(const struct io_engine *io);

/*
 * Make room for @count submissions in a row (at most IO_MAX_CHAIN), so that
 * a chain is never split across two submits. Call before each operation's
 * io_* calls.
 */
void io_reserve(struct io_engine *io, unsigned int count);

/*
 * Queue one operation (sent to the kernel by io_submit). @link: the next
 * operation queued starts only after this one succeeded (else it completes
 * with -ECANCELED).
 */
void io_rw(struct io_engine *io, bool write, const struct iovec *iov, unsigned int count,
           uint64_t offset, void *tag, bool link);
void io_datasync(struct io_engine *io, void *tag);
void io_fallocate(struct io_engine *io, int mode, uint64_t offset, uint64_t length, void *tag);

/* Send what is queued to the kernel. */
void io_submit(struct io_engine *io);

/*
 * Hand each completion to @done(@ctx, tag, result): the result is what the
 * system call would return, or -errno. Waits for one first when @wait.
 * Returns the number handled.
 */
unsigned int io_reap(struct io_engine *io, bool wait,
                     void (*done)(void *ctx, void *tag, int32_t result), void *ctx);

#endif /* WINPV_BLKBACK_IO_H */
