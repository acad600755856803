# winpv-simd (sim/hv) tested as a guest and dom0 see it.
HOST_TESTS += sim_hv
sim_hv_SRCS = tests/sim/hv/sim_hv_test.c $(SIM_FIXTURE_SRCS)
# The daemon the tests start.
sim_hv_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_hv: | $(BUILD)/host/bin/winpv-simd

HOST_TESTS += sim_fifo
sim_fifo_SRCS = tests/sim/hv/sim_fifo_test.c $(SIM_FIXTURE_SRCS)
sim_fifo_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_fifo: | $(BUILD)/host/bin/winpv-simd

# Save, restore and cancelled suspend of a guest's domain.
HOST_TESTS += sim_save
sim_save_SRCS = tests/sim/hv/sim_save_test.c $(SIM_FIXTURE_SRCS)
sim_save_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_save: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)
