/* Linux remoteproc resource table wire format (include/linux/remoteproc.h).
 *
 * All structures are packed and little-endian. Used by the firmware (to declare its table) and by the
 * host tools (to lay out vrings as remoteproc does, and to lint tables). */
#ifndef RPLAT_WIRE_RSC_TABLE_H
#define RPLAT_WIRE_RSC_TABLE_H

#include <stdint.h>

#define RSC_CARVEOUT 0u
#define RSC_DEVMEM 1u
#define RSC_TRACE 2u
#define RSC_VDEV 3u
#define RSC_LAST 4u
#define RSC_VENDOR_START 128u
#define RSC_VENDOR_END 512u

#define FW_RSC_ADDR_ANY 0xFFFFFFFFu

/* vdev status bits (virtio spec) */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 0x01u
#define VIRTIO_CONFIG_S_DRIVER 0x02u
#define VIRTIO_CONFIG_S_DRIVER_OK 0x04u
#define VIRTIO_CONFIG_S_FEATURES_OK 0x08u

#define VIRTIO_ID_RPMSG 7u
#define VIRTIO_RPMSG_F_NS 0u /* feature bit number */

struct resource_table {
	uint32_t ver;
	uint32_t num;
	uint32_t reserved[2];
	uint32_t offset[];
} __attribute__((packed));

struct fw_rsc_hdr {
	uint32_t type;
	/* followed by the body */
} __attribute__((packed));

struct fw_rsc_carveout {
	uint32_t da;
	uint32_t pa;
	uint32_t len;
	uint32_t flags;
	uint32_t reserved;
	uint8_t name[32];
} __attribute__((packed));

/* fw_rsc_devmem has the same layout as a carveout */
#define fw_rsc_devmem fw_rsc_carveout

struct fw_rsc_trace {
	uint32_t da;
	uint32_t len;
	uint32_t reserved;
	uint8_t name[32];
} __attribute__((packed));

struct fw_rsc_vdev_vring {
	uint32_t da;
	uint32_t align;
	uint32_t num;
	uint32_t notifyid;
	uint32_t pa;
} __attribute__((packed));

struct fw_rsc_vdev {
	uint32_t id;
	uint32_t notifyid;
	uint32_t dfeatures;
	uint32_t gfeatures;
	uint32_t config_len;
	uint8_t status;
	uint8_t num_of_vrings;
	uint8_t reserved[2];
	struct fw_rsc_vdev_vring vring[];
} __attribute__((packed));

_Static_assert(sizeof(struct resource_table) == 16, "resource_table");
_Static_assert(sizeof(struct fw_rsc_carveout) == 52, "carveout");
_Static_assert(sizeof(struct fw_rsc_trace) == 44, "trace");
_Static_assert(sizeof(struct fw_rsc_vdev) == 24, "vdev");
_Static_assert(sizeof(struct fw_rsc_vdev_vring) == 20, "vring");

/* The table every rplat probe declares: one rpmsg vdev with two vrings and a trace buffer, laid out as
 * TI's MCU+ SDK does (140 bytes). Targets fill in the trace da and the vring geometry. */
struct rplat_rsc_table {
	struct resource_table base; /* ver 1, num 2 */
	uint32_t offset[2];
	struct fw_rsc_hdr vdev_hdr; /* RSC_VDEV */
	struct fw_rsc_vdev vdev;
	struct fw_rsc_vdev_vring vring0; /* remote TX = Linux RX */
	struct fw_rsc_vdev_vring vring1; /* remote RX = Linux TX */
	struct fw_rsc_hdr trace_hdr; /* RSC_TRACE */
	struct fw_rsc_trace trace;
} __attribute__((packed));

_Static_assert(sizeof(struct rplat_rsc_table) == 140, "rplat_rsc_table");

/* The table as a firmware declares it in its .resource_table section: both vrings ADDR_ANY, align
 * 4096, num 256, notifyids 1 and 2 (as TI's MCU+ SDK), and a trace buffer of 'tlen' bytes at 'tbuf'. */
#define RPLAT_RSC_TABLE_INIT(tbuf, tlen, trace_name)                                                        \
	{                                                                                                 \
		.base = { .ver = 1, .num = 2 },                                                           \
		.offset = { __builtin_offsetof(struct rplat_rsc_table, vdev_hdr),                         \
			    __builtin_offsetof(struct rplat_rsc_table, trace_hdr) },                      \
		.vdev_hdr = { .type = RSC_VDEV },                                                         \
		.vdev = { .id = VIRTIO_ID_RPMSG, .notifyid = 0, .dfeatures = 1u << VIRTIO_RPMSG_F_NS,     \
			  .num_of_vrings = 2 },                                                           \
		.vring0 = { .da = FW_RSC_ADDR_ANY, .align = 4096, .num = 256, .notifyid = 1 },            \
		.vring1 = { .da = FW_RSC_ADDR_ANY, .align = 4096, .num = 256, .notifyid = 2 },            \
		.trace_hdr = { .type = RSC_TRACE },                                                       \
		.trace = { .da = (uint32_t)(uintptr_t)(tbuf), .len = (tlen), .name = trace_name },          \
	}

#endif
