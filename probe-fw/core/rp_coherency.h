/* The coherency test: the probe's handler for the COH_* messages (rplat/wire/coh_proto.h), and the
 * pattern, check and parsers that the host uses too.
 *
 * Plugging it in: rp_coh_ext() is an rp_ext_fn with a struct rp_coh as its ctx. It answers types
 * RPLAT_COH_FIRST..RPLAT_COH_LAST and hands every other type to cfg.next (ERROR RPLAT_E_TYPE without
 * one), so it chains with the stream handler either way round:
 *     coh.cfg.next = rp_stream_ext, next_ctx = &stream;  probe cfg.ext = rp_coh_ext, ext_ctx = &coh
 * (or stream.cfg.next = rp_coh_ext). The target sets RPLAT_FEAT_COHERENCY in its features.
 *
 * Replies go out through rp_probe_send_tagged(), which writes the device address and descriptor of
 * the reply's own buffer into it, so the host can count which of its RX slots were exercised. COH_HOLD
 * busy-waits in the handler (it is meant to stall the probe), reading the HAL counter.
 * Nothing here touches hardware. */
#ifndef RP_COHERENCY_H
#define RP_COHERENCY_H

#include <stdint.h>

#include "rp_probe.h"
#include "rplat/wire/coh_proto.h"

/* How replies are sent: rp_probe_send_tagged() unless a test replaces it. */
typedef int (*rp_coh_send_fn)(struct rp_probe *p, uint32_t dst, const void *msg, uint32_t len,
			      uint32_t da_off, uint32_t head_off);

struct rp_coh_cfg {
	rp_ext_fn next;          /* optional: handler for the other unknown message types */
	void *next_ctx;
};

struct rp_coh {
	struct rp_coh_cfg cfg;
	rp_coh_send_fn send;
	uint32_t writes;         /* COH_WRITE checked */
	uint32_t bad_writes;     /* ... with a wrong byte */
	uint32_t fills;          /* COH_DATA built */
	uint32_t holds;
};

/* ---- probe side ---- */
void rp_coh_init(struct rp_coh *c, const struct rp_coh_cfg *cfg);
int rp_coh_ext(struct rp_probe *p, const struct rplat_hdr *req, uint32_t len, uint8_t *reply, uint32_t cap,
	       void *ctx);

/* ---- pattern and check (both sides) ---- */

/* Write the message body [start, len): zero in [start, off), the pattern for 'seq' in [off, len). */
void rp_coh_fill(uint8_t *msg, uint32_t start, uint32_t off, uint32_t len, uint32_t seq);

/* Check the body [start, len) of 'msg' against what rp_coh_fill() writes, and describe what differs in
 * *ev (kind RPLAT_COH_CLEAN when nothing does). 'da' is the device address of msg[0] (the buffer's da
 * plus the RPMsg header), which places the 64-byte lines. Needs start <= off <= len <= RPLAT_PING_MAX;
 * out-of-range values are clamped. */
void rp_coh_check(const uint8_t *msg, uint32_t start, uint32_t off, uint32_t len, uint32_t seq, uint32_t da,
		  struct rplat_coh_evidence *ev);

/* "clean", "old-seq", "stale-line", "torn", "corrupt", or "?" */
const char *rp_coh_kind_name(unsigned kind);

/* ---- parsers: each checks the rplat header (magic, version, type, hdr.len == len) and the type's
 * fields, copies the fixed part to *out and returns 0, or returns -enum rplat_err. ---- */
int rp_coh_parse_write(const uint8_t *msg, uint32_t len, struct rplat_coh_write *out);
int rp_coh_parse_fill(const uint8_t *msg, uint32_t len, struct rplat_coh_fill *out);
int rp_coh_parse_hold(const uint8_t *msg, uint32_t len, struct rplat_coh_hold *out);
/* Replies, for the host. A report's evidence must be self-consistent (kind known, offsets inside the
 * COH_WRITE it describes, nshow <= RPLAT_COH_SHOW). */
int rp_coh_parse_report(const uint8_t *msg, uint32_t len, struct rplat_coh_report *out);
int rp_coh_parse_data(const uint8_t *msg, uint32_t len, struct rplat_coh_data *out);

#endif
