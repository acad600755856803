/*
 * core/log/sink.c - see sink.h. Callers count themselves in while they use
 * the sink, so detaching waits for the last one out rather than freeing
 * what a processor still writes to.
 */
#include "log/sink.h"

static log_sink_fn volatile sink_fn;
static void *volatile sink_ctx;
static volatile uint32_t sink_users;

void log_sink_attach(log_sink_fn fn, void *ctx)
{
    OS_ASSERT(__atomic_load_n(&sink_fn, __ATOMIC_ACQUIRE) == NULL);
    sink_ctx = ctx;
    __atomic_store_n(&sink_fn, fn, __ATOMIC_RELEASE);
}

void log_sink_detach(void)
{
    __atomic_store_n(&sink_fn, NULL, __ATOMIC_SEQ_CST);
    /* A user counted in before the store may still call the old sink: it never waits, so this is short. */
    while (os_atomic_load32(&sink_users) != 0)
        ;
    sink_ctx = NULL;
}

void log_sink_emit(enum os_log_level level, const char *fmt, va_list args)
{
    log_sink_fn fn;

    if (level > OS_LOG_INFO)
        return;
    os_atomic_add32(&sink_users, 1);
    fn = __atomic_load_n(&sink_fn, __ATOMIC_SEQ_CST);
    if (fn) {
        char line[LOG_SINK_LINE_MAX + 1];
        size_t len = os_vformat(line, sizeof(line) - 1, fmt, args);
        /* One newline at the end, whatever the message had. */
        while (len && line[len - 1] == '\n')
            len--;
        line[len++] = '\n';
        line[len] = '\0';
        fn(sink_ctx, level, line, len);
    }
    os_atomic_sub32(&sink_users, 1);
}
