# The event-channel engine (see core/evtchn/evtchn.h).
CORE_SRCS += core/evtchn/engine.c
CORE_SRCS += core/evtchn/channel.c
CORE_SRCS += core/evtchn/connect.c
CORE_SRCS += core/evtchn/table.c
CORE_SRCS += core/evtchn/dispatch.c
CORE_SRCS += core/evtchn/abi_2l.c
CORE_SRCS += core/evtchn/abi_fifo.c
CORE_SRCS += core/evtchn/toolstack_ports.c
