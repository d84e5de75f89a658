/* RPMsg wire format (drivers/rpmsg/virtio_rpmsg_bus.c). Packed, little-endian. */
#ifndef RPLAT_WIRE_RPMSG_H
#define RPLAT_WIRE_RPMSG_H

#include <stdint.h>

#define RPMSG_BUF_SIZE 512u
#define RPMSG_HDR_SIZE 16u
#define RPMSG_MAX_PAYLOAD (RPMSG_BUF_SIZE - RPMSG_HDR_SIZE) /* 496 */
#define RPMSG_NS_ADDR 53u
#define RPMSG_RESERVED_ADDRESSES 1024u
#define RPMSG_ADDR_ANY 0xFFFFFFFFu
#define RPMSG_NAME_SIZE 32u

#define RPMSG_NS_CREATE 0u
#define RPMSG_NS_DESTROY 1u

struct rpmsg_hdr {
	uint32_t src;
	uint32_t dst;
	uint32_t reserved;
	uint16_t len;
	uint16_t flags;
	uint8_t data[];
} __attribute__((packed));

struct rpmsg_ns_msg {
	char name[RPMSG_NAME_SIZE];
	uint32_t addr;
	uint32_t flags;
} __attribute__((packed));

_Static_assert(sizeof(struct rpmsg_hdr) == 16, "rpmsg_hdr");
_Static_assert(sizeof(struct rpmsg_ns_msg) == 40, "rpmsg_ns_msg");

/* Mailbox control values (TI omap-remoteproc / ti_k3 rproc) */
#define RP_MBOX_READY 0xFFFFFF00u
#define RP_MBOX_PENDING_MSG 0xFFFFFF01u
#define RP_MBOX_CRASH 0xFFFFFF02u
#define RP_MBOX_ECHO_REQUEST 0xFFFFFF03u
#define RP_MBOX_ECHO_REPLY 0xFFFFFF04u
#define RP_MBOX_ABORT_REQUEST 0xFFFFFF05u

#endif
