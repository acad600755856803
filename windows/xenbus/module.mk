DRIVERS += xenbus
xenbus_SRCS := windows/xenbus/driver.c windows/xenbus/pnp.c windows/xenbus/power.c \
               windows/xenbus/hypervisor.c
xenbus_LIBS := ntoskrnl hal
xenbus_INF := windows/xenbus/xenbus.inf
