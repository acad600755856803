# winpv-sim: bring a simulated Xen host up, look at it, act on its guests.
# (= : the toolstack sources are listed by a module read after this one.)
HOST_PROGRAMS += winpv-sim
RELEASE_PROGRAMS += winpv-sim
winpv-sim_SRCS = sim/cli/winpv-sim.c sim/cli/run.c sim/cli/control.c \
                 sim/cli/restore.c sim/cli/guest_end.c sim/cli/io.c $(SIM_TOOLSTACK_SRCS)
winpv-sim_LDLIBS = $(SIM_TOOLSTACK_LDLIBS)
