CORE_SRCS += $(sort $(wildcard core/balloon/*.c))
