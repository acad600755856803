/* core/console/console_state.c - the console's one state, and the moves it may make (console.h). */
#include "console/console.h"

static bool allowed(enum console_state from, enum console_state to)
{
    switch (to) {
    case CONSOLE_DETACHED:
        return from != CONSOLE_DETACHED;
    case CONSOLE_RUNNING:
        return from == CONSOLE_DETACHED || from == CONSOLE_SUSPENDED;
    case CONSOLE_SUSPENDED:
        return from == CONSOLE_RUNNING;
    case CONSOLE_BROKEN:
        return from == CONSOLE_RUNNING || from == CONSOLE_SUSPENDED;
    }
    return false;
}

enum console_state console_state(const struct console *c)
{
    return (enum console_state)os_atomic_load32(&c->state);
}

bool console_transition(struct console *c, enum console_state to)
{
    for (;;) {
        enum console_state from = console_state(c);

        if (!allowed(from, to))
            return false;
        if (os_atomic_cas32(&c->state, from, to))
            return true;
    }
}

void console_broke(struct console *c, const char *what)
{
    if (!console_transition(c, CONSOLE_BROKEN))
        return; /* detached meanwhile, or broken already */
    if (os_atomic_xchg32(&c->broken_logged, 1) == 0)
        os_log(OS_LOG_ERROR, "console: the backend broke the console page (%s): console stopped\n",
               what);
}
