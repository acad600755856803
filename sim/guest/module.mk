# Running a process as a guest of winpv-simd (linked into tests).
SIM_GUEST_SRCS := sim/guest/guest.c
