HOST_TESTS += ring
ring_SRCS := tests/ring/ring_test.c

TSAN_TESTS += ring_threads
ring_threads_SRCS := tests/ring/ring_threads_test.c
