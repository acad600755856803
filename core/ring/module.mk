CORE_SRCS += core/ring/ring.c
