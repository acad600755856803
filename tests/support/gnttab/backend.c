/* tests/support/gnttab/backend.c - see backend.h. Compiled against Debian's headers. */
#include <stddef.h>
#include <sys/mman.h>

#include <xengnttab.h>

#include "backend.h"

struct backend *backend_open(void)
{
    return (struct backend *)xengnttab_open(NULL, 0);
}

void backend_close(struct backend *b)
{
    xengnttab_close((xengnttab_handle *)b);
}

void *backend_map(struct backend *b, uint32_t domid, uint32_t ref, bool writable)
{
    return xengnttab_map_grant_ref((xengnttab_handle *)b, domid, ref,
                                   PROT_READ | (writable ? PROT_WRITE : 0));
}

int backend_unmap(struct backend *b, void *page)
{
    return xengnttab_unmap((xengnttab_handle *)b, page, 1);
}
