/*
 * sim/nt/storport_dump.h - the simulated Storport's crash-dump and
 * hibernation mode (storport_dump.c).
 */
#ifndef WINPV_SIM_NT_STORPORT_DUMP_H
#define WINPV_SIM_NT_STORPORT_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A crash dump (@hiber false) or a hibernation of the guest's disk @disk:
 * the file at @path written at byte @offset through a second copy of the
 * disk's miniport in dump mode, read back and compared. Answers "ok BYTES
 * REQUESTS LARGEST" or "error ..." in @answer; 0 or -1. Once the machine
 * is frozen (anything but a refusal before it) it ends at
 * storport_dump_end. Context: a kernel thread at PASSIVE_LEVEL.
 */
int storport_dump_run(unsigned int disk, const char *path, uint64_t offset, bool hiber,
                      char *answer, size_t size);

/* After the answer to a dump went out: the machine ends, when a dump froze it. */
void storport_dump_end(void);

#endif /* WINPV_SIM_NT_STORPORT_DUMP_H */
