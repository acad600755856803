/*
 * tests/gnttab/gnttab_memory_test.c - the grant table engine on plain pages
 * (tests/gnttab/memory_frames.h), where every entry can be looked at:
 * what a grant writes, batches, the toolstack's entries, growth refused by
 * the hypervisor, resume (entries forgotten, waits completed, a frame
 * lost), destroy with a backend holding on, and a reference freed twice.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "gnttab/gnttab.h"
#include "memory_frames.h"
#include "os.h"
#include "os_posix.h"

#define BACKEND 5
#define MS      (1000ull * 1000)

static struct memory_frames mf;
static struct gnttab *gt;
static size_t pages_at_start;

struct waiter {
    struct gnttab_deferred later;
    struct os_event told;
    int status;
};

static void told(void *ctx, int status)
{
    struct waiter *w = ctx;

    w->status = status;
    os_event_set(&w->told);
}

static int setup(void **state)
{
    struct gnttab_config config = {.frames = &memory_frame_ops,
                                   .frames_ctx = &mf,
                                   .retry_ns = 1 * MS,
                                   .destroy_wait_ns = 20 * MS};

    memset(&mf, 0, sizeof(mf));
    mf.max_frames = 4;
    pages_at_start = os_posix_guest_pages_in_use();
    return gnttab_create(&config, &gt);
}

static int teardown(void **state)
{
    gnttab_destroy(gt);
    /* Every frame shown left the map again, and the pages went back. */
    for (uint32_t i = 0; i < GNTTAB_MAX_FRAMES; i++)
        if (mf.frame[i])
            return -1;
    return os_posix_guest_pages_in_use() == pages_at_start ? 0 : -1;
}

static grant_ref_t alloc_ref(void)
{
    grant_ref_t ref;

    assert_int_equal(gnttab_alloc(gt, &ref), 0);
    return ref;
}

static void assert_entry(grant_ref_t ref, uint16_t flags, domid_t domid, uint32_t frame)
{
    struct grant_entry_v1 *e = memory_entry(&mf, ref);

    assert_non_null(e);
    assert_int_equal(e->flags, flags);
    if (flags) {
        assert_int_equal(e->domid, domid);
        assert_int_equal(e->frame, frame);
    }
}

static void test_a_grant_writes_its_entry(void **state)
{
    grant_ref_t a = alloc_ref(), b = alloc_ref();

    assert_int_equal(gnttab_grant(gt, a, BACKEND, 0x12345, true), 0);
    assert_int_equal(gnttab_grant(gt, b, BACKEND + 1, 0xfffffffful, false), 0);
    assert_entry(a, GTF_permit_access | GTF_readonly, BACKEND, 0x12345);
    assert_entry(b, GTF_permit_access, BACKEND + 1, 0xffffffffu);
    assert_int_equal(gnttab_revoke(gt, a), 0);
    assert_entry(a, 0, 0, 0);
    /* Revoking what is not granted is no error. */
    assert_int_equal(gnttab_revoke(gt, a), 0);
    assert_int_equal(gnttab_revoke(gt, b), 0);
    gnttab_free(gt, a);
    gnttab_free(gt, b);
}

static void test_toolstack_entries_are_left_alone(void **state)
{
    grant_ref_t refs[GNTTAB_ENTRIES_PER_FRAME];
    struct gnttab_stats stats;
    uint32_t n = 0;

    /* As the toolstack seeds the console and xenstore pages. */
    for (grant_ref_t r = 0; r < GNTTAB_NR_RESERVED_ENTRIES; r++)
        *memory_entry(&mf, r) = (struct grant_entry_v1){GTF_permit_access, 0, 100 + r};
    /* Frame 0 given out whole: its references only, none reserved. */
    for (gnttab_get_stats(gt, &stats); stats.frames == 1; gnttab_get_stats(gt, &stats)) {
        refs[n] = alloc_ref();
        assert_true(refs[n] >= GNTTAB_NR_RESERVED_ENTRIES);
        assert_int_equal(gnttab_grant(gt, refs[n], BACKEND, refs[n], false), 0);
        n++;
    }
    assert_int_equal(n, GNTTAB_ENTRIES_PER_FRAME - GNTTAB_NR_RESERVED_ENTRIES + 1);
    for (grant_ref_t r = 0; r < GNTTAB_NR_RESERVED_ENTRIES; r++)
        assert_entry(r, GTF_permit_access, 0, 100 + r);
    assert_int_equal(gnttab_revoke_many(gt, refs, n, NULL), 0);
    for (uint32_t i = 0; i < n; i++)
        gnttab_free(gt, refs[i]);
}

static void test_grant_many_checks_every_grant_first(void **state)
{
    struct gnttab_grant grants[3] = {
        {.ref = alloc_ref(), .domid = BACKEND, .gfn = 10},
        {.ref = alloc_ref(), .domid = BACKEND, .gfn = 1ull << 32},
        {.ref = alloc_ref(), .domid = BACKEND, .gfn = 12, .readonly = true},
    };
    grant_ref_t refs[3];
    struct gnttab_stats stats;

    assert_int_equal(gnttab_grant_many(gt, grants, 3), -XEN_EINVAL);
    for (int i = 0; i < 3; i++)
        assert_entry(grants[i].ref, 0, 0, 0);
    grants[1].gfn = 11;
    assert_int_equal(gnttab_grant_many(gt, grants, 3), 0);
    assert_entry(grants[0].ref, GTF_permit_access, BACKEND, 10);
    assert_entry(grants[1].ref, GTF_permit_access, BACKEND, 11);
    assert_entry(grants[2].ref, GTF_permit_access | GTF_readonly, BACKEND, 12);
    gnttab_get_stats(gt, &stats);
    assert_int_equal(stats.grants, 3);
    for (int i = 0; i < 3; i++)
        refs[i] = grants[i].ref;
    assert_int_equal(gnttab_revoke_many(gt, refs, 3, NULL), 0);
    for (int i = 0; i < 3; i++)
        gnttab_free(gt, refs[i]);
}

static void test_revoke_many_says_which_are_busy(void **state)
{
    grant_ref_t refs[3] = {alloc_ref(), alloc_ref(), alloc_ref()};
    bool busy[3] = {true, false, true};
    struct gnttab_stats stats;

    for (int i = 0; i < 3; i++)
        assert_int_equal(gnttab_grant(gt, refs[i], BACKEND, 20 + i, i == 1), 0);
    /* A read-only grant is not mapped writable. */
    assert_false(memory_pin(memory_entry(&mf, refs[1]), BACKEND, true));
    assert_false(memory_pin(memory_entry(&mf, refs[1]), BACKEND + 1, false));
    assert_true(memory_pin(memory_entry(&mf, refs[1]), BACKEND, false));
    assert_int_equal(gnttab_revoke_many(gt, refs, 3, busy), -XEN_EBUSY);
    assert_false(busy[0]);
    assert_true(busy[1]);
    assert_false(busy[2]);
    assert_entry(refs[0], 0, 0, 0);
    assert_entry(refs[1], GTF_permit_access | GTF_readonly | GTF_reading, BACKEND, 21);
    memory_unpin(memory_entry(&mf, refs[1]));
    assert_int_equal(gnttab_revoke(gt, refs[1]), 0);
    gnttab_get_stats(gt, &stats);
    assert_int_equal(stats.revokes, 3);
    for (int i = 0; i < 3; i++)
        gnttab_free(gt, refs[i]);
}

static void test_growth_the_hypervisor_refuses_fails_the_allocation(void **state)
{
    grant_ref_t refs[2 * GNTTAB_ENTRIES_PER_FRAME];
    struct gnttab_stats stats;
    uint32_t n = 0;
    int rc;

    mf.fail_map_from = 2;
    while ((rc = gnttab_alloc(gt, &refs[n])) == 0)
        n++;
    assert_int_equal(rc, -XEN_EINVAL);
    assert_int_equal(n, 2 * GNTTAB_ENTRIES_PER_FRAME - GNTTAB_NR_RESERVED_ENTRIES);
    gnttab_get_stats(gt, &stats);
    assert_int_equal(stats.frames, 2);
    assert_int_equal(stats.growths, 1);
    assert_int_equal(stats.alloc_failures, 1);
    for (uint32_t i = 0; i < n; i++)
        gnttab_free(gt, refs[i]);
    mf.fail_map_from = 0;
}

static void test_resume_forgets_entries_and_ends_waits(void **state)
{
    grant_ref_t kept = alloc_ref(), waiting = alloc_ref();
    struct waiter w = {.status = 1};
    struct gnttab_stats stats;
    uint32_t maps = mf.maps;

    os_event_init(&w.told);
    *memory_entry(&mf, 1) = (struct grant_entry_v1){GTF_permit_access, 0, 77};
    assert_int_equal(gnttab_grant(gt, kept, BACKEND, 30, false), 0);
    assert_int_equal(gnttab_grant(gt, waiting, BACKEND, 31, false), 0);
    assert_true(memory_pin(memory_entry(&mf, waiting), BACKEND, true));
    assert_true(gnttab_end_access(gt, waiting, &w.later, told, &w));

    assert_int_equal(gnttab_resume(gt), 0);
    assert_int_equal(mf.maps, maps + 1); /* the one frame in use, shown again */
    assert_int_equal(os_event_wait(&w.told, 1000 * MS), 0);
    assert_int_equal(w.status, 0);
    assert_entry(kept, 0, 0, 0);
    assert_entry(waiting, 0, 0, 0);
    assert_entry(1, GTF_permit_access, 0, 77); /* the toolstack seeds its own again */
    gnttab_get_stats(gt, &stats);
    assert_int_equal(stats.deferred_pending, 0);
    assert_int_equal(stats.deferred_completed, 1);
    /* The kept reference is still its owner's. */
    assert_int_equal(gnttab_grant(gt, kept, BACKEND, 32, true), 0);
    assert_int_equal(gnttab_revoke(gt, kept), 0);
    gnttab_free(gt, kept);
}

static void test_resume_that_loses_a_frame(void **state)
{
    grant_ref_t refs[GNTTAB_ENTRIES_PER_FRAME];
    grant_ref_t in_second;
    struct gnttab_stats stats;
    uint32_t n = 0;

    do
        refs[n] = alloc_ref();
    while (refs[n++] < GNTTAB_ENTRIES_PER_FRAME);
    in_second = refs[--n];
    for (uint32_t i = 0; i < n; i++)
        gnttab_free(gt, refs[i]);
    mf.fail_map_from = 1;
    assert_int_equal(gnttab_resume(gt), -XEN_EINVAL);
    gnttab_get_stats(gt, &stats);
    assert_int_equal(stats.frames, 1);
    assert_int_equal(stats.max_frames, 1);
    assert_int_equal(gnttab_grant(gt, in_second, BACKEND, 40, false), -XEN_EIO);
    assert_int_equal(gnttab_revoke(gt, in_second), 0);
    gnttab_free(gt, in_second);
    mf.frame[1] = NULL; /* the new domain does not show it */
    mf.fail_map_from = 0;

    /*
     * What is handed out now is the first frame's, all of it, each one
     * granted; the lost frame's references, free at resume or freed since,
     * are not (every grant on them would fail), and the table stays full.
     */
    n = 0;
    while (gnttab_alloc(gt, &refs[n]) == 0) {
        assert_in_range(refs[n], GNTTAB_NR_RESERVED_ENTRIES, GNTTAB_ENTRIES_PER_FRAME - 1);
        assert_int_equal(gnttab_grant(gt, refs[n], BACKEND, 41, false), 0);
        assert_int_equal(gnttab_revoke(gt, refs[n]), 0);
        n++;
        assert_true(n < GNTTAB_ENTRIES_PER_FRAME);
    }
    assert_int_equal(n, GNTTAB_ENTRIES_PER_FRAME - GNTTAB_NR_RESERVED_ENTRIES);
    assert_int_equal(gnttab_alloc(gt, &in_second), -XEN_ENOSPC);
    for (uint32_t i = 0; i < n; i++)
        gnttab_free(gt, refs[i]);
}

static void test_destroy_tells_owners_whose_page_a_backend_keeps(void **state)
{
    grant_ref_t ref = alloc_ref();
    struct waiter w = {.status = 1};

    os_event_init(&w.told);
    assert_int_equal(gnttab_grant(gt, ref, BACKEND, 50, false), 0);
    assert_true(memory_pin(memory_entry(&mf, ref), BACKEND, false));
    assert_true(gnttab_end_access(gt, ref, &w.later, told, &w));
    assert_int_equal(teardown(state), 0);
    assert_int_equal(w.status, -XEN_EBUSY);
    assert_int_equal(setup(state), 0);
}

static void test_create_fails_cleanly(void **state)
{
    struct gnttab_config config = {.frames = &memory_frame_ops, .frames_ctx = &mf};
    struct memory_frames saved = mf;
    struct gnttab *none = NULL;

    mf.max_frames = 0; /* a hypervisor that offers no table */
    assert_int_equal(gnttab_create(&config, &none), -XEN_ENOSPC);
    assert_null(none);
    mf = saved;
    assert_int_equal(os_posix_guest_pages_in_use(), pages_at_start + 4);
}

static void test_a_reference_freed_twice_is_caught(void **state)
{
    grant_ref_t ref = alloc_ref();
    pid_t child;
    int status;

    gnttab_free(gt, ref);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        alarm(10);
        close(STDERR_FILENO);
        gnttab_free(gt, ref);
        _exit(0);
    }
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_grant_writes_its_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_toolstack_entries_are_left_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grant_many_checks_every_grant_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke_many_says_which_are_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_growth_the_hypervisor_refuses_fails_the_allocation,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_forgets_entries_and_ends_waits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resume_that_loses_a_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_tells_owners_whose_page_a_backend_keeps, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_create_fails_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_reference_freed_twice_is_caught, setup, teardown),
    };

    return cmocka_run_group_tests_name("gnttab_memory", tests, NULL, NULL);
}
