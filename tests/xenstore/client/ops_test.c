/*
 * tests/xenstore/client/ops_test.c - the client's node operations against the real
 * xenstoreds, each result checked through dom0's libxenstore and the other
 * way round: values (text and binary), directories, removal, permissions,
 * another domain's nodes, bad paths, the largest request, the node quota.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/xenstore/dom0.h"
#include "support/xenstore/fixture.h"
#include "os.h"
#include "xenstore/client.h"

static uint64_t requests_sent(void)
{
    struct xs_client_stats stats;

    xs_client_get_stats(xs, &stats);
    return stats.requests;
}

static void assert_guest_reads(const char *path, const void *expected, size_t expected_len)
{
    char *value;
    size_t len;

    assert_int_equal(xs_read(xs, XS_TX_NONE, path, &value, &len), 0);
    assert_int_equal(len, expected_len);
    assert_memory_equal(value, expected, expected_len);
    assert_int_equal(value[len], '\0');
    os_free(value);
}

static void assert_dom0_reads(const char *path, const void *expected, size_t expected_len)
{
    unsigned int len;
    char *value = dom0_read(path, &len);

    assert_non_null(value);
    assert_int_equal(len, expected_len);
    assert_memory_equal(value, expected, expected_len);
    free(value);
}

static void test_guest_writes_dom0_reads(void **state)
{
    char path[128];

    guest_path(path, sizeof(path), "~/data/greeting");
    assert_int_equal(xs_write_str(xs, XS_TX_NONE, path, "written by the guest"), 0);
    assert_dom0_reads(path, "written by the guest", 20);
    /* A relative path is under the guest's home. */
    assert_int_equal(xs_write_str(xs, XS_TX_NONE, "data/greeting", "again"), 0);
    assert_dom0_reads(path, "again", 5);
}

static void test_dom0_writes_guest_reads(void **state)
{
    char path[128];

    guest_path(path, sizeof(path), "~/data/answer");
    assert_true(dom0_write_str(path, "42"));
    assert_guest_reads(path, "42", 2);
    assert_guest_reads("data/answer", "42", 2);
    assert_true(dom0_write(path, "", 0));
    assert_guest_reads(path, "", 0);
}

static void test_binary_values_both_ways(void **state)
{
    static const char bytes[] = {'a', 0, 'b', (char)0xff, 0, 0, '\n', 1};
    char path[128];

    guest_path(path, sizeof(path), "~/data/binary");
    assert_int_equal(xs_write(xs, XS_TX_NONE, path, bytes, sizeof(bytes)), 0);
    assert_dom0_reads(path, bytes, sizeof(bytes));
    assert_true(dom0_write(path, bytes + 1, sizeof(bytes) - 1));
    assert_guest_reads(path, bytes + 1, sizeof(bytes) - 1);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_mkdir_directory_rm(void **state)
{
    char dir[128], path[160], **names, **theirs, *value;
    unsigned int count, their_count;

    guest_path(dir, sizeof(dir), "~/data/dir");
    assert_int_equal(xs_mkdir(xs, XS_TX_NONE, dir), 0);
    assert_int_equal(xs_directory(xs, XS_TX_NONE, dir, &names, &count), 0);
    assert_int_equal(count, 0);
    os_free(names);
    assert_dom0_reads(dir, "", 0); /* made, empty */

    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/child%d", dir, 2 - i);
        assert_int_equal(xs_write_str(xs, XS_TX_NONE, path, "x"), 0);
    }
    assert_true(dom0_mkdir(guest_path(path, sizeof(path), "~/data/dir/by-dom0")));
    assert_int_equal(xs_directory(xs, XS_TX_NONE, dir, &names, &count), 0);
    assert_int_equal(count, 4);
    qsort(names, count, sizeof(*names), compare_names);
    assert_string_equal(names[0], "by-dom0");
    assert_string_equal(names[1], "child0");
    assert_string_equal(names[3], "child2");
    theirs = dom0_directory(dir, &their_count);
    assert_non_null(theirs);
    assert_int_equal(their_count, 4);
    qsort(theirs, their_count, sizeof(*theirs), compare_names);
    for (unsigned int i = 0; i < count; i++)
        assert_string_equal(names[i], theirs[i]);
    free(theirs);
    os_free(names);

    /* Removal takes the whole subtree. */
    assert_int_equal(xs_rm(xs, XS_TX_NONE, dir), 0);
    assert_null(dom0_read(dir, NULL));
    assert_int_equal(xs_read(xs, XS_TX_NONE, path, &value, NULL), -XEN_ENOENT);
    assert_int_equal(xs_directory(xs, XS_TX_NONE, dir, &names, &count), -XEN_ENOENT);
}

/* A listing that does not fit one reply is refused by the daemon. */
static void test_directory_longer_than_a_payload(void **state)
{
    struct dom0_perm perms[2] = {{0, 'n'}, {guest_domid(), 'r'}};
    char dir[128], path[256], **names;
    unsigned int count;

    guest_path(dir, sizeof(dir), "~/wide");
    assert_true(dom0_mkdir(dir));
    assert_true(dom0_set_perms(dir, perms, 2));
    for (int i = 0; i < 80; i++) { /* 80 names of 60 bytes: more than 4096 */
        snprintf(path, sizeof(path), "%s/%058d", dir, i);
        assert_true(dom0_write_str(path, ""));
    }
    assert_int_equal(xs_directory(xs, XS_TX_NONE, dir, &names, &count), -XEN_E2BIG);
    assert_true(dom0_rm(dir));
}

static void test_permissions_both_ways(void **state)
{
    uint32_t me = guest_domid();
    struct xs_perm set[] = {{me, XS_PERM_NONE}, {0, XS_PERM_READ}, {7, XS_PERM_BOTH}};
    struct xs_perm *got;
    struct dom0_perm theirs[4];
    char path[128];
    unsigned int count;

    guest_path(path, sizeof(path), "~/data/perms");
    assert_int_equal(xs_write_str(xs, XS_TX_NONE, path, "v"), 0);
    assert_int_equal(xs_set_perms(xs, XS_TX_NONE, path, set, 3), 0);
    assert_int_equal(dom0_get_perms(path, theirs, 4), 3);
    assert_int_equal(theirs[0].domid, me);
    assert_int_equal(theirs[0].access, 'n');
    assert_int_equal(theirs[1].domid, 0);
    assert_int_equal(theirs[1].access, 'r');
    assert_int_equal(theirs[2].domid, 7);
    assert_int_equal(theirs[2].access, 'b');

    theirs[1].access = 'w';
    assert_true(dom0_set_perms(path, theirs, 2));
    assert_int_equal(xs_get_perms(xs, XS_TX_NONE, path, &got, &count), 0);
    assert_int_equal(count, 2);
    assert_int_equal(got[0].domid, me);
    assert_int_equal(got[0].access, XS_PERM_NONE);
    assert_int_equal(got[1].domid, 0);
    assert_int_equal(got[1].access, XS_PERM_WRITE);
    os_free(got);

    /* Checked before sending: no owner, an access that is not a letter. */
    assert_int_equal(xs_set_perms(xs, XS_TX_NONE, path, set, 0), -XEN_EINVAL);
    set[1].access = (enum xs_perm_access)'x';
    assert_int_equal(xs_set_perms(xs, XS_TX_NONE, path, set, 2), -XEN_EINVAL);
}

static void test_other_domains_nodes_are_eacces(void **state)
{
    struct dom0_perm dom0_only = {0, 'n'};
    char path[128], *value;
    struct xs_perm *perms;
    unsigned int count;

    assert_int_equal(xs_write_str(xs, XS_TX_NONE, "/local/domain/0/stolen", "x"), -XEN_EACCES);
    assert_null(dom0_read("/local/domain/0/stolen", NULL));
    assert_int_equal(xs_read(xs, XS_TX_NONE, "/local/domain/0/domid", &value, NULL), -XEN_EACCES);

    /* A node dom0 keeps to itself inside the guest's own directory. */
    guest_path(path, sizeof(path), "~/data/secret");
    assert_true(dom0_write_str(path, "dom0's"));
    assert_true(dom0_set_perms(path, &dom0_only, 1));
    assert_int_equal(xs_read(xs, XS_TX_NONE, path, &value, NULL), -XEN_EACCES);
    assert_int_equal(xs_write_str(xs, XS_TX_NONE, path, "mine"), -XEN_EACCES);
    assert_int_equal(xs_get_perms(xs, XS_TX_NONE, path, &perms, &count), -XEN_EACCES);
    assert_dom0_reads(path, "dom0's", 6);
    assert_true(dom0_rm(path));
}

static void test_missing_node_is_enoent(void **state)
{
    char path[128], *value = NULL;

    guest_path(path, sizeof(path), "~/data/never-written");
    assert_int_equal(xs_read(xs, XS_TX_NONE, path, &value, NULL), -XEN_ENOENT);
    assert_null(value); /* outputs are set on success only */
}

static void test_bad_paths_fail_before_sending(void **state)
{
    static char path[XENSTORE_ABS_PATH_MAX + 2];
    uint64_t sent = requests_sent();
    struct xs_watch *watch;
    char *value;

    memset(path, 'a', sizeof(path) - 1);
    path[0] = '/';
    path[XENSTORE_ABS_PATH_MAX + 1] = '\0'; /* one too long */
    assert_int_equal(xs_read(xs, XS_TX_NONE, path, &value, NULL), -XEN_EINVAL);
    assert_int_equal(xs_write_str(xs, XS_TX_NONE, path, "v"), -XEN_EINVAL);
    path[0] = 'a';
    path[XENSTORE_REL_PATH_MAX + 1] = '\0';
    assert_int_equal(xs_mkdir(xs, XS_TX_NONE, path), -XEN_EINVAL);
    assert_int_equal(xs_rm(xs, XS_TX_NONE, ""), -XEN_EINVAL);
    assert_int_equal(xs_watch_add(xs, path, NULL, NULL, &watch), -XEN_EINVAL);
    assert_int_equal(requests_sent(), sent);
}

/*
 * The largest XS_WRITE fills the payload: the path, its NUL, the value. It
 * goes through (the quota allows such a node); one byte more is refused
 * here, before anything is sent.
 */
static void test_largest_value_fits_one_more_is_e2big(void **state)
{
    static char value[XENSTORE_PAYLOAD_MAX];
    char path[128];
    size_t largest;
    uint64_t sent;

    guest_path(path, sizeof(path), "~/data/largest");
    largest = XENSTORE_PAYLOAD_MAX - (strlen(path) + 1);
    for (size_t i = 0; i < sizeof(value); i++)
        value[i] = (char)('A' + i % 26);
    assert_int_equal(xs_write(xs, XS_TX_NONE, path, value, largest), 0);
    assert_dom0_reads(path, value, largest);
    assert_guest_reads(path, value, largest);

    sent = requests_sent();
    assert_int_equal(xs_write(xs, XS_TX_NONE, path, value, largest + 1), -XEN_E2BIG);
    assert_int_equal(requests_sent(), sent);
    assert_dom0_reads(path, value, largest);
}

/*
 * The guest owns QUOTA_NODES nodes at most. C xenstored says ENOSPC,
 * oxenstored EQUOTA; both mean the quota, and both come back as -XEN_ENOSPC.
 */
static void test_node_quota_is_enospc(void **state)
{
    char path[128];
    int rc = 0, made;

    for (made = 0; made < QUOTA_NODES + 1 && rc == 0; made++) {
        guest_path(path, sizeof(path), "~/data/quota/n%d", made);
        rc = xs_write_str(xs, XS_TX_NONE, path, "v");
    }
    assert_int_equal(rc, -XEN_ENOSPC);
    /*
     * The guest owned some nodes before: the directories and feature nodes
     * the toolstack makes for it (data, drivers..., control/feature-*),
     * and data/quota itself; the last write counted is the refused one.
     */
    assert_in_range(made, QUOTA_NODES - 32, QUOTA_NODES - 16);
    assert_null(dom0_read(path, NULL));
    /* Freed nodes count no more. */
    assert_int_equal(xs_rm(xs, XS_TX_NONE, guest_path(path, sizeof(path), "~/data/quota")), 0);
    assert_int_equal(xs_write_str(xs, XS_TX_NONE, guest_path(path, sizeof(path), "~/data/q"), "v"),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guest_writes_dom0_reads),
        cmocka_unit_test(test_dom0_writes_guest_reads),
        cmocka_unit_test(test_binary_values_both_ways),
        cmocka_unit_test(test_mkdir_directory_rm),
        cmocka_unit_test(test_directory_longer_than_a_payload),
        cmocka_unit_test(test_permissions_both_ways),
        cmocka_unit_test(test_other_domains_nodes_are_eacces),
        cmocka_unit_test(test_missing_node_is_enoent),
        cmocka_unit_test(test_bad_paths_fail_before_sending),
        cmocka_unit_test(test_largest_value_fits_one_more_is_e2big),
        cmocka_unit_test(test_node_quota_is_enospc),
    };

    return run_on_both_daemons(tests, sizeof(tests) / sizeof(tests[0]));
}
