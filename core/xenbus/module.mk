CORE_SRCS += $(sort $(wildcard core/xenbus/*.c))
