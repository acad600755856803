/* tests/xenstore/client/fake_store.c - see fake_store.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_store.h"
#include "os.h"
#include "os_posix.h"

static void notify(void *ctx)
{
    struct fake_store *fs = ctx;
    unsigned int none = 0;

    atomic_fetch_add(&fs->notifying, 1);
    atomic_compare_exchange_strong(&fs->first_notify_cons, &none,
                                   __atomic_load_n(&fs->intf->rsp_cons, __ATOMIC_ACQUIRE));
    while (atomic_load(&fs->hold))
        usleep(1000);
    atomic_fetch_add(&fs->notified, 1);
    atomic_fetch_sub(&fs->notifying, 1);
}

void fake_store_open(struct fake_store *fs)
{
    struct xs_transport transport = {.notify = notify, .ctx = fs};

    fs->intf = calloc(1, sizeof(*fs->intf));
    atomic_store(&fs->notified, 0);
    atomic_store(&fs->notifying, 0);
    atomic_store(&fs->hold, false);
    atomic_store(&fs->first_notify_cons, 0);
    transport.intf = fs->intf;
    if (fs->intf == NULL || xs_client_create(&transport, &fs->client) != 0) {
        fprintf(stderr, "fake_store: cannot create the client\n");
        abort();
    }
}

void fake_store_close(struct fake_store *fs)
{
    if (fs->client)
        xs_client_destroy(fs->client);
    fs->client = NULL;
    free(fs->intf);
}

void fake_store_event(struct fake_store *fs)
{
    os_posix_dispatch_enter();
    xs_client_on_event(fs->client);
    os_posix_dispatch_leave();
}

/* Up to @len request bytes; how many. */
static size_t take_some(struct fake_store *fs, void *out, size_t len)
{
    uint32_t cons = fs->intf->req_cons;
    uint32_t prod = __atomic_load_n(&fs->intf->req_prod, __ATOMIC_ACQUIRE);
    size_t n = 0;

    for (; n < len && cons + (uint32_t)n != prod; n++)
        ((char *)out)[n] = fs->intf->req[MASK_XENSTORE_IDX(cons + (uint32_t)n)];
    __atomic_store_n(&fs->intf->req_cons, cons + (uint32_t)n, __ATOMIC_RELEASE);
    return n;
}

static bool take_all(struct fake_store *fs, void *out, size_t len, int *ms_left)
{
    for (size_t done = 0; done < len;) {
        size_t n = take_some(fs, (char *)out + done, len - done);

        done += n;
        if (n > 0) {
            fake_store_event(fs); /* room for the rest */
        } else {
            if ((*ms_left)-- <= 0)
                return false;
            usleep(1000);
        }
    }
    return true;
}

bool fake_store_take(struct fake_store *fs, struct xsd_sockmsg *hdr, char *payload)
{
    int ms_left = 5000;

    if (!take_all(fs, hdr, sizeof(*hdr), &ms_left))
        return false;
    if (hdr->len > XENSTORE_PAYLOAD_MAX)
        return false; /* our client never sends one */
    if (!take_all(fs, payload, hdr->len, &ms_left))
        return false;
    payload[hdr->len] = '\0';
    return true;
}

void fake_store_put(struct fake_store *fs, const void *data, size_t len)
{
    unsigned int stalled = 0; /* rounds in which a full ring was not read */

    for (size_t done = 0; done < len && stalled < 3;) {
        uint32_t prod = fs->intf->rsp_prod;
        uint32_t cons = __atomic_load_n(&fs->intf->rsp_cons, __ATOMIC_ACQUIRE);
        size_t n = 0;

        for (; done + n < len && (uint32_t)(prod + (uint32_t)n - cons) < XENSTORE_RING_SIZE; n++)
            fs->intf->rsp[MASK_XENSTORE_IDX(prod + (uint32_t)n)] = ((const char *)data)[done + n];
        __atomic_store_n(&fs->intf->rsp_prod, prod + (uint32_t)n, __ATOMIC_RELEASE);
        done += n;
        stalled = n ? 0 : stalled + 1;
        if (done < len)
            fake_store_event(fs); /* full: let the client take some */
    }
}

void fake_store_reply(struct fake_store *fs, uint32_t type, uint32_t req_id, const void *payload,
                      size_t len)
{
    struct xsd_sockmsg hdr = {.type = type, .req_id = req_id, .len = (uint32_t)len};

    fake_store_put(fs, &hdr, sizeof(hdr));
    fake_store_put(fs, payload, len);
    fake_store_event(fs);
}
