CORE_SRCS += core/log/log.c
