# winpv-simd: the user-space hypervisor (see sim/hv/hv.h).
HOST_PROGRAMS += winpv-simd
winpv-simd_SRCS := $(sort $(wildcard sim/hv/*.c)) $(SIM_CLIENT_SRCS)

# The same daemon without sanitizers, for benchmarks and beside winpv-sim for people.
BENCH_PROGRAMS += winpv-simd
RELEASE_PROGRAMS += winpv-simd
