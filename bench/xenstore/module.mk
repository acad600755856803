# XS_READ round trips per second against one real C xenstored: our client in
# a guest of winpv-simd (XENBUS's services) and, as the baseline, dom0's
# libxenstore on the socket (socket_reader.c: <xenstore.h> kept apart).
# (= : the sim fixture is listed by tests/support, read after this module.)
BENCHES += xenstore-bench
xenstore-bench_SRCS = bench/xenstore/xenstore_bench.c bench/xenstore/socket_reader.c \
                      $(SIM_FIXTURE_SRCS)
# The fixture's helpers use cmocka's assertions.
xenstore-bench_LDLIBS = $(SIM_TOOLSTACK_LDLIBS) -lcmocka
$(BUILD)/bench/bin/xenstore-bench: | $(BUILD)/bench/bin/winpv-simd simlibs
