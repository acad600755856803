/*
 * winpv/console_interface.h - the guest's PV console, served by XENBUS.
 *
 * Version 1. Output goes to the toolstack's console of the guest (the
 * console xenconsoled logs and connects users to), where XENBUS's own log
 * lines go too:
 *
 *   write       copies up to @len bytes and returns how many went in: 0
 *               when the ring is full (the backend has not taken what is
 *               there) or the console stopped. Never waits: callable at
 *               any IRQL up to DISPATCH_LEVEL.
 *   write_wait  writes all @len bytes, waiting up to @timeout_ns for room
 *               each time the ring is full: 0, -XEN_ETIMEDOUT (the rest
 *               not written) or -XEN_EIO (the console stopped: a backend
 *               that broke the protocol). Passive-level.
 *
 * Input comes by lines, to one reader at a time:
 *
 *   reader_add     @fn gets each line the user types, without its end
 *                  ('\n', '\r' or "\r\n"), NUL-terminated after @len
 *                  bytes (the line may hold NULs of its own), valid only
 *                  during the call; @cut when the line was longer than
 *                  WINPV_CONSOLE_LINE_MAX bytes (the rest of it is
 *                  dropped). @fn runs at DISPATCH_LEVEL; it may write to
 *                  the console, not add or remove readers. Returns 0, or
 *                  -XEN_EBUSY while another reader reads.
 *   reader_remove  once it returns @fn is not running and is not called
 *                  again. Any IRQL up to DISPATCH_LEVEL, not from @fn.
 *
 * A child removes its reader before it gives its table back. Across a
 * suspend the console goes on (what is written meanwhile reaches the
 * backend after the resume).
 */
#ifndef WINPV_CONSOLE_INTERFACE_H
#define WINPV_CONSOLE_INTERFACE_H

#include <stdbool.h>

#include "winpv/interface.h"

/* {47cf145b-223c-4487-9674-558bfc61e4ed} */
#define WINPV_CONSOLE_INTERFACE_GUID                       \
    {                                                      \
        0x47cf145b, 0x223c, 0x4487,                        \
        {                                                  \
            0x96, 0x74, 0x55, 0x8b, 0xfc, 0x61, 0xe4, 0xed \
        }                                                  \
    }

#define WINPV_CONSOLE_INTERFACE_VERSION_MIN 1
#define WINPV_CONSOLE_INTERFACE_VERSION_MAX 1

#define WINPV_CONSOLE_LINE_MAX 256

struct winpv_console_interface_v1 {
    struct winpv_interface_header header;
    size_t (*write)(void *context, const void *data, size_t len);
    int (*write_wait)(void *context, const void *data, size_t len, uint64_t timeout_ns);
    int (*reader_add)(void *context, void (*fn)(void *arg, const char *line, size_t len, bool cut),
                      void *arg);
    void (*reader_remove)(void *context);
};

#endif /* WINPV_CONSOLE_INTERFACE_H */
