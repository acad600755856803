# tests/console: the PV console (core/console).

# Input cut into lines, and a fuzzer of the assembler over any bytes.
HOST_TESTS += console_line
console_line_SRCS := tests/console/line_test.c

FUZZERS += console-line-fuzz
console-line-fuzz_SRCS := tests/console/fuzz_line.c core/console/line.c

# The ring engine on a page of its own, the test as backend, hostile too.
HOST_TESTS += console_engine
console_engine_SRCS := tests/console/engine_test.c
