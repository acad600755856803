/*
 * os/posix/context.c - the dispatch-context model and the spinlock.
 *
 * Windows runs event callbacks and holds spinlocks at DISPATCH_LEVEL, where
 * waiting is a bugcheck. Here each thread counts how deep it is in such
 * context, so a test fails at once where Windows would crash.
 */
#include <stdio.h>
#include <stdlib.h>

#include "os.h"
#include "os_posix.h"

static _Thread_local int dispatch_depth;

void os_posix_dispatch_enter(void)
{
    dispatch_depth++;
}

void os_posix_dispatch_leave(void)
{
    OS_ASSERT_CMP(dispatch_depth, >, 0);
    dispatch_depth--;
}

bool os_posix_in_dispatch(void)
{
    return dispatch_depth > 0;
}

void os_posix_require_passive(const char *function)
{
    if (dispatch_depth == 0)
        return;
    fprintf(stderr, "winpv: %s called in dispatch context (depth %d): would bugcheck on Windows\n",
            function, dispatch_depth);
    abort();
}

void os_spin_init(struct os_spinlock *lock)
{
    pthread_mutex_init(&lock->mutex, NULL);
}

os_irql_t os_spin_lock(struct os_spinlock *lock)
{
    os_irql_t saved = dispatch_depth;

    pthread_mutex_lock(&lock->mutex);
    dispatch_depth++;
    return saved;
}

bool os_spin_trylock(struct os_spinlock *lock, os_irql_t *saved)
{
    if (pthread_mutex_trylock(&lock->mutex) != 0)
        return false;
    *saved = dispatch_depth++;
    return true;
}

void os_spin_unlock(struct os_spinlock *lock, os_irql_t saved)
{
    OS_ASSERT_CMP(dispatch_depth, ==, saved + 1);
    dispatch_depth = saved;
    pthread_mutex_unlock(&lock->mutex);
}

void os_mutex_init(struct os_mutex *mutex)
{
    pthread_mutex_init(&mutex->mutex, NULL);
}

void os_mutex_lock(struct os_mutex *mutex)
{
    os_posix_require_passive(__func__);
    pthread_mutex_lock(&mutex->mutex);
}

void os_mutex_unlock(struct os_mutex *mutex)
{
    pthread_mutex_unlock(&mutex->mutex);
}
