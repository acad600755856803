/* sim/blkback/io.c - see io.h. */
#include <errno.h>
#include <string.h>

#include "io.h"

int io_init(struct io_engine *io, int fd, unsigned int entries)
{
    io->fd = fd;
    return io_uring_queue_init(entries, &io->ring, 0);
}

void io_exit(struct io_engine *io)
{
    io_uring_queue_exit(&io->ring);
}

int io_poll_fd(const struct io_engine *io)
{
    return io->ring.ring_fd;
}

bool io_completions_ready(const struct io_engine *io)
{
    return io_uring_cq_ready(&io->ring) > 0;
}

void io_reserve(struct io_engine *io, unsigned int count)
{
    if (io_uring_sq_space_left(&io->ring) < count)
        io_uring_submit(&io->ring);
}

/* The next slot; io_reserve made room for it. */
static struct io_uring_sqe *next_sqe(struct io_engine *io, void *tag)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&io->ring);

    if (sqe == NULL) {
        /* Only if a caller skipped io_reserve: the kernel takes what is queued. */
        io_uring_submit(&io->ring);
        sqe = io_uring_get_sqe(&io->ring);
    }
    io_uring_sqe_set_data(sqe, tag);
    return sqe;
}

void io_rw(struct io_engine *io, bool write, const struct iovec *iov, unsigned int count,
           uint64_t offset, void *tag, bool link)
{
    struct io_uring_sqe *sqe = next_sqe(io, tag);

    if (write)
        io_uring_prep_writev(sqe, io->fd, iov, count, offset);
    else
        io_uring_prep_readv(sqe, io->fd, iov, count, offset);
    if (link)
        sqe->flags |= IOSQE_IO_LINK;
}

void io_datasync(struct io_engine *io, void *tag)
{
    io_uring_prep_fsync(next_sqe(io, tag), io->fd, IORING_FSYNC_DATASYNC);
}

void io_fallocate(struct io_engine *io, int mode, uint64_t offset, uint64_t length, void *tag)
{
    io_uring_prep_fallocate(next_sqe(io, tag), io->fd, mode, (off_t)offset, (off_t)length);
}

void io_submit(struct io_engine *io)
{
    io_uring_submit(&io->ring);
}

unsigned int io_reap(struct io_engine *io, bool wait,
                     void (*done)(void *ctx, void *tag, int32_t result), void *ctx)
{
    struct io_uring_cqe *cqe;
    unsigned int handled = 0;

    if (wait) {
        int rc;

        do
            rc = io_uring_wait_cqe(&io->ring, &cqe);
        while (rc == -EINTR);
    }
    while (io_uring_peek_cqe(&io->ring, &cqe) == 0) {
        void *tag = io_uring_cqe_get_data(cqe);
        int32_t result = cqe->res;

        io_uring_cqe_seen(&io->ring, cqe);
        done(ctx, tag, result);
        handled++;
    }
    return handled;
}
