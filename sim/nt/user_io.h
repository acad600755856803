/*
 * sim/nt/user_io.h - the guest's disks for a person outside (user_io.c):
 * requests on a Unix socket, served on a kernel thread. Start once, stop
 * before the drivers go (a request in flight finishes first).
 */
#ifndef WINPV_SIM_NT_USER_IO_H
#define WINPV_SIM_NT_USER_IO_H

int nt_user_io_start(const char *path);
void nt_user_io_stop(void);

#endif /* WINPV_SIM_NT_USER_IO_H */
