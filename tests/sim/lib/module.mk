# tests/sim/lib: the replacement Xen libraries of sim/lib.
#
#   simlib-symbols    each library has Debian's SONAME and exports, in the
#                     same version node, every symbol Debian's xenstored,
#                     oxenstored, xenconsoled and QEMU import from it
#   simlib-ldd        those programs, with LD_LIBRARY_PATH=build/sim/lib, load
#                     ours (and Debian's libxenstore/libxentoollog/libxencall)
#                     and bind every symbol
#   simlib            the libraries against a running winpv-simd
#   simlib_interpose  the libc calls libxenctrl takes over
#
# The test programs are built as Debian's programs were: against Debian's
# headers (not include/) and Debian's libraries. They run with ours, found
# first through their run path (build/sim/lib: SIMLIB_TEST_LDLIBS, deferred
# as tests/support is read after this module).

CHECKS += simlib-symbols
simlib-symbols_DEPS = $(SIMLIB_FILES)
simlib-symbols_CMD = tests/sim/lib/check_symbols.sh $(SIMLIB_DIR)

CHECKS += simlib-ldd
simlib-ldd_DEPS = $(SIMLIB_FILES)
simlib-ldd_CMD = tests/sim/lib/check_ldd.sh $(SIMLIB_DIR)

HOST_TESTS += simlib
simlib_SRCS := tests/sim/lib/simlib_test.c $(SIM_TOOLSTACK_SRCS)
simlib_LDLIBS = $(SIMLIB_TEST_LDLIBS) $(SIM_TOOLSTACK_LDLIBS) -l:libxenctrl.so.4.17 -l:libxenevtchn.so.1 \
                -l:libxengnttab.so.1 -l:libxenforeignmemory.so.1 -l:libxendevicemodel.so.1
INCLUDES_tests/sim/lib/simlib_test := -Isim -Isim/client -Isim/toolstack
$(BUILD)/host/bin/simlib: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd

HOST_TESTS += simlib_interpose
simlib_interpose_SRCS := tests/sim/lib/simlib_interpose_test.c
simlib_interpose_LDLIBS = $(SIMLIB_TEST_LDLIBS) -l:libxenctrl.so.4.17
INCLUDES_tests/sim/lib/simlib_interpose_test :=
$(BUILD)/host/bin/simlib_interpose: $(SIMLIB_FILES)
