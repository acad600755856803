/*
 * xen/io/netif.h - the network device protocol: a transmit ring and a
 * receive ring per queue, and an optional control ring.
 *
 * A packet occupies one or more consecutive slots, each a granted buffer,
 * chained with the more_data flag; the first slot may be followed by extra
 * info slots (the extra_info flag), which take a slot of their own in the
 * ring and get a NETIF_RSP_NULL response.
 */
#ifndef WINPV_XEN_IO_NETIF_H
#define WINPV_XEN_IO_NETIF_H

#include <stdint.h>

#include "../grant_table.h"
#include "ring.h"

/* A backend accepts a packet spread over at least this many slots. */
#define XEN_NETIF_NR_SLOTS_MIN 18

/* -- control ring ------------------------------------------------------- */

/* Hash types (bit numbers, and the bits in a hash-flags mask). */
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV4     0 /* addresses */
#define XEN_NETIF_CTRL_HASH_TYPE_IPV4      (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV4)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP 1 /* addresses and ports */
#define XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP  (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV6     2
#define XEN_NETIF_CTRL_HASH_TYPE_IPV6      (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV6)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP 3
#define XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP  (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)

#define XEN_NETIF_CTRL_HASH_ALGORITHM_NONE     0
#define XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ 1

/* A request on the control ring; data depends on type. */
struct xen_netif_ctrl_request {
    uint16_t id;   /* echoed in the response */
    uint16_t type; /* XEN_NETIF_CTRL_TYPE_* */
    uint32_t data[3];
};

#define XEN_NETIF_CTRL_TYPE_INVALID               0
#define XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS        1
#define XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS        2
#define XEN_NETIF_CTRL_TYPE_SET_HASH_KEY          3
#define XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE 4
#define XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE 5
#define XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING      6
#define XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM    7
#define XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE 8
#define XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING      9
#define XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING      10

struct xen_netif_ctrl_response {
    uint16_t id;
    uint16_t type;
    uint32_t status; /* XEN_NETIF_CTRL_STATUS_* */
    uint32_t data;
};

#define XEN_NETIF_CTRL_STATUS_SUCCESS           0
#define XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED     1
#define XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER 2
#define XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW   3

/* An element of the granted array that ADD/DEL_GREF_MAPPING pass. */
struct xen_netif_gref {
    grant_ref_t ref;
    uint16_t flags;  /* XEN_NETIF_CTRLF_GREF_* */
    uint16_t status; /* out: XEN_NETIF_CTRL_STATUS_* */
};

#define _XEN_NETIF_CTRLF_GREF_readonly 0
#define XEN_NETIF_CTRLF_GREF_readonly  (1U << _XEN_NETIF_CTRLF_GREF_readonly)

union xen_netif_ctrl_sring_entry {
    struct xen_netif_ctrl_request req;
    struct xen_netif_ctrl_response rsp;
};

/* -- transmit ------------------------------------------------------------- */

#define _NETTXF_csum_blank     (0)
#define NETTXF_csum_blank      (1U << _NETTXF_csum_blank) /* checksum to be filled in */
#define _NETTXF_data_validated (1)
#define NETTXF_data_validated  (1U << _NETTXF_data_validated) /* checksum known good */
#define _NETTXF_more_data      (2)
#define NETTXF_more_data       (1U << _NETTXF_more_data) /* the next slot continues */
#define _NETTXF_extra_info     (3)
#define NETTXF_extra_info      (1U << _NETTXF_extra_info) /* extra info slots follow */

/* The largest packet the transmit ring can describe (size is 16 bits). */
#define XEN_NETIF_MAX_TX_SIZE 0xFFFF

/* One slot of a packet to send. In the first slot size is the packet's size. */
struct netif_tx_request {
    grant_ref_t gref;
    uint16_t offset; /* of the data in the granted page */
    uint16_t flags;  /* NETTXF_* */
    uint16_t id;     /* echoed in the response */
    uint16_t size;
};
typedef struct netif_tx_request netif_tx_request_t;

#define XEN_NETIF_EXTRA_TYPE_NONE      (0) /* invalid */
#define XEN_NETIF_EXTRA_TYPE_GSO       (1) /* u.gso */
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD (2) /* u.mcast */
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL (3) /* u.mcast */
#define XEN_NETIF_EXTRA_TYPE_HASH      (4) /* u.hash */
#define XEN_NETIF_EXTRA_TYPE_MAX       (5)

#define _XEN_NETIF_EXTRA_FLAG_MORE (0)
#define XEN_NETIF_EXTRA_FLAG_MORE  (1U << _XEN_NETIF_EXTRA_FLAG_MORE) /* another follows */

#define XEN_NETIF_GSO_TYPE_NONE  (0)
#define XEN_NETIF_GSO_TYPE_TCPV4 (1)
#define XEN_NETIF_GSO_TYPE_TCPV6 (2)

/* An extra info slot; it fits in both a tx request and an rx response. */
struct netif_extra_info {
    uint8_t type;  /* XEN_NETIF_EXTRA_TYPE_* */
    uint8_t flags; /* XEN_NETIF_EXTRA_FLAG_* */
    union {
        struct {
            uint16_t size; /* the segment size (MSS) */
            uint8_t type;  /* XEN_NETIF_GSO_TYPE_* */
            uint8_t pad;
            uint16_t features; /* none defined; 0 */
        } gso;
        struct {
            uint8_t addr[6]; /* the multicast MAC address */
        } mcast;
        struct {
            uint8_t type;      /* _XEN_NETIF_CTRL_HASH_TYPE_* (a bit number) */
            uint8_t algorithm; /* XEN_NETIF_CTRL_HASH_ALGORITHM_* */
            uint8_t value[4];  /* little-endian */
        } hash;
        uint16_t pad[3];
    } u;
};
typedef struct netif_extra_info netif_extra_info_t;

struct netif_tx_response {
    uint16_t id;
    int16_t status; /* NETIF_RSP_* */
};
typedef struct netif_tx_response netif_tx_response_t;

union netif_tx_sring_entry {
    struct netif_tx_request req;
    struct netif_tx_response rsp;
};

/* -- receive -------------------------------------------------------------- */

/* A granted page the backend may fill with received data. */
struct netif_rx_request {
    uint16_t id; /* echoed in the response */
    uint16_t pad;
    grant_ref_t gref;
};
typedef struct netif_rx_request netif_rx_request_t;

#define _NETRXF_data_validated (0)
#define NETRXF_data_validated  (1U << _NETRXF_data_validated) /* checksum known good */
#define _NETRXF_csum_blank     (1)
#define NETRXF_csum_blank      (1U << _NETRXF_csum_blank) /* checksum not filled in */
#define _NETRXF_more_data      (2)
#define NETRXF_more_data       (1U << _NETRXF_more_data) /* the next slot continues */
#define _NETRXF_extra_info     (3)
#define NETRXF_extra_info      (1U << _NETRXF_extra_info) /* extra info slots follow */
#define _NETRXF_gso_prefix     (4)
#define NETRXF_gso_prefix      (1U << _NETRXF_gso_prefix) /* obsolete */

/* status is the number of bytes received into the page, or a NETIF_RSP_* error. */
struct netif_rx_response {
    uint16_t id;
    uint16_t offset; /* of the data in the page */
    uint16_t flags;  /* NETRXF_* */
    int16_t status;
};
typedef struct netif_rx_response netif_rx_response_t;

union netif_rx_sring_entry {
    struct netif_rx_request req;
    struct netif_rx_response rsp;
};

/* Response status. */
#define NETIF_RSP_DROPPED (-2)
#define NETIF_RSP_ERROR   (-1)
#define NETIF_RSP_OKAY    (0)
#define NETIF_RSP_NULL    (1) /* the response to an extra info slot */

#endif /* WINPV_XEN_IO_NETIF_H */
