CORE_SRCS += $(sort $(wildcard core/console/*.c))
