/* The coherency test messages of the rplat probe protocol (types RPLAT_COH_FIRST..RPLAT_COH_LAST).
 *
 * A probe that implements them sets RPLAT_FEAT_COHERENCY in INFO. Both sides write a pattern that
 * depends on the message's sequence number and on each byte's offset into every buffer slot; the
 * other side checks every byte, so that a cache line that was not written back (or not invalidated)
 * shows up as bytes holding an older message.
 *
 *   COH_WRITE  host -> probe   bytes [off, len) hold the pattern for hdr.seq, [24, off) are zero.
 *                              The probe checks all of [24, len) and answers COH_REPORT.
 *   COH_REPORT probe -> host   the verdict with evidence (struct rplat_coh_evidence), the device
 *                              address and descriptor of the buffer the COH_WRITE came in, and those
 *                              of the buffer carrying the report.
 *   COH_FILL   host -> probe   asks for a COH_DATA of off + size bytes.
 *   COH_DATA   probe -> host   bytes [off, off + size) hold the pattern for hdr.seq, [32, off) are zero;
 *                              the host checks all of [32, len).
 *   COH_HOLD   host -> probe   the probe stops consuming requests for hold_us microseconds (at most
 *                              RPLAT_COH_HOLD_MAX_US), busy in its handler. No reply. The host uses it
 *                              to have every TX buffer in flight at once, so that all of them are
 *                              written, whatever order its driver recycles them in.
 *   malformed                  ERROR (RPLAT_E_SHORT, RPLAT_E_LEN, RPLAT_E_PARAM, RPLAT_E_TYPE)
 *
 * The pattern. Byte i of a message (offset from the start of the RPMsg payload, i.e. from the
 * rplat_hdr) for sequence s is byte (i % 4) of the little-endian 32-bit word
 *     w(s, i / 4) = E(s) ^ K(i / 4),   E(s) = M2 * (x ^ (x >> 16)) with x = M1 * s,   K(k) = (k + 1) * MK
 * E is a bijection, so any 4-byte group at an offset that is a multiple of 4 gives back the sequence it
 * was written for (rplat_coh_decode()): stale bytes name the message they belong to. Consecutive
 * sequences differ in almost every byte.
 *
 * Evidence kinds, decided in this order on the bytes that differ ("groups" are the 4-byte groups above,
 * "lines" the 64-byte lines of the device address space):
 *   old-seq    every full pattern group is wrong and all (non-zero) decode to one older sequence: the whole
 *              message is one that was in this buffer before (the write never became visible).
 *   stale-line in every line that holds a wrong byte, every full pattern group is wrong: whole cache
 *              lines hold older data (a line not invalidated before the read, or written back late).
 *              A tear that falls exactly on a line boundary looks the same.
 *   torn       the wrong groups form one run reaching the start or the end of the checked bytes and
 *              it starts or ends inside a line: part of a write had not landed.
 *   corrupt    anything else (scattered bytes, bit flips).
 * All fields are little-endian; every struct is packed. */
#ifndef RPLAT_WIRE_COH_PROTO_H
#define RPLAT_WIRE_COH_PROTO_H

#include <stdint.h>

#include "rplat/wire/probe_proto.h"

enum rplat_coh_type {
	RPLAT_COH_WRITE = 0x20,
	RPLAT_COH_REPORT = 0x21,
	RPLAT_COH_FILL = 0x22,
	RPLAT_COH_DATA = 0x23,
	RPLAT_COH_HOLD = 0x24,
	/* 0x25..0x2f reserved: answered with ERROR RPLAT_E_TYPE */
};

enum rplat_coh_kind {
	RPLAT_COH_CLEAN = 0,
	RPLAT_COH_OLD_SEQ = 1,
	RPLAT_COH_STALE_LINE = 2,
	RPLAT_COH_TORN = 3,
	RPLAT_COH_CORRUPT = 4,
};

/* old_seq holds the sequence the wrong bytes were written for: of the wrong, non-zero 4-byte groups,
 * at least two and more than half decode to it (old contents may mix several messages) */
#define RPLAT_COH_EV_OLD_SEQ 0x1u
#define RPLAT_COH_EV_ZERO 0x2u    /* every wrong byte reads 0 (never written, or zero-filled) */

#define RPLAT_COH_LINE 64u            /* cache-line size the evidence is expressed in */
#define RPLAT_COH_SHOW 8u             /* bytes of expected / seen shown from the first wrong byte */
#define RPLAT_COH_HOLD_MAX_US 1000000u

/* What a check found in one message. */
struct rplat_coh_evidence {
	uint8_t kind;        /* enum rplat_coh_kind */
	uint8_t flags;       /* RPLAT_COH_EV_* */
	uint16_t nbad;       /* bytes that differ */
	uint16_t first;      /* message offset of the first wrong byte (0 if clean) */
	uint16_t last;       /* message offset of the last wrong byte */
	uint32_t line_da;    /* device address of the first 64-byte line holding a wrong byte */
	uint16_t nlines;     /* 64-byte lines holding wrong bytes */
	uint8_t nshow;       /* valid bytes in expected[] and seen[] */
	uint8_t reserved;
	uint32_t old_seq;    /* with RPLAT_COH_EV_OLD_SEQ */
	uint8_t expected[RPLAT_COH_SHOW]; /* from 'first' on */
	uint8_t seen[RPLAT_COH_SHOW];
} __attribute__((packed));

/* COH_WRITE: off >= sizeof(struct rplat_coh_write), off + size == hdr.len <= 496. */
struct rplat_coh_write {
	struct rplat_hdr hdr;   /* seq: the pattern's sequence */
	uint16_t off;           /* message offset where the pattern starts; [24, off) are zero */
	uint16_t size;          /* pattern bytes */
	uint32_t reserved;      /* 0 */
	uint8_t data[];
} __attribute__((packed));

/* The buffer identity both replies carry: "slot" is the buffer's device address. */
struct rplat_coh_slots {
	uint32_t rx_da;         /* buffer the request arrived in (the host's TX slot, vring1) */
	uint32_t tx_da;         /* buffer carrying this reply (the host's RX slot, vring0), set at send */
	uint16_t rx_head;       /* their descriptor indices */
	uint16_t tx_head;
} __attribute__((packed));

/* COH_REPORT, the answer to a COH_WRITE (hdr.seq echoed). */
struct rplat_coh_report {
	struct rplat_hdr hdr;
	struct rplat_coh_slots slot;
	uint16_t len;           /* length of the COH_WRITE checked */
	uint16_t off;           /* its off */
	struct rplat_coh_evidence ev;
} __attribute__((packed));

/* COH_FILL: off >= sizeof(struct rplat_coh_data), off + size <= 496. */
struct rplat_coh_fill {
	struct rplat_hdr hdr;   /* seq: the pattern's sequence */
	uint16_t off;
	uint16_t size;
	uint32_t reserved;      /* 0 */
} __attribute__((packed));

/* COH_DATA, the answer to a COH_FILL: hdr.len = off + size. */
struct rplat_coh_data {
	struct rplat_hdr hdr;
	struct rplat_coh_slots slot;
	uint16_t off;
	uint16_t size;
	uint8_t data[];
} __attribute__((packed));

/* COH_HOLD: no reply. */
struct rplat_coh_hold {
	struct rplat_hdr hdr;
	uint32_t hold_us;       /* 1..RPLAT_COH_HOLD_MAX_US */
	uint32_t reserved;      /* 0 */
} __attribute__((packed));

_Static_assert(sizeof(struct rplat_coh_evidence) == 36, "rplat_coh_evidence");
_Static_assert(sizeof(struct rplat_coh_write) == 24, "rplat_coh_write");
_Static_assert(sizeof(struct rplat_coh_report) == 68, "rplat_coh_report");
_Static_assert(sizeof(struct rplat_coh_fill) == 24, "rplat_coh_fill");
_Static_assert(sizeof(struct rplat_coh_data) == 32, "rplat_coh_data");
_Static_assert(sizeof(struct rplat_coh_hold) == 24, "rplat_coh_hold");

#define RPLAT_COH_M1 0x6A5D39E9u
#define RPLAT_COH_M2 0x4B1D7C2Fu
#define RPLAT_COH_M1_INV 0x7F572E59u /* M1 * M1_INV == 1 mod 2^32 */
#define RPLAT_COH_M2_INV 0x672D4ACFu
#define RPLAT_COH_MK 0x7A2B9C4Du

/* The pattern word for sequence 'seq' at group 'k' (message bytes 4k..4k+3). */
static inline uint32_t rplat_coh_word(uint32_t seq, uint32_t k)
{
	uint32_t x = seq * RPLAT_COH_M1;

	return ((x ^ (x >> 16)) * RPLAT_COH_M2) ^ ((k + 1u) * RPLAT_COH_MK);
}

/* The pattern byte for sequence 'seq' at message offset 'i'. */
static inline uint8_t rplat_coh_byte(uint32_t seq, uint32_t i)
{
	return (uint8_t)(rplat_coh_word(seq, i >> 2) >> (8u * (i & 3u)));
}

/* The sequence whose pattern word at group 'k' is 'w'. */
static inline uint32_t rplat_coh_decode(uint32_t w, uint32_t k)
{
	uint32_t x = (w ^ ((k + 1u) * RPLAT_COH_MK)) * RPLAT_COH_M2_INV;

	return (x ^ (x >> 16)) * RPLAT_COH_M1_INV;
}

#endif
