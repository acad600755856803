HOST_TESTS += os_posix
os_posix_SRCS := tests/os/os_posix_test.c

TSAN_TESTS += os_posix_tsan
os_posix_tsan_SRCS := tests/os/os_posix_test.c
