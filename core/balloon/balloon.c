/*
 * core/balloon/balloon.c - the balloon's lifecycle: the toolstack's keys
 * read, the target taken or refused, and the steps toward it paced by a
 * timer (each step runs as work, in passive context).
 */
#include <xen/errno.h>

#include "balloon/balloon_impl.h"
#include "xenbus/node.h"
#include "xenstore/client.h"

#define KIB_PER_PAGE (OS_PAGE_SIZE / 1024)

/* The most KiB a key may say: its pages still count in a uint64_t. */
#define KIB_MAX (UINT64_MAX / 2)

static unsigned long long kib(uint64_t pages)
{
    return (unsigned long long)(pages * KIB_PER_PAGE);
}

/*
 * The one place the state changes, saying why where a person wants to
 * know. Called with b->lock held.
 */
static void set_state(struct balloon *b, enum balloon_state next, enum balloon_step why)
{
    enum balloon_state was = b->state;

    b->state = next;
    if (next == was || next == BALLOON_STOPPING)
        return;
    if (next == BALLOON_AT_TARGET)
        os_log(OS_LOG_INFO, "balloon: at target: %llu page(s) (%llu KiB) with Xen\n",
               (unsigned long long)b->out, kib(b->out));
    else if (next == BALLOON_HELD)
        os_log(OS_LOG_WARN,
               "balloon: %s: holding at %llu page(s) with Xen of %llu wanted until the target "
               "changes\n",
               why == BALLOON_STEP_XEN_REFUSED ? "Xen refused the reservation change"
                                               : "the OS can spare no more pages",
               (unsigned long long)b->out, (unsigned long long)b->wanted);
    if (next == BALLOON_MOVING)
        os_timer_arm(&b->timer, 0);
}

/* Where the balloon goes once @step was done. Called with b->lock held. */
static void after_step(struct balloon *b, enum balloon_step step)
{
    if (b->state == BALLOON_STOPPING)
        return;
    if (step != BALLOON_STEP_DONE)
        set_state(b, BALLOON_HELD, step);
    else if (b->out == b->wanted)
        set_state(b, BALLOON_AT_TARGET, step);
    else
        os_timer_arm(&b->timer, BALLOON_STEP_NS);
}

static void step(void *ctx)
{
    struct balloon *b = ctx;

    os_mutex_lock(&b->lock);
    if (b->state == BALLOON_MOVING && b->out != b->wanted) {
        enum balloon_step done;

        if (b->out < b->wanted)
            done = balloon_frames_give(b, b->wanted - b->out < BALLOON_BATCH
                                              ? (size_t)(b->wanted - b->out)
                                              : BALLOON_BATCH);
        else
            done = balloon_frames_take_back(b);
        after_step(b, done);
    }
    os_mutex_unlock(&b->lock);
}

/* The pacing timer: each step runs as work. Context: dispatch. */
static void step_due(void *ctx)
{
    struct balloon *b = ctx;

    os_work_queue(&b->work);
}

/*
 * The pages memory/target asks Xen to hold, in *wanted. Anything but a
 * decimal number of KiB at most static-max is refused with a log line.
 */
static int read_target(struct balloon *b, uint64_t *wanted)
{
    uint64_t target, target_pages;
    int rc = xenbus_read_uint(b->store, XS_TX_NONE, "memory", "target", KIB_MAX, &target);

    if (xenbus_node_absent(rc)) {
        os_log(OS_LOG_WARN, "balloon: memory/target is gone: ignored\n");
        return rc;
    }
    if (rc == -XEN_EINVAL || rc == -XEN_ERANGE) {
        os_log(OS_LOG_WARN, "balloon: memory/target is not a number of KiB: ignored\n");
        return rc;
    }
    if (rc) {
        os_log(OS_LOG_WARN, "balloon: memory/target unreadable (%d): ignored\n", rc);
        return rc;
    }
    /* Part of a page asked for is a page kept. */
    target_pages = target / KIB_PER_PAGE + (target % KIB_PER_PAGE != 0);
    if (target_pages > b->max_pages) {
        os_log(OS_LOG_WARN,
               "balloon: memory/target %llu KiB above memory/static-max %llu KiB: ignored\n",
               (unsigned long long)target, kib(b->max_pages));
        return -XEN_ERANGE;
    }
    *wanted = b->max_pages - target_pages;
    return 0;
}

/* The watch on memory/target. Context: passive (watch work). */
static void target_changed(void *ctx, const char *path)
{
    struct balloon *b = ctx;
    uint64_t wanted;

    if (read_target(b, &wanted) != 0)
        return;
    os_mutex_lock(&b->lock);
    if (b->state != BALLOON_STOPPING && wanted != b->wanted) {
        os_log(OS_LOG_INFO, "balloon: target %llu KiB: %llu page(s) with Xen, %llu wanted\n",
               kib(b->max_pages - wanted), (unsigned long long)b->out, (unsigned long long)wanted);
        b->wanted = wanted;
        /* From any state but stopping, a new target moves again (a held balloon too). */
        set_state(b, b->out == wanted ? BALLOON_AT_TARGET : BALLOON_MOVING, BALLOON_STEP_DONE);
    }
    os_mutex_unlock(&b->lock);
}

/* control/feature-balloon: the toolstack may not let the guest write it; that costs a log line. */
static void say_feature(struct balloon *b, const char *value)
{
    int rc = xs_write_str(b->store, XS_TX_NONE, "control/feature-balloon", value);

    if (rc)
        os_log(OS_LOG_WARN, "balloon: control/feature-balloon not written (%d)\n", rc);
}

int balloon_start(struct xs_client *store, struct balloon **out)
{
    struct balloon *b = os_alloc(sizeof(*b));
    uint64_t static_max;
    int rc;

    *out = NULL;
    if (b == NULL)
        return -XEN_ENOMEM;
    b->store = store;
    b->state = BALLOON_AT_TARGET;
    os_mutex_init(&b->lock);
    os_work_init(&b->work, step, b);
    os_timer_init(&b->timer, step_due, b);
    rc = xenbus_read_uint(store, XS_TX_NONE, "memory", "static-max", KIB_MAX, &static_max);
    if (rc == -XEN_EINVAL || rc == -XEN_ERANGE || rc == -XEN_EACCES)
        rc = -XEN_ENOENT;
    if (rc) {
        os_log(OS_LOG_WARN, "balloon: memory/static-max unreadable (%d): not ballooning\n", rc);
        goto fail;
    }
    b->max_pages = static_max / KIB_PER_PAGE;
    rc = xs_watch_add(store, "memory/target", target_changed, b, &b->watch);
    if (rc) {
        os_log(OS_LOG_WARN, "balloon: watching memory/target failed (%d)\n", rc);
        goto fail;
    }
    say_feature(b, "1");
    os_log(OS_LOG_INFO, "balloon: started, memory/static-max %llu KiB\n", kib(b->max_pages));
    *out = b;
    return 0;

fail:
    os_timer_sync(&b->timer);
    os_free(b);
    return rc;
}

void balloon_stop(struct balloon *b)
{
    uint64_t out;

    os_mutex_lock(&b->lock);
    set_state(b, BALLOON_STOPPING, BALLOON_STEP_DONE);
    os_mutex_unlock(&b->lock);
    xs_watch_remove(b->store, b->watch);
    os_timer_sync(&b->timer);
    os_work_flush(&b->work);
    say_feature(b, "0");
    out = b->out;
    balloon_frames_take_all_back(b);
    os_log(OS_LOG_INFO, "balloon: stopped, %llu page(s) taken back from Xen\n",
           (unsigned long long)(out - b->out));
    os_free(b);
}

void balloon_get_counts(struct balloon *b, struct balloon_counts *counts)
{
    os_mutex_lock(&b->lock);
    counts->out = b->out;
    counts->wanted = b->wanted;
    counts->held = b->state == BALLOON_HELD;
    os_mutex_unlock(&b->lock);
}
