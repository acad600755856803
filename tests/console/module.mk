# tests/console: the PV console (core/console).

# Input cut into lines, and a fuzzer of the assembler over any bytes.
HOST_TESTS += console_line
console_line_SRCS := tests/console/line_test.c

FUZZERS += console-line-fuzz
console-line-fuzz_SRCS := tests/console/fuzz_line.c core/console/line.c

# The ring engine on a page of its own, the test as backend, hostile too.
HOST_TESTS += console_engine
console_engine_SRCS := tests/console/engine_test.c

# The console as XENBUS's services run it, through the CONSOLE interface,
# against Debian's xenconsoled: its log of the guest, input on its pty.
HOST_TESTS += console_xenconsoled
console_xenconsoled_SRCS = tests/console/xenconsoled_test.c $(SERVICES_FIXTURE_SRCS)
console_xenconsoled_LDLIBS = $(SIMLIB_TEST_LDLIBS) $(SIM_TOOLSTACK_LDLIBS)
$(BUILD)/host/bin/console_xenconsoled: $(SIMLIB_FILES) | $(BUILD)/host/bin/winpv-simd

# Writers on several threads and a backend on another, under TSan.
TSAN_TESTS += console_engine_threads
console_engine_threads_SRCS := tests/console/engine_threads_test.c
