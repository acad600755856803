# Grant table cycles (allocate, grant, revoke, free) per second in a guest of
# winpv-simd, one thread per processor. (= : the sim fixture is listed by
# tests/support, read after this module.)
BENCHES += gnttab-bench
gnttab-bench_SRCS = bench/gnttab/gnttab_bench.c $(SIM_FIXTURE_SRCS)
# The fixture's helpers use cmocka's assertions.
gnttab-bench_LDLIBS = $(SIM_TOOLSTACK_LDLIBS) -lcmocka
$(BUILD)/bench/bin/gnttab-bench: | $(BUILD)/bench/bin/winpv-simd simlibs
