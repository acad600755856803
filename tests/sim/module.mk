# winpv-simd tested as a guest and dom0 see it.
HOST_TESTS += sim_hv
sim_hv_SRCS := tests/sim/sim_hv_test.c tests/sim/sim_fixture.c $(SIM_GUEST_SRCS) \
               $(SIM_TOOLSTACK_SRCS)
# The daemon the tests start.
sim_hv_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_hv: | $(BUILD)/host/bin/winpv-simd

HOST_TESTS += sim_fifo
sim_fifo_SRCS := tests/sim/sim_fifo_test.c tests/sim/sim_fixture.c $(SIM_GUEST_SRCS) \
                 $(SIM_TOOLSTACK_SRCS)
sim_fifo_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_fifo: | $(BUILD)/host/bin/winpv-simd

# Debian's C xenstored on winpv-simd, a guest on its ring, the real tools on its socket.
HOST_TESTS += sim_xenstore
sim_xenstore_SRCS := tests/sim/sim_xenstore_test.c tests/sim/sim_fixture.c \
                     tests/sim/xs_ring_client.c $(SIM_GUEST_SRCS) $(SIM_TOOLSTACK_SRCS)
sim_xenstore_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_xenstore: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)

# Debian's xenconsoled on winpv-simd, logging a guest's PV console.
HOST_TESTS += sim_console
sim_console_SRCS := tests/sim/sim_console_test.c tests/sim/sim_fixture.c $(SIM_GUEST_SRCS) \
                    $(SIM_TOOLSTACK_SRCS)
sim_console_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_console: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)

# winpv-sim, the command for people.
CHECKS += sim-cli
sim-cli_DEPS = $(BUILD)/host/bin/winpv-sim $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)
sim-cli_CMD = tests/sim/check_cli.sh $(BUILD)/host/bin

HOST_TESTS += sim_components
sim_components_SRCS := tests/sim/sim_components_test.c $(SIM_TOOLSTACK_SRCS)
sim_components_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_components: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)

# Save, restore and cancelled suspend of a guest's domain.
HOST_TESTS += sim_save
sim_save_SRCS := tests/sim/sim_save_test.c tests/sim/sim_fixture.c $(SIM_GUEST_SRCS) \
                 $(SIM_TOOLSTACK_SRCS)
sim_save_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_save: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)
