/*
 * sim/lib/toolcore.c - libxentoolcore.so.1 for programs on winpv-simd.
 *
 * The real library keeps a list of every open handle of the Xen libraries
 * so that xentoolcore_restrict_all() can confine them all to one domain
 * (QEMU's -xen-domid-restrict). Handles here are connections to the
 * daemon, which confines nothing: registration keeps no list, and
 * restricting reports success. xentoolcore__restrict_by_dup2_null() does
 * what the real one does for the libraries (libxenstore) that call it.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <xentoolcore.h>

/*
 * Declared by the real library's internal header, which is not installed;
 * the handle's layout does not matter here.
 */
typedef struct Xentoolcore__Active_Handle Xentoolcore__Active_Handle;
void xentoolcore__register_active_handle(Xentoolcore__Active_Handle *ah);
void xentoolcore__deregister_active_handle(Xentoolcore__Active_Handle *ah);
int xentoolcore__restrict_by_dup2_null(int fd);

int xentoolcore_restrict_all(domid_t domid)
{
    return 0;
}

void xentoolcore__register_active_handle(Xentoolcore__Active_Handle *ah)
{
}

void xentoolcore__deregister_active_handle(Xentoolcore__Active_Handle *ah)
{
}

/* Replace @fd with /dev/null, so that the handle using it can do nothing more. */
int xentoolcore__restrict_by_dup2_null(int fd)
{
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    if (null_fd < 0)
        return -1;
    if (dup2(null_fd, fd) < 0) {
        int saved = errno;

        close(null_fd);
        errno = saved;
        return -1;
    }
    close(null_fd);
    return 0;
}
