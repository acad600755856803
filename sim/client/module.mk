# The client side of sim/proto.h; linked into everything that talks to winpv-simd.
SIM_CLIENT_SRCS := sim/client/client.c sim/client/fdpass.c
