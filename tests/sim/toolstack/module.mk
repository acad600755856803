# The real Xen components sim/toolstack starts on winpv-simd.

# Starting, watching and stopping them (components.c).
HOST_TESTS += sim_components
sim_components_SRCS := tests/sim/toolstack/sim_components_test.c $(SIM_TOOLSTACK_SRCS)
sim_components_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_components: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)

# Debian's C xenstored on winpv-simd, a guest on its ring, the real tools on its socket.
HOST_TESTS += sim_xenstore
sim_xenstore_SRCS = tests/sim/toolstack/sim_xenstore_test.c $(XS_RING_CLIENT_SRCS) \
                    $(SIM_FIXTURE_SRCS)
sim_xenstore_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_xenstore: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)

# Debian's xenconsoled on winpv-simd, logging a guest's PV console.
HOST_TESTS += sim_console
sim_console_SRCS = tests/sim/toolstack/sim_console_test.c $(SIM_FIXTURE_SRCS)
sim_console_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_console: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)

# Debian's Xen QEMU on winpv-simd: its xen-disk serving a test guest's blkif ring.
HOST_TESTS += sim_qemu_disk
sim_qemu_disk_SRCS = tests/sim/toolstack/sim_qemu_disk_test.c $(TEST_BLKFRONT_SRCS) \
                     $(SIM_FIXTURE_SRCS)
sim_qemu_disk_LDLIBS := $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/sim_qemu_disk: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES)


# How a component the toolstack stops, kills or waits for ended, and that
# any end but the planned one fails the caller.
HOST_TESTS += toolstack_component_ends
toolstack_component_ends_SRCS = tests/sim/toolstack/component_end_test.c sim/toolstack/blkback.c \
                                $(SIM_TOOLSTACK_SRCS)
toolstack_component_ends_LDLIBS = $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/toolstack_component_ends: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES) \
                                              $(BUILD)/host/bin/leak-at-exit

# A component whose end carries a LeakSanitizer report.
HOST_PROGRAMS += leak-at-exit
leak-at-exit_SRCS := tests/sim/toolstack/leak_at_exit.c
