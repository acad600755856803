/*
 * sim/nt/agent.c - the guest's user-mode agent, as a Windows guest runs
 * it beside the drivers (a service, as SYSTEM): it opens XENBUS's agent
 * interface (winpv/agent_ioctl.h) once the interface is there, keeps a
 * wait pending on it, and asks Windows to shut down or restart when the
 * wait brings a request, as the real agent calls InitiateShutdown.
 *
 * It runs on a kernel thread of its own at PASSIVE_LEVEL, as user mode's
 * system calls reach drivers. Like a service that registered for device
 * notifications, it closes its handle when the device is to be stopped or
 * removed (nt_agent_pause) and looks for the interface again afterwards
 * (nt_agent_resume); at shutdown it ends (nt_agent_stop), as services do
 * before the drivers are told.
 *
 * Its life is one state, changed under agent.lock. Whoever wants the
 * handle closed sets the state and cancels the wait in flight until the
 * agent thread, which alone opens and closes, has closed it.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "io.h"
#include "clock.h"
#include "kernel.h"
#include "pnp.h"
#include "winpv/agent_ioctl.h"

#define LOOK_AGAIN_MS 50 /* between looks for the interface, or after a failed wait */

enum agent_state {
    AGENT_OFF,      /* not started */
    AGENT_RUNNING,  /* looking for the interface, or waiting on it */
    AGENT_PAUSED,   /* the device is being stopped or removed: no handle */
    AGENT_STOPPING, /* the service stops: the thread ends */
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    enum agent_state state;
    struct nt_pnp *pnp;
    pthread_t thread;
    struct nt_file *file; /* the open handle, or NULL; set and cleared by the agent thread */
    bool closing;         /* the agent thread is closing file */
    enum nt_identity who; /* the account the service runs as */
    NTSTATUS refused;     /* the last open's failure, logged once */
} agent = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};

static const GUID agent_interface = WINPV_AGENT_INTERFACE_INIT;

/* Wait up to @ms for a change; agent.lock held. */
static void wait_locked(unsigned int ms)
{
    struct timespec deadline;

    nt_deadline_after_ms(&deadline, ms);
    pthread_cond_timedwait(&agent.changed, &agent.lock, &deadline);
}

/* Close the handle; agent.lock held, dropped across the close. */
static void close_locked(void)
{
    struct nt_file *f = agent.file;

    agent.closing = true;
    pthread_mutex_unlock(&agent.lock);
    nt_file_close(f);
    pthread_mutex_lock(&agent.lock);
    agent.file = NULL;
    agent.closing = false;
    pthread_cond_broadcast(&agent.changed);
}

/* Open the interface if it is there; agent.lock held, dropped across the open. */
static void open_locked(void)
{
    struct nt_file *f;
    NTSTATUS status;

    pthread_mutex_unlock(&agent.lock);
    status = nt_file_open(&agent_interface, agent.who, FILE_READ_DATA | FILE_WRITE_DATA,
                          agent.pnp->irp_timeout_ms, &f);
    pthread_mutex_lock(&agent.lock);
    if (!NT_SUCCESS(status)) {
        if (status != agent.refused && status != STATUS_OBJECT_NAME_NOT_FOUND)
            nt_log("agent: XENBUS's interface not opened (%#x): looking again\n", (unsigned)status);
        agent.refused = status;
        wait_locked(LOOK_AGAIN_MS);
        return;
    }
    agent.file = f;
    nt_log("agent: connected to XENBUS\n");
    if (agent.state != AGENT_RUNNING)
        close_locked();
}

/* A request came: Windows is asked to shut down or restart. */
static void carry_out(const struct winpv_agent_request *request, uint32_t returned)
{
    if (returned != sizeof(*request) || request->version != WINPV_AGENT_REQUEST_VERSION ||
        (request->action != WINPV_AGENT_POWER_OFF && request->action != WINPV_AGENT_REBOOT)) {
        nt_log("agent: a request it does not understand (%u bytes, version %u, action %u): "
               "ignored\n",
               returned, request->version, request->action);
        return;
    }
    nt_log("agent: XENBUS asks to %s: InitiateShutdown\n",
           request->action == WINPV_AGENT_REBOOT ? "restart" : "power off");
    nt_system_shutdown_request(agent.pnp, request->action == WINPV_AGENT_REBOOT);
}

static void *agent_main(void *arg)
{
    struct nt_thread thread;

    if (nt_thread_enter(&thread, "agent", 0) != 0) {
        nt_log("agent: cannot become a kernel thread: not running\n");
        return NULL;
    }
    pthread_mutex_lock(&agent.lock);
    while (agent.state != AGENT_STOPPING) {
        struct winpv_agent_request request = {0};
        uint32_t returned;
        NTSTATUS status;

        if (agent.state == AGENT_PAUSED) {
            if (agent.file)
                close_locked();
            else
                pthread_cond_wait(&agent.changed, &agent.lock);
            continue;
        }
        if (agent.file == NULL) {
            open_locked();
            continue;
        }
        pthread_mutex_unlock(&agent.lock);
        status = nt_file_ioctl(agent.file, WINPV_IOCTL_AGENT_WAIT, NULL, 0, &request,
                               sizeof(request), &returned);
        if (NT_SUCCESS(status))
            carry_out(&request, returned);
        pthread_mutex_lock(&agent.lock);
        if (!NT_SUCCESS(status) && agent.state == AGENT_RUNNING) {
            nt_log("agent: the wait failed (%#x): the handle is closed\n", (unsigned)status);
            close_locked();
            wait_locked(LOOK_AGAIN_MS);
        }
    }
    if (agent.file)
        close_locked();
    pthread_mutex_unlock(&agent.lock);
    nt_thread_exit(&thread);
    return NULL;
}

int nt_agent_start(struct nt_pnp *pnp, enum nt_identity who)
{
    int err;

    pthread_mutex_lock(&agent.lock);
    agent.pnp = pnp;
    agent.who = who;
    agent.refused = STATUS_SUCCESS;
    agent.state = AGENT_RUNNING;
    err = pthread_create(&agent.thread, NULL, agent_main, NULL);
    if (err)
        agent.state = AGENT_OFF;
    pthread_mutex_unlock(&agent.lock);
    return err ? -1 : 0;
}

/* Enter @state and have the handle closed; the caller is a kernel thread at PASSIVE_LEVEL. */
static void close_for(enum agent_state state)
{
    pthread_mutex_lock(&agent.lock);
    if (agent.state == AGENT_OFF || agent.state == AGENT_STOPPING) {
        pthread_mutex_unlock(&agent.lock);
        return;
    }
    agent.state = state;
    pthread_cond_broadcast(&agent.changed);
    /* The wait may start after a cancel found nothing in flight: cancel until closed. */
    while (agent.file) {
        if (!agent.closing)
            nt_file_cancel(agent.file);
        wait_locked(10);
    }
    pthread_mutex_unlock(&agent.lock);
}

void nt_agent_pause(void)
{
    close_for(AGENT_PAUSED);
}

void nt_agent_resume(void)
{
    pthread_mutex_lock(&agent.lock);
    if (agent.state == AGENT_PAUSED) {
        agent.state = AGENT_RUNNING;
        pthread_cond_broadcast(&agent.changed);
    }
    pthread_mutex_unlock(&agent.lock);
}

void nt_agent_stop(void)
{
    bool running;

    close_for(AGENT_STOPPING);
    pthread_mutex_lock(&agent.lock);
    running = agent.state == AGENT_STOPPING;
    pthread_mutex_unlock(&agent.lock);
    if (!running)
        return;
    pthread_join(agent.thread, NULL);
    pthread_mutex_lock(&agent.lock);
    agent.state = AGENT_OFF;
    pthread_mutex_unlock(&agent.lock);
    nt_log("agent: stopped\n");
}
