CORE_SRCS += core/hv/hv.c
CORE_SRCS += core/hv/shared_info.c
