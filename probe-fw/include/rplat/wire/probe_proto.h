/* The rplat probe protocol, version 1: the one wire format shared by every probe firmware and the host.
 *
 * Every message is one RPMsg payload (at most 496 bytes) that starts with struct rplat_hdr. All fields
 * are little-endian. A request carries a host-chosen sequence number that the reply repeats.
 *
 *   INFO_REQ  -> INFO_RESP   firmware identity, counter frequency, error counters
 *   PING      -> PONG        payload echoed byte for byte; the probe fills the three remote stamps
 *   STREAM_START/STOP -> ACK; STREAM_DATA sent by the probe on its own timer (see struct rplat_stream_*)
 *   COH_*                    coherency test messages (see struct rplat_coh_*)
 *   anything malformed -> ERROR with status = enum rplat_err and seq echoed when it could be read
 *
 * Sizes: a PING is sizeof(struct rplat_ping) (40 bytes) followed by 0..RPLAT_PING_MAX_PAYLOAD (456)
 * bytes, so a ping message is 40..496 bytes on the wire. The PONG has exactly the ping's size.
 *
 * Stamps are the probe's 64-bit extended counter (INFO's counter_hz ticks per second):
 *   t_kick    doorbell / ISR entry that announced the request
 *   t_consume the request was popped from the avail ring
 *   t_reply   the reply was pushed to the used ring, just before the kick to the host */
#ifndef RPLAT_WIRE_PROBE_PROTO_H
#define RPLAT_WIRE_PROBE_PROTO_H

#include <stdint.h>

#define RPLAT_MAGIC 0x5052u /* "RP" little-endian */
#define RPLAT_PROTO_VERSION 1u
#define RPLAT_PORT 14u /* the probe's endpoint address, as TI's rpmsg_chrdev */
#define RPLAT_NS_NAME_RAW "rpmsg-raw"       /* mainline rpmsg_char binds to this name */
#define RPLAT_NS_NAME_TI "rpmsg_chrdev"     /* TI kernels and ti-rpmsg-char */

enum rplat_msg_type {
	RPLAT_INFO_REQ = 1,
	RPLAT_INFO_RESP = 2,
	RPLAT_PING = 3,
	RPLAT_PONG = 4,
	RPLAT_ERROR = 5,
	RPLAT_STREAM_START = 0x10,
	RPLAT_STREAM_STOP = 0x11,
	RPLAT_STREAM_ACK = 0x12,
	RPLAT_STREAM_DATA = 0x13,
	RPLAT_COH_FIRST = 0x20, /* 0x20..0x2f: coherency test */
	RPLAT_COH_LAST = 0x2f,
};

enum rplat_err {
	RPLAT_E_OK = 0,
	RPLAT_E_SHORT = 1,    /* shorter than struct rplat_hdr or than its type needs */
	RPLAT_E_MAGIC = 2,    /* magic is not RPLAT_MAGIC */
	RPLAT_E_VERSION = 3,  /* unsupported protocol version */
	RPLAT_E_TYPE = 4,     /* unknown or unexpected message type */
	RPLAT_E_LEN = 5,      /* hdr.len disagrees with the message size */
	RPLAT_E_PARAM = 6,    /* a parameter is out of range */
	RPLAT_E_BUSY = 7,     /* e.g. a stream is already running */
};

struct rplat_hdr {
	uint16_t magic;   /* RPLAT_MAGIC */
	uint8_t version;  /* RPLAT_PROTO_VERSION */
	uint8_t type;     /* enum rplat_msg_type */
	uint16_t len;     /* total message length in bytes, this header included */
	uint16_t flags;   /* 0 */
	uint32_t seq;     /* request sequence number, echoed in the reply */
	uint32_t status;  /* enum rplat_err in ERROR replies, 0 otherwise */
} __attribute__((packed));

struct rplat_ping {
	struct rplat_hdr hdr;
	uint64_t t_kick;
	uint64_t t_consume;
	uint64_t t_reply;
	uint8_t payload[];
} __attribute__((packed));

#define RPLAT_PING_MIN ((unsigned)sizeof(struct rplat_ping))        /* 40 */
#define RPLAT_PING_MAX 496u
#define RPLAT_PING_MAX_PAYLOAD (RPLAT_PING_MAX - RPLAT_PING_MIN)     /* 456 */

/* Error counters, kept by the probe core and reported in INFO. */
struct rplat_counters {
	uint32_t rx_msgs;         /* requests received */
	uint32_t tx_msgs;         /* replies sent */
	uint32_t kicks;           /* doorbells taken */
	uint32_t bad_desc_index;  /* avail entry names a descriptor >= num */
	uint32_t bad_desc_addr;   /* buffer outside the shared region */
	uint32_t bad_desc_len;    /* buffer longer than the region / a buffer slot */
	uint32_t bad_desc_short;  /* buffer shorter than the RPMsg header */
	uint32_t bad_desc_chain;  /* chained or indirect descriptor (unsupported) */
	uint32_t bad_avail_idx;   /* avail idx jumped by more than num */
	uint32_t bad_msg;         /* malformed probe requests (answered with ERROR) */
	uint32_t tx_no_buf;       /* reply dropped: no RX buffer posted by the host */
	uint32_t echo_req;        /* mailbox RP_MBOX_ECHO_REQUEST drained */
} __attribute__((packed));

#define RPLAT_TARGET_LEN 16u
#define RPLAT_BUILD_ID_LEN 20u

struct rplat_info {
	struct rplat_hdr hdr;
	uint32_t fw_version;      /* (major << 16) | (minor << 8) | patch */
	uint32_t proto_version;   /* RPLAT_PROTO_VERSION */
	uint64_t counter_hz;      /* stamp ticks per second */
	char target[RPLAT_TARGET_LEN];      /* "host", "am62x-m4f", "qemu-mps2-an386", NUL padded */
	uint8_t build_id[RPLAT_BUILD_ID_LEN]; /* GNU build-id of the image, zero if none */
	uint32_t vring_num;       /* entries per vring as set up */
	uint32_t features;        /* RPLAT_FEAT_* */
	struct rplat_counters counters;
} __attribute__((packed));

#define RPLAT_FEAT_STREAM 0x1u    /* STREAM_* supported */
#define RPLAT_FEAT_COHERENCY 0x2u /* COH_* supported */

/* Stream mode: the probe sends STREAM_DATA every period_us from its own timer interrupt. */
struct rplat_stream_start {
	struct rplat_hdr hdr;
	uint32_t period_us;       /* >= 1 */
	uint32_t count;           /* messages to send, 0 = until STREAM_STOP */
	uint16_t size;            /* STREAM_DATA message size, sizeof(rplat_stream_data)..496 */
	uint16_t reserved;
} __attribute__((packed));

struct rplat_stream_data {
	struct rplat_hdr hdr;     /* seq counts stream messages from 0 */
	uint64_t t_due;           /* when the timer was due to fire */
	uint64_t t_isr;           /* timer ISR entry: t_isr - t_due is the probe's own IRQ latency */
	uint64_t t_send;          /* pushed to the used ring, just before the kick */
	uint32_t overruns;        /* periods skipped because no RX buffer was free */
	uint32_t reserved;
	uint8_t payload[];
} __attribute__((packed));

_Static_assert(sizeof(struct rplat_hdr) == 16, "rplat_hdr");
_Static_assert(sizeof(struct rplat_ping) == 40, "rplat_ping");

#endif
