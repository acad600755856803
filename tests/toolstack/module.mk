# The toolstack (sim/toolstack) tested on its own.

# How a component the toolstack stops, kills or waits for ended, and that
# any end but the planned one fails the caller.
HOST_TESTS += toolstack_component_ends
toolstack_component_ends_SRCS = tests/toolstack/component_end_test.c sim/toolstack/blkback.c \
                                $(SIM_TOOLSTACK_SRCS)
toolstack_component_ends_LDLIBS = $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/toolstack_component_ends: | $(BUILD)/host/bin/winpv-simd $(SIMLIB_FILES) \
                                              $(BUILD)/host/bin/leak-at-exit

# A component whose end carries a LeakSanitizer report.
HOST_PROGRAMS += leak-at-exit
leak-at-exit_SRCS := tests/toolstack/leak_at_exit.c
