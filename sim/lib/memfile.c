/* sim/lib/memfile.c - domains' memory files, shared by a handle's mappings. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xen/errno.h>

#include "fdpass.h"
#include "memfile.h"

/* SIM_DOMAIN_MEMORY: the file must be there and at least as large as announced. */
static int fetch(struct simlib_conn *c, uint32_t domid, int *fd, uint64_t *size)
{
    struct sim_request req = {.type = SIM_DOMAIN_MEMORY};
    struct sim_reply reply;
    int fds[SIM_MAX_REPLY_FDS];
    struct stat st;
    int rc;

    req.body.domid.domid = domid;
    rc = simlib_call(c, &req, &reply, fds);
    if (rc)
        return rc;
    *fd = fds[0];
    fds[0] = -1;
    sim_close_fds(fds, SIM_MAX_REPLY_FDS);
    *size = reply.body.memory.size;
    if (*fd < 0 || *size == 0 || *size % SIMLIB_PAGE_SIZE != 0 || fstat(*fd, &st) != 0 ||
        st.st_size < 0 || (uint64_t)st.st_size < *size) {
        if (*fd >= 0)
            close(*fd);
        return -XEN_EIO;
    }
    return 0;
}

int memfile_get(struct memfile_cache *cache, struct simlib_conn *c, uint32_t domid,
                struct memfile **file)
{
    struct memfile *f;
    int rc;

    for (f = cache->files; f; f = f->next) {
        if (f->domid == domid) {
            f->refs++;
            *file = f;
            return 0;
        }
    }
    f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -XEN_ENOMEM;
    rc = fetch(c, domid, &f->fd, &f->size);
    if (rc) {
        free(f);
        return rc;
    }
    f->domid = domid;
    f->refs = 1;
    f->next = cache->files;
    cache->files = f;
    *file = f;
    return 0;
}

void memfile_put(struct memfile_cache *cache, struct memfile *file)
{
    if (--file->refs > 0)
        return;
    for (struct memfile **p = &cache->files; *p; p = &(*p)->next) {
        if (*p == file) {
            *p = file->next;
            break;
        }
    }
    close(file->fd);
    free(file);
}

bool memfile_has_page(const struct memfile *file, uint64_t offset)
{
    return offset % SIMLIB_PAGE_SIZE == 0 && offset < file->size &&
           file->size - offset >= SIMLIB_PAGE_SIZE;
}
