/* sim/blkback/disk.c - see disk.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"

static uint64_t sectors_of(const struct disk *d)
{
    struct stat st;

    if (fstat(d->fd, &st) != 0 || st.st_size < 0)
        return d->sectors;
    return (uint64_t)st.st_size / d->sector_size;
}

int disk_open(struct disk *d, const char *path, bool readonly, bool write_through,
              uint32_t sector_size)
{
    int flags = (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | (write_through ? O_DSYNC : 0);

    d->readonly = readonly;
    d->sector_size = sector_size;
    d->sectors = 0;
    d->fd = open(path, flags);
    if (d->fd < 0) {
        int err = errno;

        fprintf(stderr, "winpv-blkback: cannot open %s: %s\n", path, strerror(err));
        return -err;
    }
    d->sectors = sectors_of(d);
    return 0;
}

void disk_close(struct disk *d)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
}

bool disk_refresh(struct disk *d)
{
    uint64_t sectors = sectors_of(d);

    if (sectors == d->sectors)
        return false;
    d->sectors = sectors;
    return true;
}
