DRIVERS += xenbus
xenbus_SRCS := windows/xenbus/driver.c windows/xenbus/pnp.c windows/xenbus/power.c \
               windows/xenbus/hypervisor.c windows/xenbus/upcall.c \
               windows/xenbus/children.c windows/xenbus/pdo.c windows/xenbus/platform_device.c \
               windows/xenbus/unplug.c windows/xenbus/suspend.c \
               windows/xenbus/agent.c
xenbus_LIBS := ntoskrnl hal
xenbus_INF := windows/xenbus/xenbus.inf
