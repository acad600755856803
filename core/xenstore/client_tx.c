/*
 * core/xenstore/client_tx.c - transactions: the daemon names one in its
 * reply to XS_TRANSACTION_START (decimal), requests carry it in their
 * header, XS_TRANSACTION_END commits ("T") or abandons ("F") it.
 */
#include "xenstore/client_internal.h"

int xs_tx_start(struct xs_client *client, xs_tx_t *tx)
{
    static const struct xs_part empty = {"", 1};
    char *reply;
    size_t len;
    uint64_t id;
    int rc = xs_client_request(client, XS_TRANSACTION_START, XS_TX_NONE, &empty, 1, &reply, &len);

    if (rc)
        return rc;
    /* Its NUL is optional; 0 would mean no transaction at all. */
    if (len > 0 && reply[len - 1] == '\0')
        len--;
    if (xs_number_parse(reply, len, UINT32_MAX, &id) != 0 || id == XS_TX_NONE)
        rc = -XEN_EIO;
    os_free(reply);
    if (rc == 0) {
        *tx = (xs_tx_t)id;
        xs_client_count_transaction(client, 1);
    }
    return rc;
}

int xs_tx_end(struct xs_client *client, xs_tx_t tx, bool commit)
{
    struct xs_part verdict = {commit ? "T" : "F", 2};
    int rc;

    if (tx == XS_TX_NONE)
        return -XEN_EINVAL;
    rc = xs_client_request(client, XS_TRANSACTION_END, tx, &verdict, 1, NULL, NULL);
    /* Ended whatever the answer: the caller will not use it again. */
    xs_client_count_transaction(client, -1);
    return rc;
}

int xs_transact(struct xs_client *client, xs_tx_body_fn body, void *ctx, unsigned int max_attempts)
{
    for (unsigned int attempt = 0; attempt < max_attempts; attempt++) {
        xs_tx_t tx;
        int rc = xs_tx_start(client, &tx);

        if (rc)
            return rc;
        rc = body(client, tx, ctx);
        if (rc) {
            xs_tx_end(client, tx, false);
            return rc;
        }
        rc = xs_tx_end(client, tx, true);
        if (rc != -XEN_EAGAIN)
            return rc;
    }
    return -XEN_EAGAIN;
}
