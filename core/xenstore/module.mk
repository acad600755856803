CORE_SRCS += core/xenstore/wire.c
