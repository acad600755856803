/* sim/client/fdpass.h - messages with file descriptors (SCM_RIGHTS), both ends. */
#ifndef WINPV_SIM_FDPASS_H
#define WINPV_SIM_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Receive one message into @buf and up to @max descriptors into @fds
 * (unused slots set to -1; descriptors are close-on-exec). Extra
 * descriptors beyond @max are closed. Returns the message length, 0 at end
 * of stream, -1 on error (errno set).
 */
ssize_t sim_recv_with_fds(int sock, void *buf, size_t len, int *fds, int max);

/* Send one message with @count descriptors. Returns bytes sent or -1. */
ssize_t sim_send_with_fds(int sock, const void *buf, size_t len, const int *fds, int count);

/* Close the valid descriptors in @fds and set them to -1. */
void sim_close_fds(int *fds, int count);

#endif /* WINPV_SIM_FDPASS_H */
