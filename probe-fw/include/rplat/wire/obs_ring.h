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
 * it change mid-observation knows the indices started over.
 *
 * Time stamps (version 2). A record carries the counter in two parts, so that the hook does no 64-bit
 * arithmetic: 't', the 64-bit count at the producer's last clock tick (rplat_hooks_tick(), run at
 * least every half wrap of the counter register), and 'raw', the counter register as the hook read it
 * (counting down if the header's counter_down says so). The record's time is rplat_ring_stamp(): t
 * plus the ticks from t to raw modulo 2^counter_bits, taken as signed (a tick that ran between the
 * hook's two reads makes raw slightly older than t). The register is what it is when read, whether
 * or not its last wrap was handled, so a hook in an interrupt that preempts the counter's own wrap
 * handling (a SysTick exception pending) is stamped right: no wrap can be missed while the tick runs.
 * A producer with a 64-bit counter writes raw = (uint32_t)t, which decodes to t (version 1 had the
 * whole 64-bit stamp in t and nothing in raw). */
#ifndef RPLAT_WIRE_OBS_RING_H
#define RPLAT_WIRE_OBS_RING_H

#include <stdint.h>
#include <string.h>

#define RPLAT_RING_MAGIC 0x474e5252u /* "RRNG" */
#define RPLAT_RING_VERSION 2u
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
	uint32_t counter_bits;   /* width of the counter in rec.raw, 1..32: it wraps at 2^counter_bits */
	uint32_t counter_down;   /* 1: rec.raw counts down (SysTick), 0: up */
	uint32_t reserved0[4];
	/* consumer line */
	volatile uint32_t tail;  /* records consumed, written by the host only */
	uint32_t reserved1[15];
};

struct rplat_ring_rec {
	uint64_t t;       /* the 64-bit count at the producer's last clock tick (see rplat_ring_stamp()) */
	uint32_t seq;     /* this record's index (head when it was written) */
	uint16_t event;   /* enum rplat_ring_event */
	uint16_t len;     /* RPMsg payload length; the mark id for RPLAT_EV_MARK */
	uint32_t src;     /* RPMsg source address */
	uint32_t dst;     /* RPMsg destination address */
	uint32_t digest;  /* rplat_ring_digest() of the payload; the mark value for RPLAT_EV_MARK */
	uint32_t raw;     /* the counter register when the record was written (low counter_bits count) */
};

/* C99 static assertions (the hooks are C99): a negative array size fails to compile */
typedef char rplat_ring_hdr_size_check[sizeof(struct rplat_ring_hdr) == RPLAT_RING_HDR_SIZE ? 1 : -1];
typedef char rplat_ring_rec_size_check[sizeof(struct rplat_ring_rec) == RPLAT_RING_REC_SIZE ? 1 : -1];
typedef char rplat_ring_tail_check[__builtin_offsetof(struct rplat_ring_hdr, tail) == 64 ? 1 : -1];

/* A record's time: rec.t plus the ticks from rec.t to rec.raw modulo 2^bits (bits and down: the
 * header's counter_bits, 1..32, and counter_down), as a signed distance of less than half a wrap. */
static inline uint64_t rplat_ring_stamp(uint64_t t, uint32_t raw, uint32_t bits, uint32_t down)
{
	uint32_t mask = bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1u;
	uint32_t d = ((down ? ~raw : raw) - (uint32_t)t) & mask;

	return d <= mask >> 1 ? t + d : t - ((uint64_t)mask + 1u - d);
}

/* A 32-bit load of 4 bytes at any alignment, in the machine's byte order (little-endian on every
 * rplat target and host; the digest is only ever compared with another one from the same firmware). A
 * single LDR on Cortex-M3/M4/M7 and R5 (unaligned access allowed), byte loads where it is not. */
static inline uint32_t rplat_ring_ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The payload digest (version 2): two words of the payload's first bytes, lo ^ (hi rotated right by
 * 13). From 8 bytes on, lo and hi are bytes 0-3 and 4-7 (little-endian); for 4..7 bytes, bytes 0-3
 * and the last four (overlapping); for 1..3 bytes, lo is bytes 0 and len/2, hi byte len-1; 0 bytes: 0.
 * The length itself is in the record. Every payload byte of the first 8 counts: a change in one byte
 * always changes the digest (the rotation by an odd amount never lines a byte up with itself), so
 * neighbouring messages of the same length that differ in their first bytes (a sequence number, a
 * command) are told apart. Not a checksum. It reads only the first min(len, 8) bytes, with at most two
 * compares and three loads whatever the length (the hooks' cost: README.md, "The hooks"). */
static inline uint32_t rplat_ring_digest(const uint8_t *p, uint32_t len)
{
	uint32_t lo, hi;

	if (len < 4) {
		if (!len)
			return 0;
		lo = (uint32_t)p[0] | (uint32_t)p[len >> 1] << 8;
		hi = p[len - 1];
	} else if (len < 8) {
		lo = rplat_ring_ld32(p);
		hi = rplat_ring_ld32(p + len - 4);
	} else {
		lo = rplat_ring_ld32(p);
		hi = rplat_ring_ld32(p + 4);
	}
	return lo ^ (hi >> 13 | hi << 19);
}

#endif
