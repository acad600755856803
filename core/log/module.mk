# os_log and its sink; LOG_SRCS for programs that link core's logging alone.
LOG_SRCS := core/log/log.c core/log/sink.c
CORE_SRCS += $(LOG_SRCS)
