# Grant table cycles (allocate, grant, revoke, free) per second in a guest of
# winpv-simd, one thread per processor. (= : the sim sources are listed by
# modules read after this one.)
BENCHES += gnttab-bench
gnttab-bench_SRCS = bench/gnttab/gnttab_bench.c tests/sim/sim_fixture.c $(SIM_GUEST_SRCS) \
                    $(SIM_TOOLSTACK_SRCS)
# The fixture's helpers use cmocka's assertions.
gnttab-bench_LDLIBS = $(SIM_TOOLSTACK_LDLIBS) -lcmocka
$(BUILD)/bench/bin/gnttab-bench: | $(BUILD)/bench/bin/winpv-simd simlibs
