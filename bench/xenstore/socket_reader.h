/*
 * bench/xenstore/socket_reader.h - dom0's side of the xenstore benchmark:
 * the real libxenstore on xenstored's socket, which publishes the node the
 * guest reads and makes the baseline reads. Kept in a file of its own:
 * <xenstore.h> and our client's header cannot meet.
 */
#ifndef WINPV_BENCH_XENSTORE_SOCKET_READER_H
#define WINPV_BENCH_XENSTORE_SOCKET_READER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Open a connection of our own (xs_open on the socket xenstore_start
 * pointed libxenstore at). Returns false, with the reason printed, if none.
 */
bool socket_reader_open(void);
void socket_reader_close(void);

/*
 * Write @len bytes of @value at @path, owned by dom0 with read access for
 * domain @reader (and nobody else). Returns false, with the reason printed.
 */
bool socket_reader_publish(const char *path, const void *value, unsigned int len, uint32_t reader);

/* One XS_READ of @path; 0 if it returned @len bytes, else -1. */
int socket_reader_read(const char *path, unsigned int len);

#endif /* WINPV_BENCH_XENSTORE_SOCKET_READER_H */
