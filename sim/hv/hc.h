/* sim/hv/hc.h - the hypercall families, each in its own file. */
#ifndef WINPV_SIM_HC_H
#define WINPV_SIM_HC_H

#include "hv.h"

/*
 * Each returns Xen's result for the guest. A family that cannot answer yet
 * (a blocking sched_op) sets *deferred: the reply is sent later.
 */
int64_t hc_memory_op(struct conn *c, struct domain *d, uint64_t cmd, uint64_t arg,
                     struct sim_hypercall_reply *out);
int64_t hc_event_channel_op(struct conn *c, struct domain *d, uint64_t cmd, uint64_t arg);
int64_t hc_grant_table_op(struct conn *c, struct domain *d, uint64_t cmd, uint64_t arg,
                          uint64_t count);
int64_t hc_xen_version(struct conn *c, struct domain *d, uint64_t cmd, uint64_t arg);
int64_t hc_hvm_op(struct conn *c, struct domain *d, uint64_t cmd, uint64_t arg);
int64_t hc_sched_op(struct conn *c, struct domain *d, uint32_t vcpu, uint64_t cmd, uint64_t arg,
                    bool *deferred);
int64_t hc_console_io(struct conn *c, struct domain *d, uint64_t cmd, uint64_t count,
                      uint64_t buffer);

#endif /* WINPV_SIM_HC_H */
