# winpv-simd tested as a guest and dom0 see it.
HOST_TESTS += sim_hv
sim_hv_SRCS := tests/sim/sim_hv_test.c tests/sim/sim_fixture.c $(SIM_GUEST_SRCS) \
               $(SIM_TOOLSTACK_SRCS)
# The daemon the tests start.
$(BUILD)/host/bin/sim_hv: | $(BUILD)/host/bin/winpv-simd

HOST_TESTS += sim_fifo
sim_fifo_SRCS := tests/sim/sim_fifo_test.c tests/sim/sim_fixture.c $(SIM_GUEST_SRCS) \
                 $(SIM_TOOLSTACK_SRCS)
$(BUILD)/host/bin/sim_fifo: | $(BUILD)/host/bin/winpv-simd
