/*
 * core/xenstore/client_watch.c - watches: XS_WATCH with a token naming the
 * watch (a number unique in the client, in hex), events queued as they
 * arrive and handed to their callbacks one at a time on deferred work.
 *
 * An event is matched to its watch by token when it is run, not when it
 * arrives: a removed watch is no longer in the list, so its late events
 * find nothing and are dropped. A callback may remove its own watch: the
 * watch leaves the list at once, and is freed by the dispatcher when the
 * callback returns (the thread running callbacks is recorded, so removal
 * knows not to wait for itself).
 */
#include <string.h>

#include "xenstore/client_internal.h"

/* The event's token, or NULL when the payload is not "path\0token\0". */
static const char *event_token(const struct xs_watch_event *event, const char **path)
{
    const char *strings[2];

    if (xs_wire_strings(event->payload, event->len, strings, 2) != 2)
        return NULL;
    *path = strings[XS_WATCH_PATH];
    return strings[XS_WATCH_TOKEN];
}

static size_t event_size(size_t len)
{
    return sizeof(struct xs_watch_event) + len + 1;
}

void xs_watch_queue_event(struct xs_client *client, const char *payload, size_t len)
{
    struct xs_watch_event *event = NULL;

    if (client->events_bytes + event_size(len) <= XS_CLIENT_WATCH_QUEUE_BYTES)
        event = os_alloc(event_size(len));
    if (event == NULL) {
        client->stats.watch_dropped++;
        return;
    }
    memcpy(event->payload, payload, len);
    event->len = len;
    if (client->events_tail)
        client->events_tail->next = event;
    else
        client->events = event;
    client->events_tail = event;
    client->events_bytes += event_size(len);
}

/* Take @event (whose predecessor is @prev) out of the queue. Lock held. */
static void unqueue(struct xs_client *client, struct xs_watch_event *prev,
                    struct xs_watch_event *event)
{
    if (prev)
        prev->next = event->next;
    else
        client->events = event->next;
    if (client->events_tail == event)
        client->events_tail = prev;
    client->events_bytes -= event_size(event->len);
}

/* Drop queued events for @token (NULL: all). Lock held. */
static void drop_events(struct xs_client *client, const char *token)
{
    struct xs_watch_event *prev = NULL, *event = client->events;

    while (event) {
        struct xs_watch_event *next = event->next;
        const char *path, *its = event_token(event, &path);

        if (token == NULL || its == NULL || strcmp(its, token) == 0) {
            unqueue(client, prev, event);
            os_free(event);
        } else {
            prev = event;
        }
        event = next;
    }
}

void xs_watch_drop_events(struct xs_client *client)
{
    drop_events(client, NULL);
}

static struct xs_watch *find_watch(struct xs_client *client, const char *token)
{
    for (struct xs_watch *w = client->watches; w; w = w->next) {
        if (strcmp(w->token, token) == 0)
            return w;
    }
    return NULL;
}

void xs_watch_dispatch(void *ctx)
{
    struct xs_client *client = ctx;
    uintptr_t self = os_thread_self();

    for (;;) {
        os_irql_t irql = os_spin_lock(&client->lock);
        struct xs_watch_event *event = client->events;
        struct xs_watch *watch = NULL;
        const char *path, *token;
        bool removed;

        if (event == NULL) {
            os_spin_unlock(&client->lock, irql);
            return;
        }
        unqueue(client, NULL, event);
        token = event_token(event, &path);
        if (token)
            watch = find_watch(client, token);
        client->running = watch;
        client->dispatcher = self;
        os_spin_unlock(&client->lock, irql);

        if (watch)
            watch->fn(watch->ctx, path);
        os_free(event);

        irql = os_spin_lock(&client->lock);
        removed = client->running_removed;
        client->running = NULL;
        client->running_removed = false;
        os_spin_unlock(&client->lock, irql);
        if (removed)
            os_free(watch); /* its callback removed it: the rest of xs_watch_remove is ours */
        os_event_set(&client->callback_done);
    }
}

static int send_watch(struct xs_client *client, uint32_t type, const struct xs_watch *watch)
{
    struct xs_part parts[2] = {{watch->path, strlen(watch->path) + 1},
                               {watch->token, strlen(watch->token) + 1}};

    return xs_client_request(client, type, XS_TX_NONE, parts, 2, NULL, NULL);
}

/*
 * Out of the list, its queued events dropped, its callback finished; then
 * returns true (free it). Called from that very callback, it cannot wait
 * for it to finish: it returns false, and the dispatcher frees the watch
 * once the callback returns.
 */
static bool unlink_watch(struct xs_client *client, struct xs_watch *watch)
{
    uintptr_t self = os_thread_self();
    bool own_callback;
    os_irql_t irql;

    os_mutex_lock(&client->watch_mutex);
    irql = os_spin_lock(&client->lock);
    for (struct xs_watch **p = &client->watches; *p; p = &(*p)->next) {
        if (*p == watch) {
            *p = watch->next;
            break;
        }
    }
    drop_events(client, watch->token);
    own_callback = client->running == watch && client->dispatcher == self;
    if (own_callback)
        client->running_removed = true;
    os_spin_unlock(&client->lock, irql);
    os_mutex_unlock(&client->watch_mutex);
    if (own_callback)
        return false;
    for (;;) {
        irql = os_spin_lock(&client->lock);
        if (client->running != watch)
            break;
        os_event_clear(&client->callback_done); /* set again after it returns, under the lock */
        os_spin_unlock(&client->lock, irql);
        os_event_wait(&client->callback_done, OS_WAIT_FOREVER);
    }
    os_spin_unlock(&client->lock, irql);
    return true;
}

/*
 * Whether a failed XS_WATCH may still have left the watch with the daemon:
 * anything but the daemon refusing the request itself (a reconnection in
 * between may have registered it already, a timeout may have let it
 * through).
 */
static bool may_be_registered(int rc)
{
    return rc != -XEN_EINVAL && rc != -XEN_E2BIG && rc != -XEN_EACCES;
}

int xs_watch_add(struct xs_client *client, const char *path, xs_watch_fn fn, void *ctx,
                 struct xs_watch **out)
{
    struct xs_watch *watch;
    os_irql_t irql;
    int rc = xs_path_check(path);

    if (rc)
        return rc;
    watch = os_alloc(sizeof(*watch) + strlen(path) + 1);
    if (watch == NULL)
        return -XEN_ENOMEM;
    watch->fn = fn;
    watch->ctx = ctx;
    memcpy(watch->path, path, strlen(path) + 1);
    /* Listed before XS_WATCH goes out: the first event may beat its reply. */
    os_mutex_lock(&client->watch_mutex);
    irql = os_spin_lock(&client->lock);
    xs_number_format(watch->token, client->next_watch_id++, 16);
    watch->next = client->watches;
    client->watches = watch;
    os_spin_unlock(&client->lock, irql);
    os_mutex_unlock(&client->watch_mutex);
    rc = send_watch(client, XS_WATCH, watch);
    /* A reconnection in between may have registered it already. */
    if (rc == -XEN_EEXIST)
        rc = 0;
    if (rc) {
        bool ours = unlink_watch(client, watch);

        if (may_be_registered(rc)) /* best effort: else it stays in the daemon's quota */
            send_watch(client, XS_UNWATCH, watch);
        if (ours)
            os_free(watch);
        return rc;
    }
    *out = watch;
    return 0;
}

void xs_watch_remove(struct xs_client *client, struct xs_watch *watch)
{
    bool ours = unlink_watch(client, watch);
    int rc = send_watch(client, XS_UNWATCH, watch);

    if (rc)
        os_log(OS_LOG_DEBUG, "xenstore: XS_UNWATCH %s: %d\n", watch->path, rc);
    if (ours)
        os_free(watch);
}

int xs_watch_register_all(struct xs_client *client)
{
    int first = 0;

    /* Membership cannot change under watch_mutex; entries cannot go away. */
    os_mutex_lock(&client->watch_mutex);
    for (struct xs_watch *w = client->watches; w; w = w->next) {
        int rc = send_watch(client, XS_WATCH, w);

        if (rc && rc != -XEN_EEXIST && first == 0)
            first = rc;
    }
    os_mutex_unlock(&client->watch_mutex);
    return first;
}
