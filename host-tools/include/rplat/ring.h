/* The observation ring, host side: validate its header, drain its records (rplat observe), and check
 * the resource-table entry that declares it (rplat check rsc).
 *
 * The ring is written by a remote that rplat does not control, in memory the host can also corrupt, so
 * nothing read from it is trusted: the header is validated field by field, indices are checked against
 * the ring size, and every record's own seq must match the slot index before it is handed out.
 * See rplat/wire/obs_ring.h for the layout. No function here allocates or prints. */
#ifndef RPLAT_RING_H
#define RPLAT_RING_H

#include <stddef.h>
#include <stdint.h>

#include "rplat/wire/obs_ring.h"

struct rplat_findings;
struct rplat_rsc;

/* What a valid header says. */
struct rplat_ring_info {
	uint32_t nrec;
	uint64_t counter_hz;
	uint32_t boot_id;
	uint32_t head, tail, drops;
	uint32_t counter_bits, counter_down; /* how rec.raw counts (rplat_ring_stamp()) */
};

/**
 * rplat_ring_validate - check a ring header
 * @mem: the ring's first bytes (the carveout)
 * @size: bytes mapped there
 * @info: filled when valid (may be NULL)
 * @err: message naming the field that is wrong ("ring header: nrec 1000 is not a power of two")
 *
 * Returns 0, or -1 with err. The indices are read once; head - tail must not exceed nrec.
 */
int rplat_ring_validate(const volatile void *mem, size_t size, struct rplat_ring_info *info, char *err,
			size_t errlen);

enum rplat_ring_status {
	RPLAT_RING_OK = 0,
	RPLAT_RING_RESTARTED = 1, /* boot_id changed (or the ring was re-initialised): the reader re-attached */
	RPLAT_RING_CORRUPT = 2,   /* the header or a record is inconsistent: the reader refuses the ring */
};

struct rplat_ring_reader {
	volatile uint8_t *mem;
	size_t size;
	uint32_t nrec;
	uint64_t counter_hz;
	uint32_t counter_bits;  /* the header's, for rplat_ring_stamp() */
	uint32_t counter_down;
	uint32_t boot_id;
	uint32_t tail;          /* next record to read (our copy; written to the header after each drain) */
	uint32_t drops;         /* the producer's drop count at the last drain */
	uint64_t records;       /* records read since attach (over restarts) */
	uint64_t restarts;      /* boot_id changes seen */
	uint64_t drops_before;  /* drops counted by earlier boots */
	uint32_t drops_base;    /* the producer's drop count when we attached (not ours to count) */
	uint32_t zero_magic;    /* consecutive drains that found magic 0 (a re-initialisation in progress) */
	int corrupt;            /* set once a drain found the ring corrupt: every later drain refuses */
};

/* Validate and attach: start reading at the header's current tail (records already consumed stay so).
 * Returns 0, or -1 with err (as rplat_ring_validate). */
int rplat_ring_attach(struct rplat_ring_reader *r, volatile void *mem, size_t size, char *err, size_t errlen);

/**
 * rplat_ring_drain - read what the producer has published, up to 'max' records
 * @r: an attached reader
 * @out: room for 'max' records (copied out of shared memory, in order)
 * @max: how many at most
 * @n: set to the number of records copied
 * @err: the reason for RPLAT_RING_CORRUPT / RPLAT_RING_RESTARTED
 *
 * Each record's t is its decoded time (rplat_ring_stamp()), the target's counter extended to 64 bits.
 * On RPLAT_RING_OK the records are consumed (the header's tail is advanced past them). On
 * RPLAT_RING_RESTARTED the records of the old boot that were still unread are gone (the producer
 * re-initialised its ring); the reader has re-attached and *n is 0. What the old boot wrote or dropped
 * after the previous drain cannot be known (its header is gone): r->restarts says that happened. On RPLAT_RING_CORRUPT nothing is
 * consumed and the reader stays refused.
 */
enum rplat_ring_status rplat_ring_drain(struct rplat_ring_reader *r, struct rplat_ring_rec *out, size_t max,
					size_t *n, char *err, size_t errlen);

/* Drains that may find magic 0 (the producer re-initialising) before the ring is refused. */
#define RPLAT_RING_REINIT_DRAINS 64

/* Records dropped by the producer since attach, over restarts. */
uint64_t rplat_ring_drops(const struct rplat_ring_reader *r);

/* The name of an event id ("isr", "rx", "send", "mark"), or NULL for an unknown one. */
const char *rplat_ring_event_name(uint32_t ev);

/* `rplat check rsc`: findings about CARVEOUT entries named RPLAT_RING_RSC_NAME in 'rsc' (size, alignment,
 * duplicates). 'source' names the file. Called from rplat_fw_check(). */
void rplat_ring_check_rsc(const struct rplat_rsc *rsc, const char *source, struct rplat_findings *out);

#endif
