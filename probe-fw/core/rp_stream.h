/* Stream mode: the probe sends STREAM_DATA messages on its own timer, to measure the remote -> host
 * one-way latency and the jitter of the probe's own interrupt entry.
 *
 * The host sends STREAM_START {period_us, count, size}; the probe answers STREAM_ACK and arms its timer.
 * At every period the target's timer ISR calls rp_stream_tick(), which sends one STREAM_DATA:
 *   seq       counts the messages sent, from 0 (as probe_proto.h says)
 *   t_due     when the timer expired (t_isr minus the lateness the timer itself reports)
 *   t_isr     the counter at timer ISR entry; t_isr - t_due is the probe's interrupt latency
 *   t_send    the counter just before the push to the used ring and the kick
 *   overruns  periods so far whose message could not be sent (no RX buffer from the host)
 *   payload   byte i is (uint8_t)i, up to 'size'
 * After 'count' messages (0: until STREAM_STOP) the timer goes back to idle. So a gap in seq is a message
 * lost on the way; a period without a message (overrun) is counted in overruns and takes no seq; a timer
 * expiry the probe missed altogether (ISR held off for over a period; the timer merges them) shows as a
 * t_due step of two periods or more. The lateness is read from the timer modulo its period, so an ISR
 * held off for whole periods is not seen as later than that.
 * STREAM_STOP stops at once and is acknowledged whether a stream runs or not. STREAM_START while one
 * runs gets ERROR BUSY.
 *
 * Periods longer than the timer can count are split: the timer fires every period / k ticks and every
 * k-th interrupt sends. Message types other than STREAM_* go to the next handler, if any.
 *
 * Concurrency: rp_stream_tick() touches the probe's TX ring, so it must not run while rp_probe_poll()
 * runs (give the timer and doorbell interrupts the same priority, or call both from one thread). */
#ifndef RP_STREAM_H
#define RP_STREAM_H

#include <stdint.h>

#include "rp_probe.h"

/* The target's periodic timer, counting at the probe's counter rate. */
struct rp_stream_timer {
	/* Interrupt every 'ticks' (1..max_ticks), the first one 'ticks' from now. */
	void (*start)(void *ctx, uint32_t ticks);
	/* Stop the stream's interrupts (the target may keep a slow tick of its own running). */
	void (*stop)(void *ctx);
	uint32_t max_ticks;
	void *ctx;
};

struct rp_stream_cfg {
	struct rp_stream_timer timer;
	uint64_t counter_hz;     /* counter and timer ticks per second */
	uint32_t min_period_us;  /* shorter periods are refused with RPLAT_E_PARAM */
	rp_ext_fn next;          /* optional: handler for the other unknown message types */
	void *next_ctx;
};

struct rp_stream {
	struct rp_probe *probe;
	struct rp_stream_cfg cfg;
	volatile int running;
	uint32_t dst;            /* host endpoint that started the stream */
	uint32_t count;          /* messages to send, 0 = until stopped */
	uint32_t overruns;       /* periods without a message */
	uint32_t sent;           /* messages sent: the next seq */
	uint32_t sub_n;          /* timer interrupts per period */
	uint32_t sub_left;       /* interrupts left until the next message */
	uint32_t sub_ticks;      /* timer period */
	uint64_t period;         /* sub_ticks * sub_n: the period as the timer runs it */
	uint16_t size;
	uint8_t msg[RPLAT_PING_MAX]; /* the STREAM_DATA being sent; the payload is filled at start */
};

void rp_stream_init(struct rp_stream *s, struct rp_probe *p, const struct rp_stream_cfg *cfg);

/* The probe's rp_ext_fn, with the struct rp_stream as ctx: handles STREAM_START and STREAM_STOP. */
int rp_stream_ext(struct rp_probe *p, const struct rplat_hdr *req, uint32_t len, uint8_t *reply, uint32_t cap,
		  void *ctx);

/* From the timer ISR: 't_isr' is the counter read at ISR entry, 'late' how many ticks after its expiry
 * the timer was read. Returns 1 when a period ended (its message sent, or counted as an overrun), else
 * 0 (not running, or an intermediate interrupt of a split period). */
int rp_stream_tick(struct rp_stream *s, uint64_t t_isr, uint32_t late);

#endif
