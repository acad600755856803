# tests/support: fixtures several test areas (and the benchmarks) link.
# Nothing here is a test; each area's module.mk names what it uses. Files
# include them as "support/<kind>/<name>.h" (-Itests). Modules read before
# this one use these lists deferred (=).
#
#   sim/       a test process as toolstack, dom0 and guest of winpv-simd
#              (sim_fixture), its event-channel engine on the upcall thread
#              (guest_events), the least client of its xenstore ring
#              (xs_ring_client)
#   blkfront/  a small blkif frontend of the tests' own, its grants, data
#              pages and xenstore requests on the guest's ring
#   gnttab/    a dom0 backend mapping a guest's grants through libxengnttab
#   xenstore/  the xenstore client on a real xenstored (C, then OCaml) with
#              XENBUS's store connection, checked through dom0's libxenstore
#   vbd/       the blkif frontend (core/vbd/front) in a guest running
#              XENBUS's services, with a disk image
#   fuzz/      a fuzzer's input read as numbers

# The sim sources come from sim/, read before tests/.
SIM_FIXTURE_SRCS := tests/support/sim/sim_fixture.c $(SIM_GUEST_SRCS) $(SIM_TOOLSTACK_SRCS)
GUEST_EVENTS_SRCS := tests/support/sim/guest_events.c
XS_RING_CLIENT_SRCS := tests/support/sim/xs_ring_client.c
# XENBUS's services in the guest of the sim fixture, on a real xenstored.
SERVICES_FIXTURE_SRCS := tests/support/sim/services_fixture.c $(SIM_FIXTURE_SRCS)

# Tests run against sim/lib's libraries, found first through their run path.
SIMLIB_TEST_LDLIBS = -Wl,--no-as-needed -Wl,-rpath,'$$$$ORIGIN/../../sim/lib'

TEST_BLKFRONT_SRCS := tests/support/blkfront/blkfront.c tests/support/blkfront/blkio.c \
                      tests/support/blkfront/guest_grants.c tests/support/blkfront/guest_store.c \
                      $(XS_RING_CLIENT_SRCS)

# Built against Debian's headers only, as the programs using libxengnttab are.
GRANT_BACKEND_SRCS := tests/support/gnttab/backend.c
GRANT_BACKEND_LDLIBS := -l:libxengnttab.so.1
INCLUDES_tests/support/gnttab/backend :=

XENSTORE_FIXTURE_SRCS := tests/support/xenstore/fixture.c tests/support/xenstore/store_glue.c \
                         tests/support/xenstore/dom0.c $(GUEST_EVENTS_SRCS) $(SIM_FIXTURE_SRCS)

VBD_FRONT_FIXTURE_SRCS := tests/support/vbd/front_fixture.c tests/support/blkfront/blkio.c \
                          tests/support/blkfront/guest_grants.c $(SIM_FIXTURE_SRCS)
VBD_FRONT_FIXTURE_LDLIBS = $(SIMLIB_TEST_LDLIBS) $(SIM_TOOLSTACK_LDLIBS)
