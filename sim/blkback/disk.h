/*
 * sim/blkback/disk.h - the image file a vbd is backed by.
 *
 * Write-back semantics: writes go through the host's page cache, so what a
 * response acknowledged survives the backend process being killed (the
 * kernel holds it), and a flush or barrier (fdatasync) makes it survive the
 * host too. When neither flush nor barrier is offered, a frontend has no
 * way to ask for that, so the image is opened O_DSYNC: every acknowledged
 * write is then on stable storage.
 */
#ifndef WINPV_BLKBACK_DISK_H
#define WINPV_BLKBACK_DISK_H

#include <stdbool.h>
#include <stdint.h>

struct disk {
    int fd;
    bool readonly;
    uint32_t sector_size;
    uint64_t sectors; /* whole sectors in the file */
};

/* Open @path. Returns 0, or -errno with a message on stderr. */
int disk_open(struct disk *d, const char *path, bool readonly, bool write_through,
              uint32_t sector_size);
void disk_close(struct disk *d);

/* Look at the file's size again: true when the number of sectors changed. */
bool disk_refresh(struct disk *d);

#endif /* WINPV_BLKBACK_DISK_H */
