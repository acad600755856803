/*
 * tests/gnttab/gnttab_sim_test.c - the grant table engine in a guest of
 * winpv-simd, with dom0 backends mapping its grants through libxengnttab:
 * growth to the hypervisor's maximum (from dispatch context) and no
 * further; the toolstack's entries left alone; read-only grants; a revoke
 * that waits while a backend keeps the page mapped; destroy while one still
 * does; resume in a restored domain; threads. Every table leaves the
 * guest's pages and memory reservation as it found them.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/memory.h>
#include <xen/sched.h>

#include "support/gnttab/backend.h"
#include "gnttab/gnttab.h"
#include "guest.h"
#include "hv/hv.h"
#include "os.h"
#include "os_posix.h"
#include "support/sim/sim_fixture.h"

#define MAX_FRAMES 32u /* what the toolstack gives a domain (sim/toolstack/simd.c) */
#define USABLE     (MAX_FRAMES * GNTTAB_ENTRIES_PER_FRAME - GNTTAB_NR_RESERVED_ENTRIES)
#define DOM0       0
#define MS         (1000ull * 1000)

static size_t pages_at_start;

/* An owner of a granted page, told when a revoke that waited is over. */
struct owner {
    uint8_t *page;
    uint64_t gfn;
    grant_ref_t ref;
    struct gnttab_deferred later;
    struct os_event told;
    int status;
    bool told_in_dispatch;
};

static int setup(void **state)
{
    if (sim_fixture_setup(state) != 0)
        return -1;
    /* libxengnttab finds the daemon here. */
    setenv(SIM_RUN_DIR_ENV, fx.simd.dir, 1);
    pages_at_start = os_posix_guest_pages_in_use();
    return 0;
}

static int64_t reservation(void)
{
    domid_t self = DOMID_SELF;

    return hv_memory_op(XENMEM_current_reservation, &self);
}

static struct gnttab_query_size query_size(void)
{
    struct gnttab_query_size q = {.dom = DOMID_SELF};

    assert_int_equal(hv_gnttab_op(GNTTABOP_query_size, &q, 1), 0);
    assert_int_equal(q.status, GNTST_okay);
    return q;
}

static struct gnttab *create_table(uint64_t destroy_wait_ns)
{
    struct gnttab_config config = {.retry_ns = 2 * MS, .destroy_wait_ns = destroy_wait_ns};
    struct gnttab *gt = NULL;

    assert_int_equal(gnttab_create(&config, &gt), 0);
    return gt;
}

static void owner_init(struct owner *o, const char *text)
{
    memset(o, 0, sizeof(*o));
    o->page = os_pages_alloc(1, &o->gfn);
    assert_non_null(o->page);
    strcpy((char *)o->page, text);
    os_event_init(&o->told);
    o->status = 1;
}

/* gnttab_revoked_fn: the page is freed here, which only passive context may do. */
static void owner_told(void *ctx, int status)
{
    struct owner *o = ctx;

    o->status = status;
    o->told_in_dispatch = os_posix_in_dispatch();
    if (status == 0) {
        os_pages_free(o->page, 1);
        o->page = NULL;
    }
    os_event_set(&o->told);
}

static void grant_to_dom0(struct gnttab *gt, struct owner *o, bool readonly)
{
    assert_int_equal(gnttab_alloc(gt, &o->ref), 0);
    assert_int_equal(gnttab_grant(gt, o->ref, DOM0, o->gfn, readonly), 0);
}

/* A toolstack entry below GNTTAB_NR_RESERVED_ENTRIES, as the xenstore ring's is. */
static void seed_reserved(grant_ref_t ref, uint64_t gfn)
{
    struct sim_request req = {.type = SIM_GNTTAB_SEED};
    struct sim_reply reply;

    req.body.seed = (struct sim_gnttab_seed){
        .domid = fx.domid, .ref = ref, .backend = DOM0, .flags = GTF_permit_access, .gfn = gfn};
    assert_int_equal(simd_call(&fx.simd, &req, &reply), 0);
}

/* The end of a test: nothing of the guest's pages may stay allocated. */
static void release_all(struct gnttab *gt, struct backend *b, void *page)
{
    gnttab_destroy(gt);
    if (b)
        backend_close(b);
    if (page)
        os_pages_free(page, 1);
    assert_int_equal(os_posix_guest_pages_in_use(), pages_at_start);
}

/* Allocate every reference there is into @refs (room for USABLE + 1); returns how many. */
static uint32_t alloc_all(struct gnttab *gt, grant_ref_t *refs)
{
    uint32_t n = 0;

    while (n <= USABLE && gnttab_alloc(gt, &refs[n]) == 0)
        n++;
    return n;
}

static void assert_backend_sees(struct backend *b, grant_ref_t ref, const char *text)
{
    char *m = backend_map(b, fx.domid, ref, false);

    assert_non_null(m);
    assert_string_equal(m, text);
    assert_int_equal(backend_unmap(b, m), 0);
}

static void test_grows_to_the_maximum_and_no_further(void **state)
{
    int64_t reserved_before = reservation();
    struct backend *b = backend_open();
    struct owner store;
    grant_ref_t *refs = calloc(USABLE + 1, sizeof(*refs));
    uint8_t *seen = calloc(MAX_FRAMES * GNTTAB_ENTRIES_PER_FRAME, 1);
    struct gnttab_stats stats;
    struct gnttab *gt;
    uint32_t n = 0;
    int rc;

    assert_non_null(b);
    assert_non_null(refs);
    assert_non_null(seen);
    owner_init(&store, "the xenstore ring");
    seed_reserved(GNTTAB_RESERVED_XENSTORE, store.gfn);

    gt = create_table(0);
    gnttab_get_stats(gt, &stats);
    assert_int_equal(stats.frames, 1);
    assert_int_equal(stats.max_frames, MAX_FRAMES);

    /* In dispatch context, as from an event callback: growing must not block. */
    os_posix_dispatch_enter();
    while ((rc = gnttab_alloc(gt, &refs[n])) == 0 && n <= USABLE)
        n++;
    os_posix_dispatch_leave();
    assert_int_equal(rc, -XEN_ENOSPC);
    assert_int_equal(n, USABLE);
    for (uint32_t i = 0; i < n; i++) {
        assert_true(refs[i] >= GNTTAB_NR_RESERVED_ENTRIES);
        assert_true(refs[i] < MAX_FRAMES * GNTTAB_ENTRIES_PER_FRAME);
        assert_int_equal(seen[refs[i]]++, 0);
    }
    gnttab_get_stats(gt, &stats);
    assert_int_equal(stats.frames, MAX_FRAMES);
    assert_int_equal(stats.growths, MAX_FRAMES - 1);
    assert_int_equal(stats.alloc_failures, 1);
    assert_int_equal(query_size().nr_frames, MAX_FRAMES);

    /* Every frame is usable: a grant in the last one maps. */
    assert_int_equal(gnttab_grant(gt, refs[n - 1], DOM0, store.gfn, true), 0);
    assert_backend_sees(b, refs[n - 1], "the xenstore ring");
    assert_int_equal(gnttab_revoke(gt, refs[n - 1]), 0);
    /* The toolstack's entry is as it wrote it. */
    assert_backend_sees(b, GNTTAB_RESERVED_XENSTORE, "the xenstore ring");

    /* A freed reference is found again however full the caches are. */
    gnttab_free(gt, refs[n / 2]);
    assert_int_equal(gnttab_alloc(gt, &refs[n]), 0);
    assert_int_equal(refs[n], refs[n / 2]);
    gnttab_free(gt, refs[n]);
    for (uint32_t i = 0; i < n; i++)
        if (i != n / 2)
            gnttab_free(gt, refs[i]);
    gnttab_destroy(gt);

    /* The frames left the map and RAM is back under them; the entry still grants. */
    assert_int_equal(reservation(), reserved_before);
    assert_backend_sees(b, GNTTAB_RESERVED_XENSTORE, "the xenstore ring");
    backend_close(b);
    os_pages_free(store.page, 1);
    assert_int_equal(os_posix_guest_pages_in_use(), pages_at_start);
    free(refs);
    free(seen);
}

static void test_read_only_grant_maps_only_read_only(void **state)
{
    struct backend *b = backend_open();
    struct gnttab *gt = create_table(0);
    struct gnttab_stats stats;
    struct owner o;

    assert_non_null(b);
    owner_init(&o, "granted bytes");
    grant_to_dom0(gt, &o, true);
    errno = 0;
    assert_null(backend_map(b, fx.domid, o.ref, true));
    assert_int_equal(errno, EACCES);
    assert_backend_sees(b, o.ref, "granted bytes");

    /* Revoked: nothing maps any more. */
    assert_int_equal(gnttab_revoke(gt, o.ref), 0);
    assert_null(backend_map(b, fx.domid, o.ref, false));
    /* A frame number that does not fit a version 1 entry is refused. */
    assert_int_equal(gnttab_grant(gt, o.ref, DOM0, 1ull << 32, false), -XEN_EINVAL);
    gnttab_free(gt, o.ref);
    gnttab_get_stats(gt, &stats);
    assert_int_equal(stats.grants, 1);
    assert_int_equal(stats.revokes, 1);
    assert_int_equal(stats.deferred, 0);
    release_all(gt, b, o.page);
}

static void test_revoke_waits_while_a_backend_maps_the_page(void **state)
{
    struct backend *b = backend_open();
    struct gnttab *gt = create_table(0);
    struct gnttab_stats stats;
    struct owner o;
    char *m;

    assert_non_null(b);
    owner_init(&o, "before");
    grant_to_dom0(gt, &o, false);
    m = backend_map(b, fx.domid, o.ref, true);
    assert_non_null(m);

    assert_int_equal(gnttab_revoke(gt, o.ref), -XEN_EBUSY);
    assert_true(gnttab_end_access(gt, o.ref, &o.later, owner_told, &o));
    gnttab_get_stats(gt, &stats);
    assert_int_equal(stats.deferred, 1);
    assert_int_equal(stats.deferred_pending, 1);
    assert_int_equal(stats.deferred_completed, 0);

    /* Many retries later the backend still has the page, and the owner still has it too. */
    assert_int_equal(os_event_wait(&o.told, 50 * MS), -XEN_ETIMEDOUT);
    strcpy(m, "written by the backend");
    assert_string_equal((char *)o.page, "written by the backend");
    assert_non_null(o.page);

    assert_int_equal(backend_unmap(b, m), 0);
    assert_int_equal(os_event_wait(&o.told, 2000 * MS), 0);
    assert_int_equal(o.status, 0);
    assert_false(o.told_in_dispatch);
    assert_null(o.page); /* freed by owner_told */
    gnttab_get_stats(gt, &stats);
    assert_int_equal(stats.deferred_pending, 0);
    assert_int_equal(stats.deferred_completed, 1);
    assert_int_equal(stats.revokes, 1);
    release_all(gt, b, NULL);
}

static void test_destroy_leaves_a_page_still_mapped_to_its_backend(void **state)
{
    struct backend *b = backend_open();
    struct gnttab *gt = create_table(100 * MS);
    grant_ref_t *refs = calloc(USABLE + 1, sizeof(*refs));
    struct owner o;
    uint32_t n;
    char *m;

    assert_non_null(b);
    assert_non_null(refs);
    owner_init(&o, "still mapped");
    grant_to_dom0(gt, &o, false);
    m = backend_map(b, fx.domid, o.ref, true);
    assert_non_null(m);
    assert_true(gnttab_end_access(gt, o.ref, &o.later, owner_told, &o));
    gnttab_destroy(gt);
    /* The owner was told to keep the page from reuse; the backend still sees it. */
    assert_int_equal(o.status, -XEN_EBUSY);
    assert_false(o.told_in_dispatch);
    assert_non_null(o.page);
    assert_string_equal(m, "still mapped");

    /* The next table never hands the entry out while the backend holds it... */
    gt = create_table(0);
    n = alloc_all(gt, refs);
    assert_int_equal(n, USABLE - 1);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_not_equal(refs[i], o.ref);
        gnttab_free(gt, refs[i]);
    }
    gnttab_destroy(gt);

    /* ...and takes the entry left granted back once the backend let go. */
    assert_int_equal(backend_unmap(b, m), 0);
    gt = create_table(0);
    n = alloc_all(gt, refs);
    assert_int_equal(n, USABLE);
    while (n)
        gnttab_free(gt, refs[--n]);
    release_all(gt, b, o.page);
    free(refs);
}

/* -- resume ---------------------------------------------------------------- */

static int64_t suspend_result;

static void *suspend_vcpu(void *unused)
{
    struct sched_shutdown reason = {.reason = SHUTDOWN_suspend};

    suspend_result =
        os_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (uint64_t)(uintptr_t)&reason);
    return NULL;
}

static bool suspended(uint32_t domid)
{
    union sim_request_body body = {.domid.domid = domid};
    struct sim_reply reply;

    return dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply) == 0 &&
           reply.body.info.domid == domid && (reply.body.info.flags & SIM_DOMINFO_SHUTDOWN);
}

/* Suspend, save, restore as a new domain; the old one is destroyed. */
static void migrate(void)
{
    union sim_request_body body = {.domid.domid = fx.domid};
    struct sim_reply reply;
    uint32_t restored;
    pthread_t vcpu;
    int tries = 0;

    assert_int_equal(pthread_create(&vcpu, NULL, suspend_vcpu, NULL), 0);
    while (!suspended(fx.domid) && tries++ < 500)
        usleep(2000);
    assert_int_equal(simd_domain_save(&fx.simd, fx.domid, "gnttab.img"), 0);
    assert_int_equal(simd_domain_restore(&fx.simd, "gnttab.img", &restored), 0);
    pthread_join(vcpu, NULL);
    assert_int_equal(suspend_result, 0);
    assert_int_equal(sim_guest_domid(), restored);
    assert_int_equal(dom0_call(&fx.simd.toolstack, SIM_DOMAIN_DESTROY, &body, &reply), 0);
    fx.domid = restored;
}

static void test_resume_in_a_restored_domain(void **state)
{
    struct backend *old_backend = backend_open(), *b;
    struct gnttab *gt = create_table(0);
    grant_ref_t refs[GNTTAB_ENTRIES_PER_FRAME + 1];
    struct gnttab_stats stats;
    struct owner held, waiting, fresh;
    uint32_t old_domid = fx.domid;
    char *m;

    assert_non_null(old_backend);
    /* Two frames in use; keep a reference from the second. */
    for (uint32_t i = 0; i < GNTTAB_ENTRIES_PER_FRAME + 1; i++)
        assert_int_equal(gnttab_alloc(gt, &refs[i]), 0);
    owner_init(&held, "kept across the move");
    held.ref = refs[GNTTAB_ENTRIES_PER_FRAME];
    assert_true(held.ref >= GNTTAB_ENTRIES_PER_FRAME);
    for (uint32_t i = 0; i < GNTTAB_ENTRIES_PER_FRAME; i++)
        gnttab_free(gt, refs[i]);
    assert_int_equal(gnttab_grant(gt, held.ref, DOM0, held.gfn, false), 0);
    /* And a revoke waiting for a backend of the old domain. */
    owner_init(&waiting, "waiting");
    grant_to_dom0(gt, &waiting, false);
    m = backend_map(old_backend, old_domid, waiting.ref, true);
    assert_non_null(m);
    assert_true(gnttab_end_access(gt, waiting.ref, &waiting.later, owner_told, &waiting));

    migrate();
    assert_int_equal(gnttab_resume(gt), 0);

    /* The old backend is gone with its domain: the waiting revoke is over. */
    assert_int_equal(os_event_wait(&waiting.told, 2000 * MS), 0);
    assert_int_equal(waiting.status, 0);
    gnttab_get_stats(gt, &stats);
    assert_int_equal(stats.frames, 2);
    assert_int_equal(stats.deferred_pending, 0);
    assert_int_equal(stats.deferred_completed, 1);
    assert_int_equal(query_size().nr_frames, 2);

    /* The reference kept is still its owner's: granted again, a new backend maps it. */
    assert_string_equal((char *)held.page, "kept across the move");
    assert_int_equal(gnttab_grant(gt, held.ref, DOM0, held.gfn, false), 0);
    b = backend_open();
    assert_non_null(b);
    assert_backend_sees(b, held.ref, "kept across the move");
    /* As does a reference allocated now. */
    owner_init(&fresh, "granted after resume");
    grant_to_dom0(gt, &fresh, true);
    assert_backend_sees(b, fresh.ref, "granted after resume");

    assert_int_equal(backend_unmap(old_backend, m), 0);
    backend_close(old_backend);
    backend_close(b);
    assert_false(gnttab_end_access(gt, held.ref, &held.later, owner_told, &held));
    assert_false(gnttab_end_access(gt, fresh.ref, &fresh.later, owner_told, &fresh));
    gnttab_destroy(gt);
    os_pages_free(held.page, 1);
    os_pages_free(fresh.page, 1);
    assert_int_equal(os_posix_guest_pages_in_use(), pages_at_start);
}

/* -- threads ---------------------------------------------------------------- */

#define THREADS 4
#define ROUNDS  20000
#define HOLD    300 /* together more than a frame holds: the table grows under them */

static struct gnttab *shared_gt;
static uint64_t shared_gfn;
static uint8_t holder[MAX_FRAMES * GNTTAB_ENTRIES_PER_FRAME]; /* who has each reference */

struct worker {
    pthread_t thread;
    uint8_t id;
    unsigned int seed;
    const char *error;
};

/* Mark @ref as @w's (or free again); two holders at once is the bug looked for. */
static bool change_holder(grant_ref_t ref, uint8_t from, uint8_t to)
{
    return __atomic_compare_exchange_n(&holder[ref], &from, to, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

static bool give_back(struct worker *w, grant_ref_t ref)
{
    if (gnttab_revoke(shared_gt, ref) != 0 || !change_holder(ref, w->id, 0))
        return false;
    gnttab_free(shared_gt, ref);
    return true;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    grant_ref_t held[HOLD];
    uint32_t n = 0;

    for (int round = 0; round < ROUNDS && !w->error; round++) {
        if (n < HOLD && rand_r(&w->seed) % 3 != 0) {
            if (gnttab_alloc(shared_gt, &held[n]) != 0)
                w->error = "allocation failed";
            else if (!change_holder(held[n], 0, w->id))
                w->error = "a reference handed out twice";
            else if (gnttab_grant(shared_gt, held[n++], DOM0, shared_gfn, round % 2) != 0)
                w->error = "grant failed";
        } else if (n) {
            uint32_t i = (uint32_t)rand_r(&w->seed) % n;

            if (!give_back(w, held[i]))
                w->error = "revoke or free failed";
            held[i] = held[--n];
        }
    }
    while (n && !w->error)
        if (!give_back(w, held[--n]))
            w->error = "revoke or free failed";
    return NULL;
}

static void test_threads_share_the_table(void **state)
{
    struct worker workers[THREADS];
    struct gnttab_stats stats;
    struct owner o;

    owner_init(&o, "shared");
    shared_gfn = o.gfn;
    shared_gt = create_table(0);
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){.id = (uint8_t)(i + 1), .seed = (unsigned int)i};
        assert_int_equal(pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(workers[i].thread, NULL);
        if (workers[i].error)
            fail_msg("worker %d: %s", i, workers[i].error);
    }
    gnttab_get_stats(shared_gt, &stats);
    assert_true(stats.frames >= 2);
    assert_true(stats.grants > ROUNDS);
    assert_int_equal(stats.revokes, stats.grants);
    assert_int_equal(stats.alloc_failures, 0);
    release_all(shared_gt, NULL, o.page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grows_to_the_maximum_and_no_further),
        cmocka_unit_test(test_read_only_grant_maps_only_read_only),
        cmocka_unit_test(test_revoke_waits_while_a_backend_maps_the_page),
        cmocka_unit_test(test_destroy_leaves_a_page_still_mapped_to_its_backend),
        cmocka_unit_test(test_threads_share_the_table),
        cmocka_unit_test(test_resume_in_a_restored_domain),
    };

    return cmocka_run_group_tests_name("gnttab_sim", tests, setup, sim_fixture_teardown);
}
