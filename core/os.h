/*
 * core/os.h - the one seam between the portable engines in core/ and the OS.
 *
 * core/ sees the operating system only through this header. Two
 * implementations exist: os/nt (the Windows kernel) and os/posix (user space,
 * for tests and the simulator). Each provides "os_impl.h", which defines the
 * storage of the objects below (so core can embed them) and may add inline
 * versions of small functions.
 *
 * Execution contexts. Every function here and in core/ states where it may be
 * called, because the same code runs at DISPATCH_LEVEL on Windows:
 *
 *   any       anywhere: passive code, a spinlock held, an event or timer
 *             callback (DPC on Windows). Never blocks.
 *   passive   only where blocking is allowed: no spinlock held, not in a
 *             callback (PASSIVE_LEVEL, or APC_LEVEL under an os_mutex).
 *
 * Event-channel, timer and interrupt-driven callbacks run in dispatch
 * context (a DPC on Windows): never at device IRQL. The upcall interrupt
 * itself only records and defers; it shares no lock with core/.
 *
 * os/posix enforces the rules: a passive-only function called in dispatch
 * context (spinlock held, callback running) aborts with a message naming
 * it, so a test catches what would be a bugcheck on Windows.
 *
 * Errors are negative XEN_E* numbers from xen/errno.h (Xen's own values, so a
 * hypercall's result needs no translation).
 */
#ifndef WINPV_CORE_OS_H
#define WINPV_CORE_OS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/errno.h>

#define OS_PAGE_SHIFT 12
#define OS_PAGE_SIZE  4096u

typedef void (*os_work_fn)(void *ctx);
typedef void (*os_timer_fn)(void *ctx);

#include "os_impl.h"

/* -- memory --------------------------------------------------------------- */

/*
 * Allocate @size bytes of zeroed, non-pageable memory. Returns NULL when
 * there is none. Context: any.
 */
void *os_alloc(size_t size);

/* Free what os_alloc returned; NULL is ignored. Context: any. */
void os_free(void *p);

/*
 * Allocate @count zeroed pages, contiguous in virtual memory, and give the
 * guest frame number of each in @gfns (what a grant or a hypercall names).
 * Returns the address of the first page, or NULL. Context: passive.
 */
void *os_pages_alloc(size_t count, uint64_t *gfns);

/* Free pages from os_pages_alloc; @count as allocated. Context: passive. */
void os_pages_free(void *va, size_t count);

/*
 * Map the guest frame @gfn that is not our RAM (a page the toolstack set up,
 * such as the xenstore ring) for access: its address, or NULL. Unmap with
 * the address returned. Context: passive.
 */
void *os_map_gfn(uint64_t gfn);
void os_unmap_gfn(void *va);

/*
 * Pages for the hypervisor (the balloon): up to @count pages of RAM the OS
 * can spare, never what it keeps for itself, their frames in @gfns and how
 * many in *taken (fewer than asked, or none, when it can spare no more).
 * Their contents are undefined and nobody maps them: the caller gives the
 * frames to Xen. Returns the set they belong to (NULL when none), given
 * back whole with os_balloon_pages_give once every frame of it is
 * populated again. Context: passive.
 */
struct os_balloon_pages;
struct os_balloon_pages *os_balloon_pages_take(size_t count, uint64_t *gfns, size_t *taken);
void os_balloon_pages_give(struct os_balloon_pages *pages);

/* -- locks ---------------------------------------------------------------- */

/*
 * A spinlock: usable from any context, held briefly, never across a wait.
 * While held the holder is in dispatch context. The returned state is
 * handed back to os_spin_unlock.
 */
void os_spin_init(struct os_spinlock *lock);
os_irql_t os_spin_lock(struct os_spinlock *lock);
void os_spin_unlock(struct os_spinlock *lock, os_irql_t saved);

/*
 * Take @lock only if it is free now: true, in dispatch context with the
 * state for os_spin_unlock in *saved; or false, nothing taken. For a
 * caller that must not wait for a holder that may never let go (the
 * caller itself, further up its stack, or a processor held still).
 * Context: any.
 */
bool os_spin_trylock(struct os_spinlock *lock, os_irql_t *saved);

/*
 * A mutex for passive code that may block while holding it (a xenstore
 * request waits for its reply under it). Context: passive.
 */
void os_mutex_init(struct os_mutex *mutex);
void os_mutex_lock(struct os_mutex *mutex);
void os_mutex_unlock(struct os_mutex *mutex);

/* -- waits ---------------------------------------------------------------- */

/*
 * A notification event: set stays set until cleared and releases every
 * waiter. init/set/clear: any context.
 */
void os_event_init(struct os_event *event);
void os_event_set(struct os_event *event);
void os_event_clear(struct os_event *event);

#define OS_WAIT_FOREVER UINT64_MAX

/*
 * Wait until @event is set or @timeout_ns passed (OS_WAIT_FOREVER: no
 * limit). Returns 0, or -XEN_ETIMEDOUT. Context: passive.
 */
int os_event_wait(struct os_event *event, uint64_t timeout_ns);

/* -- deferred work -------------------------------------------------------- */

/*
 * Work runs @fn(@ctx) later in passive context, on a system thread. Queuing
 * work already queued (not yet started) does nothing and returns false; work
 * may queue itself again while it runs.
 * init/queue: any context. flush: passive; waits until the work is neither
 * queued nor running (call it before freeing the work item).
 */
void os_work_init(struct os_work *work, os_work_fn fn, void *ctx);
bool os_work_queue(struct os_work *work);
void os_work_flush(struct os_work *work);

/* -- timers --------------------------------------------------------------- */

/*
 * A one-shot timer whose callback runs in dispatch context. Arming an armed
 * timer moves its deadline. os_timer_cancel returns whether a pending expiry
 * was removed; a callback already running is not waited for.
 * init/arm/cancel: any context. os_timer_sync: passive; cancels and waits
 * for a running callback to return (call it before freeing the timer); after
 * it returns the timer stays stopped: arming it does nothing until
 * os_timer_init.
 */
void os_timer_init(struct os_timer *timer, os_timer_fn fn, void *ctx);
void os_timer_arm(struct os_timer *timer, uint64_t delay_ns);
bool os_timer_cancel(struct os_timer *timer);
void os_timer_sync(struct os_timer *timer);

/* -- time ----------------------------------------------------------------- */

/* Monotonic time in nanoseconds since an arbitrary origin. Context: any. */
uint64_t os_time_ns(void);

/* -- processors ----------------------------------------------------------- */

/* Number of processors that may run our code. Context: any. */
unsigned int os_cpu_count(void);

/*
 * The processor the caller runs on, in [0, os_cpu_count()). Stable only in
 * dispatch context; elsewhere it is a hint. Context: any.
 */
unsigned int os_cpu_current(void);

/* -- threads -------------------------------------------------------------- */

/*
 * The calling thread, as a value no other thread has while it exists: only
 * to compare (is this the thread that runs a given callback?). Context:
 * passive.
 */
uintptr_t os_thread_self(void);

/* -- logging -------------------------------------------------------------- */

enum os_log_level {
    OS_LOG_ERROR,
    OS_LOG_WARN,
    OS_LOG_INFO,
    OS_LOG_DEBUG,
};

/* printf-style message to the system log, one line ending in "\n". Context: any. */
void os_log(enum os_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void os_vlog(enum os_log_level level, const char *fmt, va_list args)
    __attribute__((format(printf, 2, 0)));

/*
 * Format as os_vlog does into @buf (@size bytes, at least 1): always
 * NUL-terminated, cut when longer. Returns the length written. Context: any.
 */
size_t os_vformat(char *buf, size_t size, const char *fmt, va_list args)
    __attribute__((format(printf, 3, 0)));

/* -- assertions ----------------------------------------------------------- */

/*
 * A broken invariant of our own (never input from the other end, which is
 * validated and fails the device instead). Context: any.
 */
__attribute__((noreturn)) void os_assert_failed(const char *expr, const char *file, int line);
__attribute__((noreturn)) void os_assert_cmp_failed(const char *expr, uint64_t left, uint64_t right,
                                                    const char *file, int line);

#define OS_ASSERT(expr) ((expr) ? (void)0 : os_assert_failed(#expr, __FILE__, __LINE__))

/* Compare two unsigned values; on failure print both. */
#define OS_ASSERT_CMP(left, op, right)                                                         \
    ((uint64_t)(left)op(uint64_t)(right)                                                       \
         ? (void)0                                                                             \
         : os_assert_cmp_failed(#left " " #op " " #right, (uint64_t)(left), (uint64_t)(right), \
                                __FILE__, __LINE__))

/* -- hypervisor and platform ---------------------------------------------- */

/*
 * Make a hypercall: @op is a __HYPERVISOR_* number, the arguments are
 * integers or guest virtual addresses of argument structures. Returns Xen's
 * result (negative XEN_E* on failure; -XEN_ENOSYS where no hypervisor is
 * reachable). Context: any (but a blocking sched_op blocks the vCPU).
 */
int64_t os_hypercall(uint32_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

static inline int64_t os_hypercall2(uint32_t op, uint64_t a1, uint64_t a2)
{
    return os_hypercall(op, a1, a2, 0, 0, 0);
}

static inline int64_t os_hypercall3(uint32_t op, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return os_hypercall(op, a1, a2, a3, 0, 0);
}

/* I/O port access (the Xen platform device's ports). Context: any. */
uint8_t os_inb(uint16_t port);
uint16_t os_inw(uint16_t port);
uint32_t os_inl(uint16_t port);
void os_outb(uint16_t port, uint8_t value);
void os_outw(uint16_t port, uint16_t value);
void os_outl(uint16_t port, uint32_t value);

/* -- atomics and memory order (compiler builtins on both targets) --------- */

/* Full, read and write barriers between this CPU and the other end. */
static inline void os_mb(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void os_rmb(void)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static inline void os_wmb(void)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

/*
 * Read or write a word of shared memory exactly once: the compiler may
 * neither repeat nor merge the access (the other end may change it between
 * two reads).
 */
static inline uint32_t os_read_once32(const volatile uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void os_write_once32(volatile uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline uint32_t os_atomic_add32(volatile uint32_t *p, uint32_t v)
{
    return __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST);
}

static inline uint32_t os_atomic_sub32(volatile uint32_t *p, uint32_t v)
{
    return __atomic_sub_fetch(p, v, __ATOMIC_SEQ_CST);
}

static inline uint64_t os_atomic_add64(volatile uint64_t *p, uint64_t v)
{
    return __atomic_add_fetch(p, v, __ATOMIC_SEQ_CST);
}

/* Compare and swap; returns whether *p held @expected (and now holds @desired). */
static inline bool os_atomic_cas32(volatile uint32_t *p, uint32_t expected, uint32_t desired)
{
    return __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

static inline uint32_t os_atomic_xchg32(volatile uint32_t *p, uint32_t v)
{
    return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

static inline uint32_t os_atomic_load32(const volatile uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void os_atomic_store32(volatile uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

#endif /* WINPV_CORE_OS_H */
