/*
 * os/posix/memory.c - pool memory, and guest pages from one shareable file.
 *
 * Guest frame gfn is mapped at base + gfn * 4096. Either the memory is our
 * own memfd (frame = page offset in the file; freed pages are punched out,
 * returning the memory), or it is a domain's memory adopted from winpv-simd:
 * RAM frames 0..ram_pages-1 start 1:1 with the file, frames up to max_gfn
 * are a hole, and the hypervisor's changes to the physical map arrive as
 * remaps. Pages are found first-fit among RAM frames in a byte-per-page map
 * (tests allocate few, small runs) and zeroed when allocated. The map also
 * says which RAM frames the hypervisor took away (a remap to nothing): such
 * a frame is never handed out, and one given back to us while away is a bug
 * of ours, caught.
 *
 * Frames taken one by one (an MDL's pages, the balloon's) leave a
 * sixteenth of RAM free, as a kernel keeps pages back for its own needs:
 * pool and os_pages_alloc may still use those.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "os.h"
#include "os_posix.h"

#define FRAME_ALLOCATED 1u /* in guest.used: handed out */
#define FRAME_WITH_XEN  2u /* in guest.used: the hypervisor took the frame away */

static struct {
    pthread_mutex_t lock;
    int fd;
    uint8_t *base;
    size_t pages;   /* RAM frames: what os_pages_alloc hands out */
    size_t max_gfn; /* frames with an address: RAM and the hole above it */
    bool adopted;   /* the file belongs to the hypervisor */
    size_t in_use;
    uint8_t *used; /* one byte per page: FRAME_* bits */
} guest = {.lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1};

void *os_alloc(size_t size)
{
    return calloc(1, size ? size : 1);
}

void os_free(void *p)
{
    free(p);
}

/*
 * Map @fd's first @mapped frames at the start of a reservation of @max_gfn
 * frames (the rest inaccessible until remapped); the first @pages are what
 * os_pages_alloc hands out. Called with guest.lock held.
 */
static int guest_memory_map(int fd, size_t pages, size_t mapped, size_t max_gfn)
{
    uint8_t *base, *used;

    base = mmap(NULL, max_gfn * OS_PAGE_SIZE, PROT_NONE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return -XEN_ENOMEM;
    if (mmap(base, mapped * OS_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
        MAP_FAILED)
        goto fail_map;
    used = calloc(pages, 1);
    if (used == NULL)
        goto fail_map;
    guest.fd = fd;
    guest.base = base;
    guest.pages = pages;
    guest.max_gfn = max_gfn;
    guest.used = used;
    return 0;

fail_map:
    munmap(base, max_gfn * OS_PAGE_SIZE);
    return -XEN_ENOMEM;
}

static int guest_memory_create(size_t pages)
{
    int fd = memfd_create("winpv-guest-memory", MFD_CLOEXEC);
    int rc;

    if (fd < 0)
        return -XEN_ENOMEM;
    if (ftruncate(fd, (off_t)(pages * OS_PAGE_SIZE)) != 0) {
        close(fd);
        return -XEN_ENOMEM;
    }
    rc = guest_memory_map(fd, pages, pages, pages);
    if (rc)
        close(fd);
    return rc;
}

int os_posix_guest_memory_adopt(int fd, size_t ram_pages, size_t mapped_pages, size_t max_gfn)
{
    int rc;

    if (ram_pages == 0 || mapped_pages < ram_pages || max_gfn < mapped_pages)
        return -XEN_EINVAL;
    pthread_mutex_lock(&guest.lock);
    rc = guest.base ? -XEN_EEXIST : guest_memory_map(fd, ram_pages, mapped_pages, max_gfn);
    if (rc == 0)
        guest.adopted = true;
    pthread_mutex_unlock(&guest.lock);
    return rc;
}

/* A run of the guest's addresses as the process maps them now (/proc/self/maps). */
struct region {
    uintptr_t start, end;
    int prot;
    bool anonymous; /* a frame taken away (a hole), not the memory file */
};

/* The regions within [@from, @to), in order, in *@out (malloc'd); how many, or -1. */
static ssize_t regions_within(uintptr_t from, uintptr_t to, struct region **out)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    struct region *list = NULL;
    size_t count = 0, room = 0;
    char line[512];

    if (maps == NULL)
        return -1;
    while (fgets(line, sizeof(line), maps)) {
        unsigned long start, end, inode;
        char perms[5];
        int path = 0;

        if (sscanf(line, "%lx-%lx %4s %*x %*x:%*x %lu %n", &start, &end, perms, &inode, &path) <
                4 ||
            end <= from || start >= to)
            continue;
        if (count == room) {
            struct region *bigger = realloc(list, (room = room ? room * 2 : 64) * sizeof(*list));

            if (bigger == NULL) {
                free(list);
                fclose(maps);
                return -1;
            }
            list = bigger;
        }
        list[count++] = (struct region){
            .start = start < from ? from : start,
            .end = end > to ? to : end,
            .prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
                    (perms[2] == 'x' ? PROT_EXEC : 0),
            .anonymous = inode == 0,
        };
    }
    fclose(maps);
    *out = list;
    return (ssize_t)count;
}

/*
 * Show @fd over [0, @mapped_pages) region by region, each with the
 * protection it had (code executable, guard pages and frames taken away
 * inaccessible): each mmap replaces its region at once, so a thread running
 * code there meanwhile never finds it unmapped or not executable.
 */
static int show_moved(int fd, size_t mapped_pages)
{
    uintptr_t base = (uintptr_t)guest.base, top = base + mapped_pages * OS_PAGE_SIZE;
    struct region *r = NULL;
    ssize_t count = regions_within(base, top, &r);
    uintptr_t next = base;
    int rc = count < 0 ? -XEN_ENOMEM : 0;

    for (ssize_t i = 0; rc == 0 && i <= count; i++) {
        /* What no region covers (none should) shows the file, readable and writable. */
        uintptr_t start = i < count ? r[i].start : top;
        void *got = MAP_FAILED;

        if (start > next)
            got = mmap((void *)next, start - next, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                       fd, (off_t)(next - base));
        if (start > next && got == MAP_FAILED)
            rc = -XEN_ENOMEM;
        if (rc || i == count)
            break;
        if (r[i].anonymous)
            got = mmap((void *)r[i].start, r[i].end - r[i].start, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
        else
            got = mmap((void *)r[i].start, r[i].end - r[i].start, r[i].prot, MAP_SHARED | MAP_FIXED,
                       fd, (off_t)(r[i].start - base));
        if (got == MAP_FAILED)
            rc = -XEN_ENOMEM;
        next = r[i].end;
    }
    free(r);
    return rc;
}

int os_posix_guest_memory_move(int fd, size_t ram_pages, size_t mapped_pages, size_t max_gfn)
{
    int rc = 0;

    pthread_mutex_lock(&guest.lock);
    if (!guest.adopted || ram_pages != guest.pages || max_gfn != guest.max_gfn ||
        mapped_pages < ram_pages || mapped_pages > max_gfn) {
        rc = -XEN_EINVAL;
        goto out;
    }
    /* The same addresses now show the new file; the hole above is empty again. */
    if (show_moved(fd, mapped_pages) != 0 ||
        (max_gfn > mapped_pages &&
         mmap(guest.base + mapped_pages * OS_PAGE_SIZE, (max_gfn - mapped_pages) * OS_PAGE_SIZE,
              PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1,
              0) == MAP_FAILED)) {
        rc = -XEN_ENOMEM;
        goto out;
    }
    close(guest.fd);
    guest.fd = fd;
out:
    pthread_mutex_unlock(&guest.lock);
    return rc;
}

void os_posix_guest_memory_release(void)
{
    pthread_mutex_lock(&guest.lock);
    if (guest.adopted) {
        munmap(guest.base, guest.max_gfn * OS_PAGE_SIZE);
        close(guest.fd);
        free(guest.used);
        guest.base = NULL;
        guest.used = NULL;
        guest.fd = -1;
        guest.pages = guest.max_gfn = guest.in_use = 0;
        guest.adopted = false;
    }
    pthread_mutex_unlock(&guest.lock);
}

int os_posix_guest_remap(uint64_t gfn, uint64_t offset)
{
    void *va, *got;
    int rc = 0;

    pthread_mutex_lock(&guest.lock);
    if (!guest.adopted || gfn >= guest.max_gfn) {
        rc = -XEN_EINVAL;
        goto out;
    }
    va = guest.base + gfn * OS_PAGE_SIZE;
    if (offset == UINT64_MAX)
        got = mmap(va, OS_PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    else
        got = mmap(va, OS_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, guest.fd,
                   (off_t)offset);
    if (got == MAP_FAILED)
        rc = -XEN_ENOMEM;
    else if (gfn < guest.pages && offset == UINT64_MAX)
        guest.used[gfn] |= FRAME_WITH_XEN;
    else if (gfn < guest.pages)
        guest.used[gfn] &= (uint8_t)~FRAME_WITH_XEN;
out:
    pthread_mutex_unlock(&guest.lock);
    return rc;
}

int os_posix_guest_memory_init(size_t pages)
{
    int rc;

    pthread_mutex_lock(&guest.lock);
    rc = guest.base ? -XEN_EEXIST : guest_memory_create(pages);
    pthread_mutex_unlock(&guest.lock);
    return rc;
}

/* Called with guest.lock held. */
static int guest_memory_ensure(void)
{
    return guest.base ? 0 : guest_memory_create(OS_POSIX_GUEST_PAGES_DEFAULT);
}

int os_posix_guest_memory_fd(void)
{
    int fd;

    pthread_mutex_lock(&guest.lock);
    fd = guest_memory_ensure() == 0 ? guest.fd : -1;
    pthread_mutex_unlock(&guest.lock);
    return fd;
}

size_t os_posix_guest_memory_pages(void)
{
    size_t pages;

    pthread_mutex_lock(&guest.lock);
    pages = guest_memory_ensure() == 0 ? guest.pages : 0;
    pthread_mutex_unlock(&guest.lock);
    return pages;
}

void *os_posix_gfn_to_va(uint64_t gfn)
{
    void *va = NULL;

    pthread_mutex_lock(&guest.lock);
    if (guest.base && gfn < guest.max_gfn)
        va = guest.base + gfn * OS_PAGE_SIZE;
    pthread_mutex_unlock(&guest.lock);
    return va;
}

bool os_posix_guest_frame_present(uint64_t gfn)
{
    bool present;

    pthread_mutex_lock(&guest.lock);
    present = guest.base && gfn < guest.max_gfn &&
              (gfn >= guest.pages || !(guest.used[gfn] & FRAME_WITH_XEN));
    pthread_mutex_unlock(&guest.lock);
    return present;
}

size_t os_posix_guest_pages_in_use(void)
{
    size_t n;

    pthread_mutex_lock(&guest.lock);
    n = guest.in_use;
    pthread_mutex_unlock(&guest.lock);
    return n;
}

/* First page of a free run of @count pages, or guest.pages when none. */
static size_t find_free_run(size_t count)
{
    size_t run = 0;

    for (size_t i = 0; i < guest.pages; i++) {
        run = guest.used[i] ? 0 : run + 1;
        if (run == count)
            return i + 1 - count;
    }
    return guest.pages;
}

/* One past the last RAM frame among @lowest..@highest (0: none). Called with guest.lock held. */
static size_t ram_frames_end(uint64_t lowest, uint64_t highest)
{
    if (lowest >= guest.pages)
        return 0;
    return highest >= guest.pages ? guest.pages : (size_t)highest + 1;
}

size_t os_posix_guest_frames_take(uint64_t lowest, uint64_t highest, size_t count, uint64_t *gfns)
{
    size_t taken = 0, end, spare;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&guest.lock);
    if (guest_memory_ensure() != 0)
        goto out;
    spare = guest.pages - guest.in_use;
    spare = spare > guest.pages / 16 ? spare - guest.pages / 16 : 0;
    if (count > spare)
        count = spare;
    end = ram_frames_end(lowest, highest);
    for (size_t i = lowest; i < end && taken < count; i++) {
        if (guest.used[i])
            continue;
        guest.used[i] = FRAME_ALLOCATED;
        gfns[taken++] = i;
    }
    guest.in_use += taken;
out:
    pthread_mutex_unlock(&guest.lock);
    return taken;
}

bool os_posix_guest_run_take(uint64_t lowest, uint64_t highest, size_t count, uint64_t boundary,
                             uint64_t *first)
{
    size_t run = 0, end;
    bool found = false;

    os_posix_require_passive(__func__);
    pthread_mutex_lock(&guest.lock);
    if (count == 0 || guest_memory_ensure() != 0)
        goto out;
    end = ram_frames_end(lowest, highest);
    for (size_t i = lowest; i < end && !found; i++) {
        /* A run starts again at each boundary it may not cross. */
        if (guest.used[i] || (boundary && i % boundary == 0))
            run = 0;
        run = guest.used[i] ? 0 : run + 1;
        found = run == count;
        if (found)
            *first = i + 1 - count;
    }
    if (found) {
        memset(guest.used + *first, FRAME_ALLOCATED, count);
        guest.in_use += count;
    }
out:
    pthread_mutex_unlock(&guest.lock);
    return found;
}

void os_posix_guest_frames_give(const uint64_t *gfns, size_t count)
{
    os_posix_require_passive(__func__);
    pthread_mutex_lock(&guest.lock);
    for (size_t i = 0; i < count; i++) {
        OS_ASSERT_CMP(gfns[i], <, guest.pages);
        /* Allocated, and not given to the hypervisor: its memory is there. */
        OS_ASSERT_CMP(guest.used[gfns[i]], ==, FRAME_ALLOCATED);
        guest.used[gfns[i]] = 0;
        if (!guest.adopted)
            fallocate(guest.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                      (off_t)(gfns[i] * OS_PAGE_SIZE), (off_t)OS_PAGE_SIZE);
    }
    guest.in_use -= count;
    pthread_mutex_unlock(&guest.lock);
}

void *os_pages_alloc(size_t count, uint64_t *gfns)
{
    size_t first;
    uint8_t *va = NULL;

    os_posix_require_passive(__func__);
    if (count == 0)
        return NULL;
    pthread_mutex_lock(&guest.lock);
    if (guest_memory_ensure() != 0)
        goto out;
    first = find_free_run(count);
    if (first == guest.pages)
        goto out;
    memset(guest.used + first, FRAME_ALLOCATED, count);
    guest.in_use += count;
    va = guest.base + first * OS_PAGE_SIZE;
    for (size_t i = 0; i < count; i++)
        gfns[i] = first + i;
out:
    pthread_mutex_unlock(&guest.lock);
    if (va)
        memset(va, 0, count * OS_PAGE_SIZE);
    return va;
}

void os_pages_free(void *va, size_t count)
{
    size_t first;

    os_posix_require_passive(__func__);
    if (va == NULL)
        return;
    pthread_mutex_lock(&guest.lock);
    OS_ASSERT(guest.base && (uint8_t *)va >= guest.base);
    first = (size_t)((uint8_t *)va - guest.base) / OS_PAGE_SIZE;
    OS_ASSERT_CMP(first + count, <=, guest.pages);
    for (size_t i = first; i < first + count; i++) {
        OS_ASSERT_CMP(guest.used[i], ==, FRAME_ALLOCATED);
        guest.used[i] = 0;
    }
    guest.in_use -= count;
    /* Our own file: give the memory back. The hypervisor's: it decides. */
    if (!guest.adopted)
        fallocate(guest.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  (off_t)(first * OS_PAGE_SIZE), (off_t)(count * OS_PAGE_SIZE));
    pthread_mutex_unlock(&guest.lock);
}

struct os_balloon_pages {
    size_t count;
    uint64_t gfns[];
};

struct os_balloon_pages *os_balloon_pages_take(size_t count, uint64_t *gfns, size_t *taken)
{
    struct os_balloon_pages *pages;

    os_posix_require_passive(__func__);
    *taken = 0;
    pages = count ? malloc(sizeof(*pages) + count * sizeof(pages->gfns[0])) : NULL;
    if (pages == NULL)
        return NULL;
    pages->count = os_posix_guest_frames_take(0, UINT64_MAX, count, pages->gfns);
    if (pages->count == 0) {
        free(pages);
        return NULL;
    }
    memcpy(gfns, pages->gfns, pages->count * sizeof(gfns[0]));
    *taken = pages->count;
    return pages;
}

void os_balloon_pages_give(struct os_balloon_pages *pages)
{
    os_posix_require_passive(__func__);
    os_posix_guest_frames_give(pages->gfns, pages->count);
    free(pages);
}

/* Every frame of the domain is already mapped in this process. */
void *os_map_gfn(uint64_t gfn)
{
    os_posix_require_passive(__func__);
    return os_posix_gfn_to_va(gfn);
}

void os_unmap_gfn(void *va)
{
    (void)va;
}
