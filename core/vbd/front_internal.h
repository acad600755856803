/*
 * core/vbd/front_internal.h - what the files of the blkif frontend share:
 * the device, its queues and their request slots, granted page regions, and
 * the helpers each file offers the others. See front.h for the contract.
 *
 * Locking. Each queue has one spinlock over its ring, slots, copy pool,
 * waiting list and counters; no code holds two. Completions are collected
 * under the lock in a front_done list and called after it is released, so
 * a completion may submit again. The dump context's lock (dump_lock) is
 * taken last, perhaps inside a queue's (a device broken from its
 * completion path), and nothing is taken inside it.
 */
#ifndef WINPV_CORE_VBD_FRONT_INTERNAL_H
#define WINPV_CORE_VBD_FRONT_INTERNAL_H

#include <stddef.h>

#include <blkif/segments.h>
#include <xen/io/blkif.h>
#include <xen/io/xs_wire.h>

#include "os.h"
#include "ring/ring.h"
#include "vbd/front.h"

/* The ring layout we speak (XEN_IO_PROTO_ABI_X86_64, the native one). */
#define FRONT_PROTOCOL "x86_64-abi"

/* Room for any xenstore path we build. */
#define FRONT_PATH_MAX (XENSTORE_ABS_PATH_MAX + 1)

/* No slot (end of the free list). */
#define FRONT_NO_SLOT UINT32_MAX

/* Pool pages a ring request of @segs segments needs for its indirect list (0: none). */
static inline uint32_t front_indirect_pages(uint32_t segs)
{
    return blkif_segs_indirect(segs) ? blkif_indirect_list_pages(segs) : 0;
}

/* -- granted pages (front_region.c) ---------------------------------------- */

/*
 * Pages of ours granted to the backend for the whole connection (ring
 * pages, the copy pool). Released as a whole: the pages are freed once the
 * backend let go of every one (at once, or later from the grant table's
 * completion), or leaked if it never does.
 */
struct front_region {
    const struct winpv_gnttab_interface_v1 *gnttab;
    uint8_t *va;
    uint32_t count;
    uint32_t granted;                    /* refs[0 .. granted) are granted */
    uint64_t *gfns;                      /* [count] */
    uint32_t *refs;                      /* [count] */
    struct winpv_gnttab_deferred *later; /* [count]: revokes that wait */
    volatile uint32_t holds;             /* revokes waiting, + 1 while releasing */
    volatile uint32_t leaked;            /* a backend kept a page past XENBUS */
};

/*
 * @count zeroed pages granted (writable) to @domid. Returns 0, -XEN_ENOMEM,
 * or the grant table's error. Context: passive.
 */
int front_region_create(const struct winpv_gnttab_interface_v1 *gnttab, uint16_t domid,
                        uint32_t count, struct front_region **out);

/* End every grant and free the region as above. NULL is ignored. Context: passive. */
void front_region_release(struct front_region *region);

/* The address of page @i. */
static inline uint8_t *front_region_page(const struct front_region *region, uint32_t i)
{
    return region->va + (size_t)i * OS_PAGE_SIZE;
}

/* -- a request's data as segments (front_sg.c) ------------------------------ */

/* One segment before its grant: a page and the sectors of it that move. */
struct front_seg {
    uint64_t gfn; /* direct: the caller's page */
    uint32_t offset;
    uint32_t length; /* bytes, whole sectors of the unit */
};

/* Where a request's next piece starts in its sg list. */
struct front_sg_cursor {
    uint32_t index;
    uint32_t skip; /* bytes into sg[index] */
};

/*
 * Check that @sg (@nr elements) is well formed (each element inside its
 * page, not empty) and covers @offset + @length bytes; find where byte
 * @offset is in *cursor. Returns 0 or -XEN_EINVAL. Context: any.
 */
int front_sg_locate(const struct vbd_front_sg *sg, uint32_t nr, uint32_t offset, uint32_t length,
                    struct front_sg_cursor *cursor);

/*
 * Whether the @length bytes from @cursor lie in whole sectors of @unit bytes
 * at sector boundaries of their pages, so that they may be granted as they
 * are. Context: any.
 */
bool front_sg_aligned(const struct vbd_front_sg *sg, uint32_t nr, struct front_sg_cursor cursor,
                      uint32_t length, uint32_t unit);

/*
 * The next segment of a buffer: at most @max_bytes from *cursor, within one
 * element, into @seg; the cursor moves past it. Returns its bytes (0 at the
 * end). Context: any.
 */
uint32_t front_sg_next(const struct vbd_front_sg *sg, uint32_t nr, struct front_sg_cursor *cursor,
                       uint32_t max_bytes, struct front_seg *seg);

/* How many segments front_sg_next gives for @max_bytes from @cursor, at most @max_segs. */
uint32_t front_sg_count(const struct vbd_front_sg *sg, uint32_t nr, struct front_sg_cursor cursor,
                        uint32_t max_bytes, uint32_t max_segs);

/* -- the device ------------------------------------------------------------- */

enum front_slot_state {
    FRONT_SLOT_FREE,
    FRONT_SLOT_INFLIGHT, /* on the ring, its id expected back */
    FRONT_SLOT_HELD,     /* answered, failed or taken back, a grant still held by the backend */
};

enum front_phase {
    FRONT_PHASE_DATA,  /* the operation itself */
    FRONT_PHASE_FLUSH, /* the flush after a FUA write */
};

/* One ring request in flight, and what it holds. */
struct front_slot {
    uint64_t id;        /* (generation << 32) | index, while in flight */
    uint64_t issued_ns; /* when it went on the ring */
    struct vbd_front_request *req;
    struct front_queue *queue;
    uint32_t generation;
    uint32_t next_free;
    uint32_t offset; /* copy: the piece's first byte in the request's buffer */
    uint32_t bytes;  /* copy: its length */
    uint32_t nr_grants;
    uint32_t nr_data; /* pool[0 .. nr_data): data pages; then the indirect list's */
    uint32_t nr_pool;
    uint8_t state;
    uint8_t operation;   /* what the response must say ... */
    uint8_t indirect_op; /* ... or this, for an indirect request */
    bool copy_out;       /* a read through the pool: copy to the buffer on success */
    bool replay;         /* HELD, taken back: its request goes again once released */
    uint32_t *grants;    /* [max_segments]: the caller's pages granted */
    uint32_t *pool;      /* [max_segments + indirect pages]: pool pages, data first */
    struct winpv_gnttab_deferred *held; /* [nr_grants], while revokes wait */
    uint32_t held_pending;
};

/* Requests in order: a queue's waiting ones, or completions collected under its lock. */
struct front_list {
    struct vbd_front_request *head, *tail;
};

static inline void front_list_append(struct front_list *list, struct vbd_front_request *req)
{
    req->state.next = NULL;
    if (list->tail)
        list->tail->state.next = req;
    else
        list->head = req;
    list->tail = req;
}

static inline void front_list_push(struct front_list *list, struct vbd_front_request *req)
{
    req->state.next = list->head;
    list->head = req;
    if (!list->tail)
        list->tail = req;
}

struct front_queue {
    struct vbd_front *front;
    uint32_t index;
    struct os_spinlock lock;
    struct ring_front ring;
    struct front_region *ring_pages;
    struct winpv_evtchn_channel *channel;
    struct front_slot *slots;
    uint32_t nr_slots;
    uint32_t free_slot; /* head of the free list */
    uint32_t slots_busy;
    uint32_t *slot_arrays;     /* every slot's grants and pool arrays, one allocation */
    struct front_region *copy; /* the pool */
    uint32_t *copy_free;       /* a LIFO stack of pool page indices */
    uint32_t copy_nr_free;
    struct front_list waiting;
    uint64_t next_seq;            /* the next request's state.seq */
    struct vbd_front_stats stats; /* this queue's share */
    /*
     * While the event callback runs the completions it collected, requests
     * they submit go on the ring without a kick each: the callback kicks
     * once after the last (kick_deferred says whether one is owed), so a
     * backend woken finds the whole batch.
     */
    bool batching;
    bool kick_deferred;
};

/*
 * The frontend's life: whether it serves requests at all. One transition
 * function (front_life_move) changes it, from the states front_life.c
 * allows. While it serves (LIVE, UNPLUGGING), the link (below) says whether
 * requests go on the rings or wait; once it does not, requests fail and
 * the link no longer matters.
 */
enum front_life {
    FRONT_LIFE_LIVE, /* opening or open: requests are served */
    FRONT_LIFE_UNPLUGGING, /* the toolstack unplugs the disk: served until the removal (front_reconnect.c) fails the rest */
    FRONT_LIFE_UNPLUGGED, /* the removal failed what was left and closed the handshake: requests fail */
    FRONT_LIFE_BROKEN,  /* the backend broke the protocol or did not come back: requests fail */
    FRONT_LIFE_CLOSING, /* the owner closes: requests fail */
};

/*
 * Whether requests may go on the rings, and why not. One transition
 * function (front_link_move) changes it, from the states front_link.c
 * allows.
 */
enum front_link {
    FRONT_LINK_OPENING,      /* vbd_front_open's handshake: a backend leaving fails the open */
    FRONT_LINK_UP,           /* requests go on the rings (unless the life says they fail) */
    FRONT_LINK_RECONNECTING, /* the reconnection work is queued or running: requests wait */
    FRONT_LINK_SUSPENDED,    /* the domain suspends: requests wait, the backend is not acted on */
    FRONT_LINK_RESTORED,     /* in a new domain, the device opened again: the work reconnects */
};

struct vbd_front {
    struct vbd_front_services svc;
    struct winpv_xenbus_device *dev;
    struct winpv_suspend_callback *suspend_early, *suspend_late; /* NULL: not registered */
    struct vbd_front_options opt;                                /* defaults filled in */
    struct vbd_front_info info;
    struct vbd_scsi_disk disk;     /* changed only by front_publish_disk */
    volatile uint32_t disk_seq;    /* odd while disk changes */
    struct os_spinlock disk_lock;  /* one change of disk at a time */
    char nodename[FRONT_PATH_MAX]; /* device/vbd/<id> */
    char otherend[FRONT_PATH_MAX]; /* the backend's directory */
    struct front_queue queues[VBD_FRONT_MAX_QUEUES];
    uint32_t ring_order;
    volatile uint32_t life;        /* enum front_life: changed by front_life_move only */
    volatile uint32_t link;        /* enum front_link: changed by front_link_move only */
    volatile uint32_t outstanding; /* accepted, not yet called back */
    struct os_work reconnect_work;
    struct os_event pause;    /* never set: a sleep with a timeout */
    struct os_timer watchdog; /* looks for ring requests left unanswered */
    uint64_t reconnects;
    uint64_t timeouts;
    uint64_t resizes;
    struct os_spinlock drain_lock; /* the last completion's touch of the device, vs close */
    struct os_event drained;       /* set when outstanding reaches 0 while closing */
    struct os_work fail_work;      /* tells XENBUS the device failed (passive) */
    int fail_err;
    const char *fail_reason; /* for XENBUS's error node */
    /* Dump mode (front_dump.c): the context, its granted pages; NULL when not asked for. */
    struct vbd_dump_context *dump;
    struct front_region *dump_pages;
    struct os_spinlock dump_lock; /* one rewrite of the context at a time */
    char fail_message[80];        /* fail_reason, when it names a node */
};

/*
 * The move both states make (the life and the link): from @from to @to if
 * *@state is @from now, asserting that @allowed[@from] (a bit for each state
 * it may go to, @nr states in all) has @to; whether it moved. Context: any.
 */
static inline bool front_state_move(volatile uint32_t *state, const uint32_t *allowed, uint32_t nr,
                                    uint32_t from, uint32_t to)
{
    OS_ASSERT_CMP(from, <, nr);
    OS_ASSERT_CMP(allowed[from] & (1u << to), !=, 0);
    return os_atomic_cas32(state, from, to);
}

/* -- the life (front_life.c) ------------------------------------------------ */

/* From @from to @to if the life is @from now (asserting the move is allowed); whether it moved. Context: any. */
bool front_life_move(struct vbd_front *front, enum front_life from, enum front_life to);

/* The life now. Context: any. */
enum front_life front_life_state(const struct vbd_front *front);

/* Whether requests are served (LIVE or UNPLUGGING): they fail otherwise. Context: any. */
bool front_life_serving(const struct vbd_front *front);

/* Whether the toolstack unplugs the disk or did (UNPLUGGING or UNPLUGGED). Context: any. */
bool front_life_gone(const struct vbd_front *front);

/* Whether the device is closed or closing, by its owner or by a removal. Context: any. */
bool front_life_closed(const struct vbd_front *front);

/* -- the link (front_link.c) ------------------------------------------------ */

/* From @from to @to if the link is @from now (asserting the move is allowed); whether it moved. Context: any. */
bool front_link_move(struct vbd_front *front, enum front_link from, enum front_link to);

/* The link now. Context: any. */
enum front_link front_link_state(const struct vbd_front *front);

/* -- xenstore through the STORE table (front_store.c) ----------------------- */

/* Paths are built with xenbus_path (core/xenbus/path.c: no request, no client). */

/*
 * Read @dir/@name as a decimal number no greater than @max. Returns 0,
 * -XEN_ENOENT when absent, -XEN_EACCES when denied (the directory gone, see
 * xenbus_node_absent), -XEN_EINVAL when it is anything else (logged).
 * Context: passive.
 */
int front_read_number(struct vbd_front *front, const char *dir, const char *name, uint64_t max,
                      uint64_t *value);

/* A boolean node: absent is @absent; any number but 0 is true. Errors as above. */
int front_read_flag(struct vbd_front *front, const char *dir, const char *name, bool absent,
                    bool *value);

/* Read @dir/@name as a string of at most @size - 1 bytes into @buf. Errors as above. */
int front_read_text(struct vbd_front *front, const char *dir, const char *name, char *buf,
                    size_t size);

/* Write @text or the decimal @value at @dir/@name in transaction @tx. Context: passive. */
int front_write_text(struct vbd_front *front, uint32_t tx, const char *dir, const char *name,
                     const char *text);
int front_write_number(struct vbd_front *front, uint32_t tx, const char *dir, const char *name,
                       uint64_t value);

/* -- negotiation (front_negotiate.c) -------------------------------------- */

/*
 * The backend is waiting for us: choose the number of queues and the ring
 * size from what it offers (front->info.queues, ring_pages; front->ring_order).
 * Returns 0 or -XEN_EINVAL. Context: passive.
 */
int front_choose_transport(struct vbd_front *front);

/*
 * Write the rings, event channels and our features, in one transaction
 * retried while it conflicts. Context: passive.
 */
int front_publish(struct vbd_front *front);

/*
 * Make @disk what vbd_front_disk() gives: readers on other processors see
 * the old description or the new one, never a mix. Context: any.
 */
void front_publish_disk(struct vbd_front *front, const struct vbd_scsi_disk *disk);

/*
 * The backend connected: read the disk and the features to use into
 * front->info and front->disk. Returns 0 or -XEN_EINVAL (with the reason
 * in front->fail_reason). Context: passive.
 */
int front_read_disk(struct vbd_front *front);

/*
 * The backend's "sectors" now, in 512-byte sectors, checked as at connection.
 * Returns 0 or -XEN_EINVAL. Context: passive.
 */
int front_read_size(struct vbd_front *front, uint64_t *sectors);

/* -- the handshake (front_connect.c) --------------------------------------- */

/*
 * From Initialising to Connected: rings and channels made and published,
 * the disk read, slots started. *published says whether the backend may
 * have seen the rings. Context: passive.
 */
int front_handshake(struct vbd_front *front, bool *published);

/* Switch our state; wait for the backend's to be one of @mask. Context: passive. */
int front_switch_state(struct vbd_front *front, uint32_t state);
int front_wait_backend(struct vbd_front *front, uint32_t mask, uint64_t timeout_ns,
                       uint32_t *state);

/*
 * Closing (front_life_closed): wait up to close_timeout_ns for every
 * accepted request to be called back. Returns how many were not (their
 * pages held by a backend). Context: passive.
 */
uint32_t front_wait_completed(struct vbd_front *front);

/*
 * As front_wait_backend, but giving up with -XEN_ENODEV once the disk is
 * seen unplugged (front_life_gone). Context: passive.
 */
int front_wait_backend_present(struct vbd_front *front, uint32_t mask, uint64_t timeout_ns,
                               uint32_t *state);

/* -- reconnection (front_reconnect.c) -------------------------------------- */

/*
 * The backend's state changed to @state: note a removal (LIVE to UNPLUGGING), and
 * start a reconnection, or the removal, if it left. Context: passive.
 */
void front_backend_changed(struct vbd_front *front, uint32_t state);

/*
 * Once up (opened, or connected again): act on what the backend did while
 * we were not, which the state callback only noted: a removal, a state it
 * left Connected for, a new size. Context: passive.
 */
void front_catch_up(struct vbd_front *front);

/* The reconnection work, which also carries out a removal (passive). */
void front_reconnect(void *ctx);

/*
 * While the backend serves (Connected or Closing), wait up to @timeout_ns
 * for the ring requests in flight to be answered (not for ever: the device
 * broken or closing ends it too). Context: passive.
 */
void front_drain(struct vbd_front *front, uint64_t timeout_ns);

/* -- suspend and resume of the domain (front_suspend.c) ---------------------- */

/*
 * Follow the domain's suspends through the SUSPEND interface, when the
 * owner gave one. Returns 0 or -XEN_ENOMEM. Context: passive.
 */
int front_suspend_register(struct vbd_front *front);

/* No longer (each callback not running when it returns); again is harmless. Context: passive. */
void front_suspend_deregister(struct vbd_front *front);

/*
 * Open the device again through XENBUS, for the backend the toolstack gave
 * a restored domain (a fresh "backend" and "backend-id"); front->dev,
 * otherend and info.backend_id follow. On failure the old handle stays
 * (its backend gone: the reconnection finds the disk unplugged). Returns
 * 0 or an error of the interface. Context: passive.
 */
int front_reopen_device(struct vbd_front *front);

/* Start looking for unanswered requests; stop (before close). Context: passive. */
void front_watchdog_start(struct vbd_front *front);
void front_watchdog_stop(struct vbd_front *front);

/* -- queues (front_queue.c) ----------------------------------------------- */

/* The ring and event channel of queue @index. Context: passive. */
int front_queue_open(struct vbd_front *front, uint32_t index);

/* Its slots and copy pool, once the features are known. Context: passive. */
int front_queue_start(struct front_queue *q);

/* Close the event channel (waits for its callback). Context: passive. */
void front_queue_stop(struct front_queue *q);

/* Release and free what open and start made. Context: passive. */
void front_queue_free(struct front_queue *q);

/*
 * Release what open and start made, keeping the lock, the waiting list and
 * the counters (the queue must hold no slot). Context: passive.
 */
void front_queue_reset(struct front_queue *q);

/* -- requests (front_submit.c) ---------------------------------------------- */

/*
 * Put waiting requests on the ring while there is room. Returns whether
 * the backend must be notified. Context: any, queue lock held.
 */
bool front_pump(struct front_queue *q, struct front_list *done);

/*
 * Complete @req with @status (its first failure wins) into @done. Context:
 * any, queue lock held.
 */
void front_finish(struct front_queue *q, struct vbd_front_request *req, int16_t status,
                  struct front_list *done);

/*
 * Set @req's cursor and data path from its first byte, for the disk and
 * features now. Returns 0 or -XEN_EINVAL. Context: any.
 */
int front_request_rearm(const struct vbd_front *front, struct vbd_front_request *req);

/* Put waiting requests on every queue's ring, kicking and completing as needed. Context: any, no lock held. */
void front_pump_all(struct vbd_front *front);

/* Call the completions in @done. Context: any, no lock held. */
void front_run_done(struct vbd_front *front, struct front_list *done);

/* -- completions (front_complete.c) ---------------------------------------- */

/* Take the first waiting request off the list. Context: any, queue lock held. */
void front_wait_pop(struct front_queue *q);

/*
 * Revoke and free the caller's pages granted for @s that no backend holds;
 * the rest stay in s->grants. Returns how many stay. Context: any, queue
 * lock held.
 */
uint32_t front_revoke_now(struct front_queue *q, struct front_slot *s);

/*
 * The backend left with @s on its ring: revoke its grants and free it
 * (true), or, when the backend still maps a page, hold it until it lets go
 * (false): the request counts it in state.held (and state.inflight) until
 * then, to be sent again after. Context: any, queue lock held.
 */
bool front_slot_take_back(struct front_queue *q, struct front_slot *s);

/* Put @s back on the free list with its pool pages. Context: any, queue lock held. */
void front_slot_free(struct front_queue *q, struct front_slot *s);

/*
 * After a queue's lock is released: notify the backend if @notify, fail
 * everything if the device broke, call the completions. Context: any.
 */
void front_unlocked(struct front_queue *q, bool notify, struct front_list *done);

/* The queue's event callback (dispatch context). */
void front_queue_event(void *ctx, unsigned int vcpu);

/*
 * One ring request of @req ended with @status: complete @req when it was
 * the last, or queue its flush. Context: any, queue lock held.
 */
void front_piece_done(struct front_queue *q, struct vbd_front_request *req, int16_t status,
                      struct front_list *done);

/*
 * Mark the device broken (the first call only): logged, XENBUS told on
 * deferred work. Context: any.
 */
void front_break(struct vbd_front *front, int err, const char *reason);

/*
 * Fail everything in flight and waiting on every queue (broken or closing),
 * each queue under its own lock. Context: any, no lock held.
 */
void front_fail_all(struct vbd_front *front, struct front_list *done);

/* -- dump mode (front_dump.c) ---------------------------------------------- */

/*
 * When the options ask for it: the dump context, its pages granted to the
 * backend's domain (front->info.backend_id). Returns 0, -XEN_ENOMEM or the
 * grant table's error (the frontend goes on without one). Context: passive.
 */
int front_dump_prepare(struct vbd_front *front);

/*
 * Make the context say what the link and the life say now: invalid first,
 * then, if queue 0's ring is up and the device live, described and valid.
 * Called after every move of either. Context: any (no queue lock held).
 */
void front_dump_refresh(struct vbd_front *front);

/*
 * After the device was opened again for a restored domain: when its
 * backend is in another domain than the one the pages are granted to,
 * grant them anew (the context invalid meanwhile, and left invalid if
 * that fails). The context stays at its address. Context: passive, the
 * link not UP.
 */
void front_dump_follow_backend(struct vbd_front *front);

/* Invalidate the context and give its pages back. Context: passive, the rings stopped. */
void front_dump_release(struct vbd_front *front);

#endif /* WINPV_CORE_VBD_FRONT_INTERNAL_H */
