/* bench/vbd/two_copies.c - see two_copies.h. */
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "two_copies.h"

/* Pool buffers waiting for one stage, in order. */
struct buffer_queue {
    uint32_t *index;
    uint32_t head, count, size;
};

/*
 * Each pool buffer goes round two stages: the I/O (the backend's copy) and
 * the memcpy (the frontend's). A read does the I/O first, a write the
 * memcpy; a round done is @block bytes through both copies.
 */
struct pipeline {
    int fd;
    bool write;
    uint32_t block;
    uint64_t file_blocks, next_block;
    uint8_t *pool, *caller;
    struct io_uring ring;
    pthread_mutex_t lock;
    pthread_cond_t io_wake, copy_wake;
    struct buffer_queue io_ready, copy_ready;
    uint32_t in_flight; /* I/O submitted, not yet reaped: the I/O thread's own */
    uint64_t rounds;
    bool stop;
    int32_t failed; /* what a failed I/O returned, else 0 */
    pthread_t io, copier;
};

static void queue_push(struct buffer_queue *q, uint32_t i)
{
    q->index[(q->head + q->count++) % q->size] = i;
}

static uint32_t queue_pop(struct buffer_queue *q)
{
    uint32_t i = q->index[q->head];

    q->head = (q->head + 1) % q->size;
    q->count--;
    return i;
}

/* The stage after @from_io for buffer @i, under the lock. */
static void stage_done(struct pipeline *p, uint32_t i, bool from_io)
{
    bool round_done = from_io == p->write;

    if (round_done)
        p->rounds++;
    if (from_io) {
        queue_push(&p->copy_ready, i);
        pthread_cond_signal(&p->copy_wake);
    } else {
        queue_push(&p->io_ready, i);
        pthread_cond_signal(&p->io_wake);
    }
}

static void submit(struct pipeline *p, uint32_t i)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&p->ring);
    uint8_t *buf = p->pool + (size_t)i * p->block;
    off_t at = (off_t)(p->next_block * p->block);

    p->next_block = (p->next_block + 1) % p->file_blocks;
    if (p->write)
        io_uring_prep_write(sqe, p->fd, buf, p->block, at);
    else
        io_uring_prep_read(sqe, p->fd, buf, p->block, at);
    io_uring_sqe_set_data64(sqe, i);
    p->in_flight++;
}

static void *io_thread(void *arg)
{
    struct pipeline *p = arg;

    for (;;) {
        struct io_uring_cqe *cqe;
        uint32_t i;
        int32_t res;

        pthread_mutex_lock(&p->lock);
        while (!p->stop && p->io_ready.count == 0 && p->in_flight == 0)
            pthread_cond_wait(&p->io_wake, &p->lock);
        if (p->stop && p->in_flight == 0) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        while (!p->stop && p->io_ready.count > 0)
            submit(p, queue_pop(&p->io_ready));
        pthread_mutex_unlock(&p->lock);
        /* Submitted and waited for in one call: a failed submission is tried again. */
        if (io_uring_submit_and_wait(&p->ring, 1) < 0 || io_uring_peek_cqe(&p->ring, &cqe) != 0)
            continue;
        i = (uint32_t)io_uring_cqe_get_data64(cqe);
        res = cqe->res;
        io_uring_cqe_seen(&p->ring, cqe);
        pthread_mutex_lock(&p->lock);
        p->in_flight--;
        if (res != (int32_t)p->block) {
            p->failed = res < 0 ? res : -1;
            p->stop = true;
            pthread_cond_broadcast(&p->copy_wake);
        } else {
            stage_done(p, i, true);
        }
        pthread_mutex_unlock(&p->lock);
    }
}

static void *copy_thread(void *arg)
{
    struct pipeline *p = arg;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        uint32_t i;
        uint8_t *buf;

        while (!p->stop && p->copy_ready.count == 0)
            pthread_cond_wait(&p->copy_wake, &p->lock);
        if (p->stop)
            break;
        i = queue_pop(&p->copy_ready);
        pthread_mutex_unlock(&p->lock);
        buf = p->pool + (size_t)i * p->block;
        if (p->write)
            memcpy(buf, p->caller, p->block);
        else
            memcpy(p->caller, buf, p->block);
        pthread_mutex_lock(&p->lock);
        stage_done(p, i, false);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* The pipeline stopped, its threads gone. */
static void stop_threads(struct pipeline *p, pthread_t *copier)
{
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->io_wake);
    pthread_cond_broadcast(&p->copy_wake);
    pthread_mutex_unlock(&p->lock);
    if (copier)
        pthread_join(*copier, NULL);
    pthread_join(p->io, NULL);
}

static void pipeline_free(struct pipeline *p)
{
    free(p->io_ready.index);
    free(p->copy_ready.index);
    free(p->caller);
    free(p->pool);
    if (p->fd >= 0)
        close(p->fd);
    pthread_cond_destroy(&p->copy_wake);
    pthread_cond_destroy(&p->io_wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

struct two_copies *two_copies_start(const char *image, bool write, uint32_t block, uint32_t depth)
{
    struct pipeline *p = calloc(1, sizeof(*p));
    off_t size;

    if (p == NULL)
        return NULL;
    p->write = write;
    p->block = block;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->io_wake, NULL);
    pthread_cond_init(&p->copy_wake, NULL);
    p->fd = open(image, write ? O_WRONLY : O_RDONLY);
    size = p->fd < 0 ? -1 : lseek(p->fd, 0, SEEK_END);
    p->file_blocks = size > 0 ? (uint64_t)size / block : 0;
    p->pool = aligned_alloc(4096, (size_t)depth * block);
    p->caller = aligned_alloc(4096, block);
    p->io_ready.index = calloc(depth, sizeof(uint32_t));
    p->copy_ready.index = calloc(depth, sizeof(uint32_t));
    p->io_ready.size = p->copy_ready.size = depth;
    if (p->file_blocks == 0 || !p->pool || !p->caller || !p->io_ready.index ||
        !p->copy_ready.index || io_uring_queue_init(depth, &p->ring, 0) != 0) {
        fprintf(stderr, "vbd-bench: cannot set up two copies over %s\n", image);
        pipeline_free(p);
        return NULL;
    }
    /* Touched first: no page faults in the measurement. */
    memset(p->pool, 0x5a, (size_t)depth * block);
    memset(p->caller, 0x5a, block);
    for (uint32_t i = 0; i < depth; i++)
        queue_push(write ? &p->copy_ready : &p->io_ready, i);
    if (pthread_create(&p->io, NULL, io_thread, p) != 0) {
        io_uring_queue_exit(&p->ring);
        pipeline_free(p);
        return NULL;
    }
    if (pthread_create(&p->copier, NULL, copy_thread, p) != 0) {
        stop_threads(p, NULL);
        io_uring_queue_exit(&p->ring);
        pipeline_free(p);
        return NULL;
    }
    return (struct two_copies *)p;
}

uint64_t two_copies_bytes(struct two_copies *t)
{
    struct pipeline *p = (struct pipeline *)t;
    uint64_t rounds;

    pthread_mutex_lock(&p->lock);
    rounds = p->rounds;
    pthread_mutex_unlock(&p->lock);
    return rounds * p->block;
}

int two_copies_stop(struct two_copies *t)
{
    struct pipeline *p = (struct pipeline *)t;
    int rc;

    stop_threads(p, &p->copier);
    io_uring_queue_exit(&p->ring);
    rc = p->failed ? -1 : 0;
    if (rc)
        fprintf(stderr, "vbd-bench: two copies: an I/O of %u bytes returned %d\n", p->block,
                (int)p->failed);
    pipeline_free(p);
    return rc;
}
