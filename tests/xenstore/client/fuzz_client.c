/*
 * tests/xenstore/client/fuzz_client.c - whatever a daemon answers, the client
 * ends each request with a status, frees what it allocated and never
 * reads or writes out of bounds. One request is made (the first byte picks
 * which); the daemon (tests/xenstore/client/fake_store) answers it with the rest
 * of the input: as the payload of a reply with the right id (the second
 * byte picks the type: the request's own, XS_ERROR, or a watch event), or
 * as raw bytes on the reply ring, headers and all.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fake_store.h"
#include "os.h"
#include "xenstore/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum request { READ, DIRECTORY, GET_PERMS, TX_START, WRITE, REQUESTS };

struct call {
    struct xs_client *client;
    enum request request;
    int rc;
};

/* The request, in its own thread: it blocks until answered or shut down. */
static void *make_request(void *arg)
{
    struct call *call = arg;
    char *value = NULL, **names = NULL;
    struct xs_perm *perms = NULL;
    unsigned int count;
    xs_tx_t tx;

    switch (call->request) {
    case READ:
        call->rc = xs_client_read(call->client, XS_TX_NONE, "a/b", &value, NULL);
        break;
    case DIRECTORY:
        call->rc = xs_client_directory(call->client, XS_TX_NONE, "a", &names, &count);
        /* Every name handed out is a string within the block. */
        for (unsigned int i = 0; call->rc == 0 && i < count; i++)
            (void)strlen(names[i]);
        break;
    case GET_PERMS:
        call->rc = xs_get_perms(call->client, XS_TX_NONE, "a", &perms, &count);
        break;
    case TX_START:
        call->rc = xs_tx_start(call->client, &tx);
        break;
    default:
        call->rc = xs_client_write_str(call->client, XS_TX_NONE, "a/b", "v");
        break;
    }
    if (call->rc == 0 && value)
        (void)strlen(value);
    os_free(value);
    os_free(names);
    os_free(perms);
    return NULL;
}

static const uint32_t request_types[REQUESTS] = {XS_READ, XS_DIRECTORY, XS_GET_PERMS,
                                                 XS_TRANSACTION_START, XS_WRITE};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char payload[XENSTORE_PAYLOAD_MAX + 1];
    struct fake_store fs = {0};
    struct call call = {0};
    struct xsd_sockmsg hdr;
    pthread_t thread;
    size_t len;

    if (size < 2)
        return 0;
    len = size - 2 < XENSTORE_PAYLOAD_MAX ? size - 2 : XENSTORE_PAYLOAD_MAX;
    fake_store_open(&fs);
    xs_client_set_timeout(fs.client, 100ull * 1000 * 1000);
    call.client = fs.client;
    call.request = (enum request)(data[0] % REQUESTS);
    if (pthread_create(&thread, NULL, make_request, &call) != 0)
        __builtin_trap();
    if (fake_store_take(&fs, &hdr, payload)) {
        if (hdr.type != request_types[call.request])
            __builtin_trap(); /* the client sent something else than asked */
        switch (data[1] % 4) {
        case 0:
            fake_store_reply(&fs, hdr.type, hdr.req_id, data + 2, len);
            break;
        case 1:
            fake_store_reply(&fs, XS_ERROR, hdr.req_id, data + 2, len);
            break;
        case 2:
            fake_store_reply(&fs, XS_WATCH_EVENT, 0, data + 2, len);
            break;
        default:
            fake_store_put(&fs, data + 2, size - 2);
            fake_store_event(&fs);
            break;
        }
    }
    /* Whatever is still waiting fails now, as when XENBUS stops. */
    xs_client_shutdown(fs.client);
    pthread_join(thread, NULL);
    fake_store_close(&fs);
    return 0;
}
