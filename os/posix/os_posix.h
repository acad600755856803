/*
 * os/posix/os_posix.h - what only the user-space implementation of the seam
 * offers: guest memory as a shareable file, the hypervisor transport, and
 * the execution-context model. Used by tests and the simulator, never by
 * core/.
 */
#ifndef WINPV_OS_POSIX_H
#define WINPV_OS_POSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Guest memory: os_pages_alloc hands out pages of one memfd, and a page's
 * guest frame number is its offset in that file divided by 4096, so another
 * process given the fd can map any frame. Created on first use with
 * OS_POSIX_GUEST_PAGES_DEFAULT pages unless os_posix_guest_memory_init ran
 * first. The file is sparse: untouched pages cost nothing.
 */
#define OS_POSIX_GUEST_PAGES_DEFAULT (256u * 1024u) /* 1 GiB */

/* Returns 0, -XEN_EEXIST when memory already exists, or -XEN_ENOMEM. */
int os_posix_guest_memory_init(size_t pages);

/*
 * Use a domain's memory file from winpv-simd instead: frames
 * 0..mapped_pages-1 show the file 1:1, of which 0..ram_pages-1 are handed
 * out by os_pages_alloc; frames up to max_gfn have an address but no page
 * until remapped. Same errors as above.
 */
int os_posix_guest_memory_adopt(int fd, size_t ram_pages, size_t mapped_pages, size_t max_gfn);

/*
 * The domain was restored as another one with the same geometry: show the
 * new memory file at the same addresses (pointers stay valid), each page
 * with the protection it had (code stays executable, a guard page or a
 * frame taken away inaccessible), and the hole above the special pages
 * empty again. Takes @fd on success.
 */
int os_posix_guest_memory_move(int fd, size_t ram_pages, size_t mapped_pages, size_t max_gfn);

/*
 * Leave an adopted domain's memory (the process stops being its guest):
 * every page of it becomes inaccessible and the next adopt starts afresh.
 * Memory of our own is kept.
 */
void os_posix_guest_memory_release(void);

/*
 * The hypervisor changed the physical map: frame @gfn now shows the file's
 * page at byte @offset (UINT64_MAX: nothing; an access faults).
 */
int os_posix_guest_remap(uint64_t gfn, uint64_t offset);
int os_posix_guest_memory_fd(void);
size_t os_posix_guest_memory_pages(void);

/* The address of frame @gfn in this process, or NULL when out of range. */
void *os_posix_gfn_to_va(uint64_t gfn);

/* Whether frame @gfn has memory: not a RAM frame the hypervisor took away. */
bool os_posix_guest_frame_present(uint64_t gfn);

/* Pages currently allocated (for leak checks in tests). */
size_t os_posix_guest_pages_in_use(void);

/*
 * Frames one by one, for a kernel that describes pages by frame (an MDL):
 * take up to @count free RAM frames among @lowest..@highest, lowest first,
 * into @gfns, and return how many were free, leaving a sixteenth of RAM
 * free for pool and os_pages_alloc. Their contents are left as they are.
 * os_posix_guest_frames_give returns frames taken so, each with its memory
 * (a frame the hypervisor took away must be populated again first).
 */
size_t os_posix_guest_frames_take(uint64_t lowest, uint64_t highest, size_t count, uint64_t *gfns);
void os_posix_guest_frames_give(const uint64_t *gfns, size_t count);

/*
 * A run of @count free RAM frames in a row among @lowest..@highest that
 * crosses no multiple of @boundary frames (0: any), taken; its first frame
 * in @first. False when there is none. Contents left as they are; the run
 * goes back by os_posix_guest_frames_give.
 */
bool os_posix_guest_run_take(uint64_t lowest, uint64_t highest, size_t count, uint64_t boundary,
                             uint64_t *first);

/*
 * The hypervisor and platform as seen from this process. Without one,
 * hypercalls answer -XEN_ENOSYS and port reads return all ones (nothing
 * decodes the port), as on a machine without Xen.
 */
struct os_posix_platform {
    int64_t (*hypercall)(void *ctx, uint32_t op, const uint64_t args[5]);
    uint32_t (*port_in)(void *ctx, uint16_t port, unsigned int bytes);
    void (*port_out)(void *ctx, uint16_t port, unsigned int bytes, uint32_t value);
    void *ctx;
};

/* Install @platform (NULL: none). The structure must outlive its use. */
void os_posix_set_platform(const struct os_posix_platform *platform);

/*
 * Execution context. Code that delivers callbacks in dispatch context (event
 * channels in the simulator) brackets them with enter/leave; a passive-only
 * function called inside aborts naming itself.
 */
void os_posix_dispatch_enter(void);
void os_posix_dispatch_leave(void);
bool os_posix_in_dispatch(void);
void os_posix_require_passive(const char *function);

#endif /* WINPV_OS_POSIX_H */
