/* tests/support/xenstore/fixture.c - see fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "support/sim/sim_fixture.h"
#include "store_glue.h"

struct xenstore store;
struct xs_client *xs;
static struct guest_rings rings;

static int start(enum xenstored_kind kind, void **state)
{
    if (sim_fixture_setup(state) != 0)
        return -1;
    store.quota_nodes = QUOTA_NODES;
    store.quota_node_size = QUOTA_NODE_SIZE;
    if (xenstore_start(&fx.simd, &store, kind) != 0 ||
        xenstore_introduce(&fx.simd, &store, fx.domid, &rings) != 0 ||
        store_glue_start_events() != 0) {
        fprintf(stderr, "xenstore set-up failed; run directory %s\n", fx.simd.dir);
        xenstore_stop(&store);
        sim_fixture_teardown(state);
        return -1;
    }
    return 0;
}

static int start_c(void **state)
{
    return start(XENSTORED_C, state);
}

static int start_ocaml(void **state)
{
    return start(XENSTORED_OCAML, state);
}

static int stop(void **state)
{
    int stopped;

    store_glue_stop_events();
    stopped = xenstore_stop(&store);
    return sim_fixture_teardown(state) == 0 && stopped == 0 ? 0 : -1;
}

static int client_up(void **state)
{
    int rc = store_glue_connect(&xs);

    if (rc)
        fprintf(stderr, "cannot connect the client: %d\n", rc);
    return rc ? -1 : 0;
}

static int client_down(void **state)
{
    store_glue_disconnect(xs);
    xs = NULL;
    return 0;
}

/* Run group @name: @tests then @more, each with a client of its own. */
static int run_group(const char *name, int (*start_daemon)(void **), const struct CMUnitTest *tests,
                     size_t count, const struct CMUnitTest *more, size_t more_count)
{
    struct CMUnitTest *each = calloc(count + more_count, sizeof(*each));
    int failed;

    if (!each)
        return 1;
    for (size_t i = 0; i < count + more_count; i++) {
        each[i] = i < count ? tests[i] : more[i - count];
        each[i].setup_func = client_up;
        each[i].teardown_func = client_down;
    }
    failed = _cmocka_run_group_tests(name, each, count + more_count, start_daemon, stop);
    free(each);
    return failed;
}

int run_on_each_daemon(const struct CMUnitTest *tests, size_t count,
                       const struct CMUnitTest *c_only, size_t c_only_count,
                       const struct CMUnitTest *ocaml_only, size_t ocaml_only_count)
{
    int failed = run_group("C xenstored", start_c, tests, count, c_only, c_only_count);

    return failed +
           run_group("oxenstored", start_ocaml, tests, count, ocaml_only, ocaml_only_count);
}

int run_on_both_daemons(const struct CMUnitTest *tests, size_t count)
{
    return run_on_each_daemon(tests, count, NULL, 0, NULL, 0);
}

uint32_t guest_domid(void)
{
    return fx.domid;
}

char *guest_path(char *buf, size_t size, const char *fmt, ...)
{
    char tail[4096];
    va_list args;

    va_start(args, fmt);
    vsnprintf(tail, sizeof(tail), fmt, args);
    va_end(args);
    if (tail[0] == '~')
        snprintf(buf, size, "/local/domain/%u%s", fx.domid, tail + 1);
    else
        snprintf(buf, size, "%s", tail);
    return buf;
}
