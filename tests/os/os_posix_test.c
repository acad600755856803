/*
 * tests/os/os_posix_test.c - the user-space implementation of core/os.h:
 * waits, deferred work, timers, guest pages, the context rules and the
 * hypervisor transport. Built twice: ASan+UBSan and TSan.
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "os.h"
#include "os_posix.h"

#define MS (1000ull * 1000)

/* -- events ---------------------------------------------------------------- */

static void test_event_wait_times_out(void **state)
{
    struct os_event event;
    uint64_t start = os_time_ns();

    os_event_init(&event);
    assert_int_equal(os_event_wait(&event, 20 * MS), -XEN_ETIMEDOUT);
    assert_true(os_time_ns() - start >= 20 * MS);
}

static void test_event_stays_set_until_cleared(void **state)
{
    struct os_event event;

    os_event_init(&event);
    os_event_set(&event);
    assert_int_equal(os_event_wait(&event, 0), 0);
    assert_int_equal(os_event_wait(&event, OS_WAIT_FOREVER), 0);
    os_event_clear(&event);
    assert_int_equal(os_event_wait(&event, 1 * MS), -XEN_ETIMEDOUT);
}

static void *set_after_delay(void *arg)
{
    usleep(10000);
    os_event_set(arg);
    return NULL;
}

static void test_event_wakes_a_waiter_on_another_thread(void **state)
{
    struct os_event event;
    pthread_t thread;

    os_event_init(&event);
    assert_int_equal(pthread_create(&thread, NULL, set_after_delay, &event), 0);
    assert_int_equal(os_event_wait(&event, 5000 * MS), 0);
    pthread_join(thread, NULL);
}

/* -- deferred work ----------------------------------------------------------- */

struct counting_work {
    struct os_work work;
    struct os_event done;
    uint32_t runs;
    uint32_t requeue; /* queue itself again this many times */
    bool ran_in_dispatch;
};

static void count_run(void *ctx)
{
    struct counting_work *w = ctx;

    if (os_posix_in_dispatch())
        w->ran_in_dispatch = true;
    os_atomic_add32(&w->runs, 1);
    if (w->requeue > 0) {
        w->requeue--;
        assert_true(os_work_queue(&w->work));
    } else {
        os_event_set(&w->done);
    }
}

static void test_work_runs_once_per_queue_in_passive_context(void **state)
{
    struct counting_work w = {.requeue = 0};

    os_work_init(&w.work, count_run, &w);
    os_event_init(&w.done);
    assert_true(os_work_queue(&w.work));
    assert_int_equal(os_event_wait(&w.done, 5000 * MS), 0);
    os_work_flush(&w.work);
    assert_int_equal(os_atomic_load32(&w.runs), 1);
    assert_false(w.ran_in_dispatch);
}

static void test_work_may_queue_itself_again(void **state)
{
    struct counting_work w = {.requeue = 5};

    os_work_init(&w.work, count_run, &w);
    os_event_init(&w.done);
    assert_true(os_work_queue(&w.work));
    assert_int_equal(os_event_wait(&w.done, 5000 * MS), 0);
    os_work_flush(&w.work);
    assert_int_equal(os_atomic_load32(&w.runs), 6);
}

struct blocking_work {
    struct os_work work;
    struct os_event started;
    struct os_event release;
    uint32_t runs;
};

static void block_until_released(void *ctx)
{
    struct blocking_work *w = ctx;

    os_event_set(&w->started);
    os_event_wait(&w->release, OS_WAIT_FOREVER);
    os_atomic_add32(&w->runs, 1);
}

static void *release_after_delay(void *arg)
{
    struct blocking_work *w = arg;

    usleep(20000);
    os_event_set(&w->release);
    return NULL;
}

/* Queued while queued: once. Flush returns only after the run ends. */
static void test_work_queued_twice_runs_once_and_flush_waits(void **state)
{
    struct blocking_work w = {0};
    pthread_t releaser;

    os_work_init(&w.work, block_until_released, &w);
    os_event_init(&w.started);
    os_event_init(&w.release);
    assert_true(os_work_queue(&w.work));
    assert_int_equal(os_event_wait(&w.started, 5000 * MS), 0);
    /* Running, not queued: may be queued once more, not twice. */
    assert_true(os_work_queue(&w.work));
    assert_false(os_work_queue(&w.work));
    assert_int_equal(pthread_create(&releaser, NULL, release_after_delay, &w), 0);
    os_work_flush(&w.work);
    assert_int_equal(os_atomic_load32(&w.runs), 2);
    pthread_join(releaser, NULL);
}

/* -- timers ------------------------------------------------------------------ */

struct counting_timer {
    struct os_timer timer;
    struct os_event fired;
    uint32_t runs;
    uint64_t fired_at;
    bool in_dispatch;
};

static void timer_fired(void *ctx)
{
    struct counting_timer *t = ctx;

    t->in_dispatch = os_posix_in_dispatch();
    t->fired_at = os_time_ns();
    os_atomic_add32(&t->runs, 1);
    os_event_set(&t->fired);
}

static void counting_timer_init(struct counting_timer *t)
{
    memset(t, 0, sizeof(*t));
    os_timer_init(&t->timer, timer_fired, t);
    os_event_init(&t->fired);
}

static void test_timer_fires_once_after_its_delay_in_dispatch_context(void **state)
{
    struct counting_timer t;
    uint64_t armed_at;

    counting_timer_init(&t);
    armed_at = os_time_ns();
    os_timer_arm(&t.timer, 30 * MS);
    assert_int_equal(os_event_wait(&t.fired, 5000 * MS), 0);
    os_timer_sync(&t.timer);
    assert_true(t.fired_at - armed_at >= 30 * MS);
    assert_true(t.in_dispatch);
    assert_int_equal(os_atomic_load32(&t.runs), 1);
    assert_false(os_timer_cancel(&t.timer));
}

static void test_cancelled_timer_does_not_fire(void **state)
{
    struct counting_timer t;

    counting_timer_init(&t);
    os_timer_arm(&t.timer, 50 * MS);
    assert_true(os_timer_cancel(&t.timer));
    assert_int_equal(os_event_wait(&t.fired, 100 * MS), -XEN_ETIMEDOUT);
    assert_int_equal(os_atomic_load32(&t.runs), 0);
}

static void test_rearming_moves_the_deadline(void **state)
{
    struct counting_timer early, late;

    counting_timer_init(&early);
    counting_timer_init(&late);
    os_timer_arm(&late.timer, 10 * MS);
    os_timer_arm(&early.timer, 40 * MS);
    os_timer_arm(&late.timer, 80 * MS); /* now the later one */
    assert_int_equal(os_event_wait(&early.fired, 5000 * MS), 0);
    assert_int_equal(os_event_wait(&late.fired, 5000 * MS), 0);
    assert_true(late.fired_at > early.fired_at);
    assert_int_equal(os_atomic_load32(&late.runs), 1);
    os_timer_sync(&early.timer);
    os_timer_sync(&late.timer);
}

struct rearming_timer {
    struct os_timer timer;
    uint32_t runs;
    uint32_t in_callback; /* set on entry, cleared on exit */
};

static void rearm_self(void *ctx)
{
    struct rearming_timer *t = ctx;

    os_atomic_store32(&t->in_callback, 1);
    os_atomic_add32(&t->runs, 1);
    os_timer_arm(&t->timer, 100 * 1000); /* 100 us */
    os_atomic_store32(&t->in_callback, 0);
}

static void test_sync_stops_a_timer_that_rearms_itself(void **state)
{
    struct rearming_timer t = {0};
    uint32_t runs;

    os_timer_init(&t.timer, rearm_self, &t);
    os_timer_arm(&t.timer, 0);
    while (os_atomic_load32(&t.runs) < 20)
        usleep(100);
    os_timer_sync(&t.timer);
    assert_int_equal(os_atomic_load32(&t.in_callback), 0);
    runs = os_atomic_load32(&t.runs);
    usleep(50 * 1000);
    assert_int_equal(os_atomic_load32(&t.runs), runs);
    os_timer_arm(&t.timer, 0); /* stays stopped until init */
    usleep(10 * 1000);
    assert_int_equal(os_atomic_load32(&t.runs), runs);
}

/* -- guest pages ------------------------------------------------------------- */

static void test_pages_have_frames_another_mapping_sees(void **state)
{
    uint64_t gfns[3];
    size_t before = os_posix_guest_pages_in_use();
    uint8_t *va = os_pages_alloc(3, gfns);
    uint8_t *other;
    int fd = os_posix_guest_memory_fd();

    assert_non_null(va);
    assert_int_equal(os_posix_guest_pages_in_use(), before + 3);
    for (int i = 0; i < 3; i++) {
        assert_ptr_equal(os_posix_gfn_to_va(gfns[i]), va + i * OS_PAGE_SIZE);
        if (i > 0)
            assert_int_equal(gfns[i], gfns[i - 1] + 1);
    }
    /* A second mapping of the file at frame * 4096 (what a backend does). */
    other = mmap(NULL, OS_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                 (off_t)(gfns[2] * OS_PAGE_SIZE));
    assert_true(other != MAP_FAILED);
    memcpy(va + 2 * OS_PAGE_SIZE, "hello", 6);
    assert_string_equal((char *)other, "hello");
    other[100] = 0x5a;
    assert_int_equal(va[2 * OS_PAGE_SIZE + 100], 0x5a);
    munmap(other, OS_PAGE_SIZE);

    os_pages_free(va, 3);
    assert_int_equal(os_posix_guest_pages_in_use(), before);
}

static void test_freed_pages_come_back_zeroed(void **state)
{
    uint64_t gfn, again;
    uint8_t *va = os_pages_alloc(1, &gfn);

    assert_non_null(va);
    memset(va, 0xff, OS_PAGE_SIZE);
    os_pages_free(va, 1);
    va = os_pages_alloc(1, &again);
    assert_int_equal(again, gfn); /* first fit: the same frame */
    for (size_t i = 0; i < OS_PAGE_SIZE; i++)
        assert_int_equal(va[i], 0);
    os_pages_free(va, 1);
    assert_null(os_posix_gfn_to_va(os_posix_guest_memory_pages()));
}

/* Frames one by one within a range skip the frames in use; runs keep within their boundary. */
static void test_frames_taken_within_a_range(void **state)
{
    size_t before = os_posix_guest_pages_in_use();
    uint64_t held[2], gfns[4], first;
    uint8_t *va = os_pages_alloc(2, held);

    assert_non_null(va);
    /* held[0] and held[1] are in use: the range around them gives only the frame after. */
    assert_int_equal(os_posix_guest_frames_take(held[0], held[1] + 1, 4, gfns), 1);
    assert_int_equal(gfns[0], held[1] + 1);
    assert_int_equal(os_posix_guest_frames_take(held[0], held[1] + 1, 1, gfns + 1), 0);
    os_posix_guest_frames_give(gfns, 1);
    /* Beyond RAM there is nothing. */
    assert_int_equal(os_posix_guest_frames_take(os_posix_guest_memory_pages(), UINT64_MAX, 1, gfns),
                     0);
    /* Three frames within a boundary of four: they start on one. */
    assert_true(os_posix_guest_run_take(held[1] + 1, UINT64_MAX, 3, 4, &first));
    assert_true(first % 4 <= 1);
    assert_true(first > held[1]);
    for (uint64_t i = 0; i < 3; i++)
        gfns[i] = first + i;
    os_posix_guest_frames_give(gfns, 3);
    assert_false(os_posix_guest_run_take(held[0], held[1], 1, 0, &first));
    os_pages_free(va, 2);
    assert_int_equal(os_posix_guest_pages_in_use(), before);
}

/* -- context rules ----------------------------------------------------------- */

/* Runs @fn in a child process; returns the signal that ended it, or 0. */
static int child_signal(void (*fn)(void))
{
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);

        dup2(devnull, STDERR_FILENO); /* the abort message is expected */
        fn();
        _exit(0);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void wait_under_spinlock(void)
{
    struct os_spinlock lock;
    struct os_event event;

    os_spin_init(&lock);
    os_event_init(&event);
    os_event_set(&event);
    os_spin_lock(&lock);
    os_event_wait(&event, 0);
}

static void mutex_in_dispatch(void)
{
    struct os_mutex mutex;

    os_mutex_init(&mutex);
    os_posix_dispatch_enter();
    os_mutex_lock(&mutex);
}

static void wait_after_unlock(void)
{
    struct os_spinlock lock;
    struct os_event event;
    os_irql_t saved;

    os_spin_init(&lock);
    os_event_init(&event);
    os_event_set(&event);
    saved = os_spin_lock(&lock);
    os_spin_unlock(&lock, saved);
    os_event_wait(&event, 0);
}

/* The balloon gets every free page but a sixteenth of RAM, which pool still gets. */
static void test_balloon_pages_leave_a_sixteenth_free(void **state)
{
    size_t ram = os_posix_guest_memory_pages(), before = os_posix_guest_pages_in_use(), taken;
    size_t spare = ram - before - ram / 16;
    uint64_t *gfns = calloc(ram, sizeof(*gfns)), gfn;
    struct os_balloon_pages *pages = os_balloon_pages_take(ram, gfns, &taken), *none;
    uint8_t *va;

    assert_non_null(pages);
    assert_int_equal(taken, spare);
    assert_int_equal(os_posix_guest_pages_in_use(), ram - ram / 16);
    none = os_balloon_pages_take(1, &gfn, &taken);
    assert_null(none);
    assert_int_equal(taken, 0);
    va = os_pages_alloc(1, &gfn); /* the OS's own use is not refused */
    assert_non_null(va);
    os_pages_free(va, 1);
    os_balloon_pages_give(pages);
    assert_int_equal(os_posix_guest_pages_in_use(), before);
    free(gfns);
}

static void test_blocking_in_dispatch_context_aborts(void **state)
{
    assert_int_equal(child_signal(wait_under_spinlock), SIGABRT);
    assert_int_equal(child_signal(mutex_in_dispatch), SIGABRT);
    assert_int_equal(child_signal(wait_after_unlock), 0);
}

/* -- hypervisor transport ---------------------------------------------------- */

static int64_t echo_hypercall(void *ctx, uint32_t op, const uint64_t args[5])
{
    return (int64_t)(op * 1000 + args[0] + args[4]);
}

static uint32_t fake_port_in(void *ctx, uint16_t port, unsigned int bytes)
{
    return port == 0x10 ? 0x49d2u : 0;
}

static void record_port_out(void *ctx, uint16_t port, unsigned int bytes, uint32_t value)
{
    *(uint32_t *)ctx = (uint32_t)port << 16 | bytes << 8 | (value & 0xff);
}

static void test_hypercalls_and_ports_reach_the_platform(void **state)
{
    uint32_t last_out = 0;
    const struct os_posix_platform platform = {
        .hypercall = echo_hypercall,
        .port_in = fake_port_in,
        .port_out = record_port_out,
        .ctx = &last_out,
    };

    assert_int_equal(os_hypercall(17, 1, 2, 3, 4, 5), -XEN_ENOSYS);
    assert_int_equal(os_inw(0x10), 0xffff);
    os_posix_set_platform(&platform);
    assert_int_equal(os_hypercall(17, 1, 2, 3, 4, 5), 17006);
    assert_int_equal(os_hypercall2(3, 9, 0), 3009);
    assert_int_equal(os_inw(0x10), 0x49d2);
    os_outb(0x12, 0x7f);
    assert_int_equal(last_out, 0x0012017fu);
    os_posix_set_platform(NULL);
    assert_int_equal(os_hypercall(17, 1, 2, 3, 4, 5), -XEN_ENOSYS);
}

static void test_processors_and_time(void **state)
{
    uint64_t a = os_time_ns(), b = os_time_ns();

    assert_true(os_cpu_count() >= 1);
    assert_true(os_cpu_current() < os_cpu_count());
    assert_true(b >= a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_wait_times_out),
        cmocka_unit_test(test_event_stays_set_until_cleared),
        cmocka_unit_test(test_event_wakes_a_waiter_on_another_thread),
        cmocka_unit_test(test_work_runs_once_per_queue_in_passive_context),
        cmocka_unit_test(test_work_may_queue_itself_again),
        cmocka_unit_test(test_work_queued_twice_runs_once_and_flush_waits),
        cmocka_unit_test(test_timer_fires_once_after_its_delay_in_dispatch_context),
        cmocka_unit_test(test_cancelled_timer_does_not_fire),
        cmocka_unit_test(test_sync_stops_a_timer_that_rearms_itself),
        cmocka_unit_test(test_rearming_moves_the_deadline),
        cmocka_unit_test(test_pages_have_frames_another_mapping_sees),
        cmocka_unit_test(test_freed_pages_come_back_zeroed),
        cmocka_unit_test(test_frames_taken_within_a_range),
        cmocka_unit_test(test_balloon_pages_leave_a_sixteenth_free),
        cmocka_unit_test(test_blocking_in_dispatch_context_aborts),
        cmocka_unit_test(test_hypercalls_and_ports_reach_the_platform),
        cmocka_unit_test(test_processors_and_time),
    };

    return cmocka_run_group_tests_name("os_posix", tests, NULL, NULL);
}
