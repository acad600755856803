/* sim/nt/clock.h - starting the kernel's clock (see clock.c). */
#ifndef WINPV_SIM_NT_CLOCK_H
#define WINPV_SIM_NT_CLOCK_H

#include <stdint.h>

/* Start the clock; returns the address of the KUSER_SHARED_DATA page. */
uint64_t nt_time_start(void);
void nt_time_stop(void);
/* Where KUSER_SHARED_DATA reads go: what nt_time_start returned. */
uint64_t nt_kuser_page(void);

/*
 * Bring KUSER_SHARED_DATA's clocks up to now: a timer that fires does this
 * first, so the driver it wakes never reads a time before the one it waited for.
 */
void nt_clock_refresh(void);

/* The CLOCK_REALTIME time @ms milliseconds from now, for a pthread_cond_timedwait. Any thread. */
struct timespec;
void nt_deadline_after_ms(struct timespec *deadline, uint64_t ms);

#endif /* WINPV_SIM_NT_CLOCK_H */
