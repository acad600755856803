/*
 * sim/lib/interpose.c - libc calls that libxenctrl.so.4.17 takes over in
 * the programs that load it, so that unmodified Xen daemons run on
 * winpv-simd without a Xen kernel:
 *
 *  - open/open64 of /proc/xen/xsd_port and /proc/xen/xsd_kva, paths
 *    compiled into xenstored, open $WINPV_SIM_DIR/xsd_port and xsd_kva
 *    instead (files the toolstack writes); every other path goes to libc.
 *  - setrlimit/setrlimit64 of RLIMIT_NOFILE: oxenstored and xenconsoled
 *    raise the limit to fs.nr_open, which needs CAP_SYS_RESOURCE; a raise
 *    refused with EPERM is retried clamped to the current hard limit.
 *
 * The programs bind these names in version GLIBC_2.2.5, so that is the
 * version they are exported in (xenctrl.map); libxenctrl comes before libc
 * in the programs' search order, so they are found first. The libc
 * functions are the next definitions after this library (RTLD_NEXT).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "proto.h"

typedef int open_fn(const char *path, int flags, ...);
typedef int setrlimit64_fn(__rlimit_resource_t resource, const struct rlimit64 *rlim);
typedef int setrlimit_fn(__rlimit_resource_t resource, const struct rlimit *rlim);

/* libc's @name, looked up once; a failed lookup leaves the call failing with ENOSYS. */
static void *next_symbol(void **cache, const char *name)
{
    void *fn = __atomic_load_n(cache, __ATOMIC_ACQUIRE);

    if (fn == NULL) {
        fn = dlsym(RTLD_NEXT, name);
        __atomic_store_n(cache, fn, __ATOMIC_RELEASE);
    }
    if (fn == NULL)
        errno = ENOSYS;
    return fn;
}

static const struct {
    const char *path;
    const char *name; /* in $WINPV_SIM_DIR */
} redirected[] = {
    {"/proc/xen/xsd_port", "xsd_port"},
    {"/proc/xen/xsd_kva", "xsd_kva"},
};

/* The file to open for @path: a redirection in @buf, or @path itself. */
static const char *redirect(const char *path, char *buf, size_t size)
{
    const char *dir = getenv(SIM_RUN_DIR_ENV);

    if (path == NULL || dir == NULL || *dir == '\0')
        return path;
    for (size_t i = 0; i < sizeof(redirected) / sizeof(redirected[0]); i++) {
        if (strcmp(path, redirected[i].path) == 0) {
            int n = snprintf(buf, size, "%s/%s", dir, redirected[i].name);

            return n > 0 && (size_t)n < size ? buf : path;
        }
    }
    return path;
}

static bool needs_mode(int flags)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

static int open_redirected(void **cache, const char *name, const char *path, int flags, mode_t mode)
{
    open_fn *next = (open_fn *)next_symbol(cache, name);
    char buf[PATH_MAX];

    if (next == NULL)
        return -1;
    return next(redirect(path, buf, sizeof(buf)), flags, mode);
}

int open(const char *path, int flags, ...)
{
    static void *next;
    mode_t mode = 0;

    if (needs_mode(flags)) {
        va_list ap;

        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    return open_redirected(&next, "open", path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    static void *next;
    mode_t mode = 0;

    if (needs_mode(flags)) {
        va_list ap;

        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    return open_redirected(&next, "open64", path, flags, mode);
}

/*
 * After libc refused to raise RLIMIT_NOFILE (EPERM), the request within
 * the current hard limit, in *cur and *max; false if it cannot be made so.
 */
static bool clamp_nofile(rlim64_t *cur, rlim64_t *max)
{
    struct rlimit64 now;

    if (*cur > *max || getrlimit64(RLIMIT_NOFILE, &now) != 0 || *max <= now.rlim_max)
        return false;
    *max = now.rlim_max;
    if (*cur > *max)
        *cur = *max;
    return true;
}

int setrlimit(__rlimit_resource_t resource, const struct rlimit *rlim)
{
    static void *cache;
    setrlimit_fn *next = (setrlimit_fn *)next_symbol(&cache, "setrlimit");
    struct rlimit clamped = *rlim;
    rlim64_t cur = rlim->rlim_cur, max = rlim->rlim_max;
    int rc;

    if (next == NULL)
        return -1;
    rc = next(resource, rlim);
    if (rc != 0 && errno == EPERM && resource == RLIMIT_NOFILE && clamp_nofile(&cur, &max)) {
        clamped.rlim_cur = cur;
        clamped.rlim_max = max;
        rc = next(resource, &clamped);
    }
    return rc;
}

int setrlimit64(__rlimit_resource_t resource, const struct rlimit64 *rlim)
{
    static void *cache;
    setrlimit64_fn *next = (setrlimit64_fn *)next_symbol(&cache, "setrlimit64");
    struct rlimit64 clamped = *rlim;
    int rc;

    if (next == NULL)
        return -1;
    rc = next(resource, rlim);
    if (rc != 0 && errno == EPERM && resource == RLIMIT_NOFILE &&
        clamp_nofile(&clamped.rlim_cur, &clamped.rlim_max))
        rc = next(resource, &clamped);
    return rc;
}
