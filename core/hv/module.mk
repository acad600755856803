CORE_SRCS += core/hv/hv.c
