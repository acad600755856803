CORE_SRCS += core/xenstore/wire.c
CORE_SRCS += core/xenstore/ring.c
