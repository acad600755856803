CORE_SRCS += core/xenstore/wire.c
CORE_SRCS += core/xenstore/ring.c
# The client every driver uses (client.h); one file per concern.
CORE_SRCS += core/xenstore/client.c core/xenstore/client_request.c core/xenstore/client_event.c \
             core/xenstore/client_ops.c core/xenstore/client_perms.c core/xenstore/client_tx.c \
             core/xenstore/client_watch.c core/xenstore/client_reconnect.c \
             core/xenstore/client_suspend.c \
             core/xenstore/number.c
