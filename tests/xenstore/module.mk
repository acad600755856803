# The xenstore wire protocol: unit tests and a fuzzer of the reader.
HOST_TESTS += xenstore_wire
xenstore_wire_SRCS := tests/xenstore/wire_test.c

FUZZERS += xenstore-wire-fuzz
xenstore-wire-fuzz_SRCS := tests/xenstore/fuzz_wire.c core/xenstore/wire.c

HOST_TESTS += xenstore_ring
xenstore_ring_SRCS := tests/xenstore/ring_test.c
