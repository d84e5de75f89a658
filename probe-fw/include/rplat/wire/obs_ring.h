/* The observation ring: fixed-size event records the firmware's rplat hooks write and the host drains.
 *
 * Shared by the firmware (probe-fw/hooks) and the host (host-tools/lib/ring.c). All fields are
 * little-endian. The ring sits in a CARVEOUT entry of the firmware's resource table named
 * RPLAT_RING_RSC_NAME; its first RPLAT_RING_HDR_SIZE bytes are struct rplat_ring_hdr, then nrec
 * records of RPLAT_RING_REC_SIZE bytes.
 *
 * Single producer (the firmware), single consumer (the host). The producer owns the first 64 bytes of
 * the header, the consumer owns 'tail' (its own 64-byte line), so neither writes the other's cache line.
 * head and tail count records since the ring was initialised (free-running, wrap at 2^32); record i
 * lives in slot i % nrec. The producer writes a record only when head - tail < nrec, else it counts a
 * drop: it never overwrites what the host has not consumed and never waits. Each record carries its own
 * index (seq), published with it by head, so a host led to a stale slot by a corrupt index sees the
 * mismatch.
 *
 * boot_id changes every time the firmware initialises the ring (a remote restart); the host that sees
 * it change mid-observation knows the indices started over. */
#ifndef RPLAT_WIRE_OBS_RING_H
#define RPLAT_WIRE_OBS_RING_H

#include <stdint.h>

#define RPLAT_RING_MAGIC 0x474e5252u /* "RRNG" */
#define RPLAT_RING_VERSION 1u
#define RPLAT_RING_HDR_SIZE 128u
#define RPLAT_RING_REC_SIZE 32u
#define RPLAT_RING_RSC_NAME "rplat-ring"
#define RPLAT_RING_NREC_MIN 16u
#define RPLAT_RING_NREC_MAX (1u << 20)

/* Event ids (rec.event) */
enum rplat_ring_event {
	RPLAT_EV_ISR = 1,  /* rplat_hook_isr(): the mailbox / doorbell interrupt entered */
	RPLAT_EV_RX = 2,   /* rplat_hook_rx(): the RX callback got a message (src, dst, len, digest) */
	RPLAT_EV_SEND = 3, /* rplat_hook_send(): the firmware is about to send a message */
	RPLAT_EV_MARK = 4, /* rplat_mark(id, value): anything else; id in 'len', value in 'digest' */
};

struct rplat_ring_hdr {
	/* producer line */
	uint32_t magic;       /* RPLAT_RING_MAGIC, written last at init */
	uint16_t version;     /* RPLAT_RING_VERSION */
	uint16_t hdr_size;    /* RPLAT_RING_HDR_SIZE */
	uint32_t rec_size;    /* RPLAT_RING_REC_SIZE */
	uint32_t nrec;        /* records, a power of two, RPLAT_RING_NREC_MIN..MAX */
	uint64_t counter_hz;  /* rate of rec.t */
	uint32_t boot_id;     /* changes at every init of the ring */
	uint32_t flags;       /* 0 */
	volatile uint32_t head;  /* records written */
	volatile uint32_t drops; /* records dropped because the ring was full */
	uint32_t reserved0[6];
	/* consumer line */
	volatile uint32_t tail;  /* records consumed, written by the host only */
	uint32_t reserved1[15];
};

struct rplat_ring_rec {
	uint64_t t;       /* the target's counter, extended to 64 bits */
	uint32_t seq;     /* this record's index (head when it was written) */
	uint16_t event;   /* enum rplat_ring_event */
	uint16_t len;     /* RPMsg payload length; the mark id for RPLAT_EV_MARK */
	uint32_t src;     /* RPMsg source address */
	uint32_t dst;     /* RPMsg destination address */
	uint32_t digest;  /* rplat_ring_digest() of the payload; the mark value for RPLAT_EV_MARK */
	uint32_t reserved;
};

/* C99 static assertions (the hooks are C99): a negative array size fails to compile */
typedef char rplat_ring_hdr_size_check[sizeof(struct rplat_ring_hdr) == RPLAT_RING_HDR_SIZE ? 1 : -1];
typedef char rplat_ring_rec_size_check[sizeof(struct rplat_ring_rec) == RPLAT_RING_REC_SIZE ? 1 : -1];
typedef char rplat_ring_tail_check[__builtin_offsetof(struct rplat_ring_hdr, tail) == 64 ? 1 : -1];

/* The payload digest both sides compute: the first min(len, 8) payload bytes as a little-endian
 * 64-bit number (missing bytes zero), folded to 32 bits as lo ^ (hi * 0x9E3779B1) ^ len. Enough to tell
 * neighbouring messages of the same length apart when they differ in their first bytes (a sequence
 * number, a command), not a checksum. */
static inline uint32_t rplat_ring_digest(const uint8_t *p, uint32_t len)
{
	uint32_t lo = 0, hi = 0, i;

	if (len >= 8) {
		lo = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
	} else {
		for (i = 0; i < len; i++) {
			if (i < 4)
				lo |= (uint32_t)p[i] << (8 * i);
			else
				hi |= (uint32_t)p[i] << (8 * (i - 4));
		}
	}
	return lo ^ (hi * 0x9E3779B1u) ^ len;
}

#endif
