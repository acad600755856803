/*
 * tests/support/xenstore/fixture.h - the xsclient tests' world: winpv-simd, a real
 * xenstored (C, then OCaml) with this process introduced as its guest, and
 * for each test a fresh client on the guest's store ring (store_glue).
 */
#ifndef WINPV_TESTS_XSCLIENT_FIXTURE_H
#define WINPV_TESTS_XSCLIENT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/*
 * The guest's quotas: few nodes, so running into the limit is quick; nodes
 * big enough for the largest value a request can carry.
 */
#define QUOTA_NODES     100
#define QUOTA_NODE_SIZE 8192

struct CMUnitTest;
struct xs_client;

extern struct xenstore store; /* the daemon; store.xsh is dom0's libxenstore */
extern struct xs_client *xs;  /* this test's client */

/*
 * Run @tests against C xenstored, then against oxenstored, each group on a
 * fresh winpv-simd. Each test gets a client in xs, destroyed after it.
 * Returns the number of failures.
 */
int run_on_both_daemons(const struct CMUnitTest *tests, size_t count);

/*
 * The same, with @c_only run after @tests against C xenstored only and
 * @ocaml_only after them against oxenstored only: tests of what one daemon
 * does and the other does not are registered only where they apply.
 */
int run_on_each_daemon(const struct CMUnitTest *tests, size_t count,
                       const struct CMUnitTest *c_only, size_t c_only_count,
                       const struct CMUnitTest *ocaml_only, size_t ocaml_only_count);

/* The guest's domain id. */
uint32_t guest_domid(void);

/* Format a path into @buf: "%d" and friends, then "~" at the start becomes the guest's home. */
char *guest_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* WINPV_TESTS_XSCLIENT_FIXTURE_H */
