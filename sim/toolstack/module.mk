# The toolstack side: winpv-simd's life cycle, domains (linked into tests and winpv-sim).
SIM_TOOLSTACK_SRCS := sim/toolstack/simd.c $(SIM_CLIENT_SRCS)
