# The toolstack side: winpv-simd's life cycle, domains (linked into tests and winpv-sim).
SIM_TOOLSTACK_SRCS := sim/toolstack/simd.c sim/toolstack/child.c sim/toolstack/components.c \
                      sim/toolstack/component_end.c \
                      sim/toolstack/store.c sim/toolstack/console.c \
                      $(SIM_CLIENT_SRCS)
SIM_TOOLSTACK_SRCS += sim/toolstack/qemu.c
# The real libxenstore, as the toolstack uses it.
SIM_TOOLSTACK_LDLIBS := -lxenstore
