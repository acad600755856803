/* tests/support/xenstore/dom0.c - see dom0.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "dom0.h"
#include "fixture.h"

char *dom0_read(const char *path, unsigned int *len)
{
    return xs_read(store.xsh, XBT_NULL, path, len);
}

bool dom0_write(const char *path, const void *value, unsigned int len)
{
    return xs_write(store.xsh, XBT_NULL, path, value, len);
}

bool dom0_write_str(const char *path, const char *value)
{
    return dom0_write(path, value, (unsigned int)strlen(value));
}

bool dom0_mkdir(const char *path)
{
    return xs_mkdir(store.xsh, XBT_NULL, path);
}

bool dom0_rm(const char *path)
{
    return xs_rm(store.xsh, XBT_NULL, path);
}

char **dom0_directory(const char *path, unsigned int *count)
{
    return xs_directory(store.xsh, XBT_NULL, path, count);
}

static char letter(unsigned int perms)
{
    static const char letters[] = {'n', 'r', 'w', 'b'};

    return letters[perms & (XS_PERM_READ | XS_PERM_WRITE)];
}

static unsigned int bits(char access)
{
    return (access == 'r' || access == 'b' ? XS_PERM_READ : 0) |
           (access == 'w' || access == 'b' ? XS_PERM_WRITE : 0);
}

int dom0_get_perms(const char *path, struct dom0_perm *perms, unsigned int max)
{
    unsigned int n;
    struct xs_permissions *got = xs_get_permissions(store.xsh, XBT_NULL, path, &n);

    if (got == NULL || n > max) {
        free(got);
        return -1;
    }
    for (unsigned int i = 0; i < n; i++)
        perms[i] = (struct dom0_perm){.domid = got[i].id, .access = letter(got[i].perms)};
    free(got);
    return (int)n;
}

bool dom0_set_perms(const char *path, const struct dom0_perm *perms, unsigned int count)
{
    struct xs_permissions p[16];

    if (count > 16)
        return false;
    for (unsigned int i = 0; i < count; i++)
        p[i] = (struct xs_permissions){.id = perms[i].domid, .perms = bits(perms[i].access)};
    return xs_set_permissions(store.xsh, XBT_NULL, path, p, count);
}

uint32_t dom0_tx_start(void)
{
    xs_transaction_t tx = xs_transaction_start(store.xsh);

    return tx == XBT_NULL ? 0 : tx;
}

char *dom0_tx_read(uint32_t tx, const char *path)
{
    return xs_read(store.xsh, tx, path, NULL);
}

bool dom0_tx_write(uint32_t tx, const char *path, const char *value)
{
    return xs_write(store.xsh, tx, path, value, (unsigned int)strlen(value));
}

bool dom0_tx_end(uint32_t tx, bool abandon)
{
    return xs_transaction_end(store.xsh, tx, abandon);
}

int dom0_errno(void)
{
    return errno;
}
