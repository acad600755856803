/*
 * core/xenstore/client_perms.c - a node's permissions: on the wire one
 * string per entry, its access letter then the domain id ("b0", "r5"),
 * the owner first.
 */
#include <string.h>

#include "xenstore/client_internal.h"

/* An access letter and up to 10 digits. */
#define PERM_TEXT_MAX (1 + XS_U32_TEXT_SIZE)

static bool access_valid(char access)
{
    return access == XS_PERM_NONE || access == XS_PERM_READ || access == XS_PERM_WRITE ||
           access == XS_PERM_BOTH;
}

/* Each entry of the reply: its access letter, then the domain. */
static bool parse_perms(const char *reply, struct xs_perm *out, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        size_t entry = strlen(reply);
        uint64_t domid;

        if (entry < 2 || !access_valid(reply[0]) ||
            xs_number_parse(reply + 1, entry - 1, UINT32_MAX, &domid) != 0)
            return false;
        out[i].domid = (uint32_t)domid;
        out[i].access = (enum xs_perm_access)reply[0];
        reply += entry + 1;
    }
    return true;
}

int xs_get_perms(struct xs_client *client, xs_tx_t tx, const char *path, struct xs_perm **perms,
                 unsigned int *count)
{
    struct xs_perm *out = NULL;
    char *reply;
    size_t len;
    unsigned int n;
    int rc = xs_client_request_strings(client, XS_GET_PERMS, tx, path, &reply, &len, &n);

    if (rc)
        return rc;
    if (n == 0) /* a node always has an owner */
        rc = -XEN_EIO;
    else if ((out = os_alloc(n * sizeof(*out))) == NULL)
        rc = -XEN_ENOMEM;
    else if (!parse_perms(reply, out, n))
        rc = -XEN_EIO;
    os_free(reply);
    if (rc) {
        os_free(out);
        return rc;
    }
    *perms = out;
    *count = n;
    return 0;
}

int xs_set_perms(struct xs_client *client, xs_tx_t tx, const char *path,
                 const struct xs_perm *perms, unsigned int count)
{
    struct xs_part parts[2] = {{path, 0}, {NULL, 0}};
    char *text, *at;
    int rc = xs_path_check(path);

    if (rc)
        return rc;
    if (count == 0)
        return -XEN_EINVAL; /* there is always an owner */
    if (count > XENSTORE_PAYLOAD_MAX / 3)
        return -XEN_E2BIG; /* "n0" and its NUL each: it cannot fit */
    text = os_alloc((size_t)count * PERM_TEXT_MAX);
    if (text == NULL)
        return -XEN_ENOMEM;
    at = text;
    for (unsigned int i = 0; i < count && rc == 0; i++) {
        if (!access_valid((char)perms[i].access))
            rc = -XEN_EINVAL;
        *at++ = (char)perms[i].access;
        at += xs_number_format(at, perms[i].domid, 10) + 1;
    }
    parts[0].len = strlen(path) + 1;
    parts[1].data = text;
    parts[1].len = (size_t)(at - text);
    if (rc == 0)
        rc = xs_client_request(client, XS_SET_PERMS, tx, parts, 2, NULL, NULL);
    os_free(text);
    return rc;
}
