/* rplat observe: watch the user's own firmware (instrumented with the rplat hooks) and the user's own
 * application, change nothing, and write a normal run directory.
 *
 * Three sources meet here:
 *   the ring      the firmware's records (ISR, RX, SEND, marks), drained lazily from shared memory
 *                 (host-tools/lib/ring.c), each tagged with the boot segment it came from;
 *   the trace     the application's rpmsg writes and reads as syscalls on its fds (observe_trace.c);
 *   the clock     remote stamps mapped onto CLOCK_MONOTONIC by the clock correlation (clocksync.c),
 *                 fitted from the matched messages themselves (write before ISR, SEND before read).
 * rplat_obs_match() pairs them (pure, no I/O: unit-tested), rplat_observe_run() does the rest. */
#ifndef RPLAT_OBSERVE_H
#define RPLAT_OBSERVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rplat/wire/obs_ring.h"

/* ---- matching ---- */

/* WRITE/READ: the application's message syscalls; KICK: the kernel notifying the remote for it (a kprobe
 * on rproc_virtio_notify in its thread); IRQ: the remote's doorbell interrupt (rproc_vq_interrupt, any
 * thread). The matcher looks only at WRITE and READ. */
enum rplat_obs_hev_type { RPLAT_OBS_WRITE = 1, RPLAT_OBS_READ = 2, RPLAT_OBS_KICK = 3, RPLAT_OBS_IRQ = 4 };

/* One application syscall on its rpmsg fd: a write() entered, or a read() returned. */
struct rplat_obs_hostev {
	int64_t t;   /* CLOCK_MONOTONIC ns */
	int type;    /* enum rplat_obs_hev_type */
	int64_t len; /* write: its count, read: its return; -1 when it says nothing about the message (the sim's
			doorbells move 8-byte counters, not messages) */
};

/* One drained record, with where it came from. */
struct rplat_obs_rec {
	struct rplat_ring_rec r;
	uint32_t seg;   /* boot segment: 0 until the first restart */
	uint32_t drain; /* index of the drain that read it */
};

/* A boot segment: what the host knew of its start. */
struct rplat_obs_seg {
	int64_t t_prev;   /* host time of the last drain of the previous segment (0 for segment 0) */
	int64_t t_seen;   /* host time of the drain that saw this boot first */
	uint64_t clean_end; /* records of this segment that precede every drop (UINT64_MAX: no drops) */
};

/* One message of the application, as matched. */
struct rplat_obs_msg {
	uint64_t seq;
	unsigned size;       /* from the remote's RX record, or the write's count; 0 when neither is known */
	int64_t t_write;     /* host ns */
	int64_t t_read;      /* host ns, valid when has_read */
	int has_read;
	uint32_t seg;
	int has_isr, has_rx, has_send;
	uint64_t r_isr, r_rx, r_send; /* remote ticks */
	int restart;         /* written while the remote restarted: matched to nothing on purpose */
	int mismatch;        /* set by the analysis: the matched records contradict the host times */
	int by_time;         /* matched by rplat_obs_match_time() */
	/* set by the analysis, with the kernel's kprobes: the message's kick (rproc_virtio_notify, the first in
	 * [t_write, t_read]) and the interrupt that delivered its reply (rproc_vq_interrupt, the last there) */
	int has_kick, has_irq;
	int64_t t_kick, t_irq; /* host ns */
	int64_t kick_to_isr, send_to_irq; /* ns, correlated: h2r less write -> kick, r2h less IRQ -> read */
};

struct rplat_obs_match_stats {
	uint64_t remote_msgs;     /* RX records (host -> remote messages seen by the firmware) */
	uint64_t remote_unmatched; /* RX records with no write (before the observation, or after drops) */
	uint64_t sends_unmatched; /* SEND records not to any message's sender (NS announcements excluded) */
	uint64_t after_drops;     /* writes left without remote records because records were dropped before them */
	uint64_t restart_window;  /* writes made while the remote restarted */
	uint64_t no_isr;          /* messages whose RX had no fresh ISR before it (found by polling) */
	uint64_t len_mismatch;    /* writes whose count differs from the RX record's len (then unmatched) */
	uint64_t by_time;         /* messages matched by time (after drops, after a restart) */
	uint64_t time_unaligned;  /* remote messages of a segment whose stamps map into no write's window (a
				     counter that restarted too): not matched */
	uint64_t reply_unseen;    /* set by the analysis: the firmware replied, the application read no reply (the
				     sim link takes a reply found in memory without a read()): status error */
};

/**
 * rplat_obs_match - pair the application's messages with the firmware's records
 * @hev: the application's writes and reads, in time order
 * @nh: how many
 * @rec: the drained records, in ring order (segment by segment)
 * @nr: how many
 * @seg: the boot segments, @nseg of them (at least 1)
 * @out: the messages (malloc'd, one per write, in order), to free()
 * @nout: how many
 * @st: what could not be matched, and why
 *
 * By order and identity, in segment 0 (from the start of the observation to the first restart): the
 * k-th write is the k-th RX record (its len
 * must equal a known write count); its ISR is the latest ISR record before that RX not used by an
 * earlier RX; its SEND the first later SEND to the RX's src with the same len and digest (else the first
 * later SEND to that src); its read the last read after the write and before the next write (a sim doorbell
 * read can return a stale count first). Records
 * after the first drop are not matched by order (it is lost there), nor are later segments (how many
 * of a new boot's first messages answer writes made while it restarted is not known): those are for
 * rplat_obs_match_time(). Writes made between the last drain of a boot and the drain that saw the next
 * are flagged (restart). Returns 0, or -1 (ENOMEM).
 */
int rplat_obs_match(const struct rplat_obs_hostev *hev, size_t nh, const struct rplat_obs_rec *rec, size_t nr,
		    const struct rplat_obs_seg *seg, size_t nseg, struct rplat_obs_msg **out, size_t *nout,
		    struct rplat_obs_match_stats *st);

struct rplat_clk_fit;

/**
 * rplat_obs_match_time - match a segment's remote messages by time
 * @msg: the messages from rplat_obs_match() (updated: those left without remote records may get them)
 * @nmsg: how many
 * @rec: the drained records
 * @nr: how many
 * @s: the segment
 * @fit: a clock fit valid for that segment's counter (the previous segment's, when the counter runs on)
 * @tol_ns: the fit's error bound (plus a margin)
 * @st: by_time, time_unaligned, remote_unmatched are added to
 *
 * Each remote message of segment @s (RX with its ISR and SEND, every record, drops or not) goes to the
 * one message whose write..read window holds its mapped RX stamp, if exactly one does and it has no
 * records yet. When fewer than half of the segment's messages land in a window, the fit does not hold
 * there (the counter restarted with the remote) and nothing of the segment is matched. Returns 0, or -1
 * (ENOMEM).
 */
int rplat_obs_match_time(struct rplat_obs_msg *msg, size_t nmsg, const struct rplat_obs_rec *rec, size_t nr,
			 uint32_t s, const struct rplat_clk_fit *fit, double tol_ns, struct rplat_obs_match_stats *st);

/**
 * rplat_obs_seg_err - how well @fit maps segment @s's stamps
 * @fit: a valid clock fit, perhaps made from other records (an earlier segment, a segment's clean part)
 * @rec: the drained records
 * @nr: how many
 * @s: the segment
 *
 * The largest rplat_clk_err_at() over the segment's record stamps: the fit's own bound inside the span
 * of the stamps it was made from, growing with the slopes it allows beyond it. A fit carried to records
 * it never saw is known only that well. Returns the fit's err_ns when the segment has no records.
 */
double rplat_obs_seg_err(const struct rplat_clk_fit *fit, const struct rplat_obs_rec *rec, size_t nr, uint32_t s);

/* ---- on a board: the ring as remoteproc lists it ---- */

struct rplat_obs_carveout {
	char name[64];
	uint64_t dma;   /* DMA (physical) address: what /dev/mem maps */
	uint32_t da;    /* device address, as the remote sees it */
	uint64_t len;
};

/**
 * rplat_obs_carveout_find - the carveout 'name' in remoteproc's debugfs list
 * @text: the contents of /sys/kernel/debug/remoteproc/remoteprocN/carveout_memories
 * @len: its length
 * @name: the carveout's name (RPLAT_RING_RSC_NAME)
 * @out: filled when found
 *
 * Returns 0, or -1 with err (not found, found twice, a malformed number naming its line).
 */
int rplat_obs_carveout_find(const char *text, size_t len, const char *name, struct rplat_obs_carveout *out,
			    char *err, size_t errlen);

/* The ring of a running remoteproc, mapped: rplat_obs_rproc_ring_map() fills it. */
struct rplat_obs_rproc_ring {
	struct rplat_obs_carveout co;
	char rproc[256];   /* remoteprocN */
	int fd;            /* the memory device (-1: none) */
	void *map_base;    /* the page-aligned mapping that holds the ring */
	size_t map_len;
	uint8_t *mem;      /* the ring's first byte */
};

/**
 * rplat_obs_rproc_ring_map - find the carveout 'name' that a remoteproc lists in debugfs and map it
 * @rproc: the remoteproc (remoteprocN), or NULL for the only one that lists it
 * @dbg: where debugfs is mounted
 * @mem: the physical memory device (/dev/mem)
 * @r: filled; release it with rplat_obs_rproc_ring_unmap() whatever the result
 *
 * Returns 0; 1 when more than one remoteproc lists it (say which: a usage error); -1 with err when none
 * does or it cannot be mapped.
 */
int rplat_obs_rproc_ring_map(const char *rproc, const char *dbg, const char *mem, const char *name,
			     struct rplat_obs_rproc_ring *r, char *err, size_t errlen);
void rplat_obs_rproc_ring_unmap(struct rplat_obs_rproc_ring *r);

/* ---- the command ---- */

struct rplat_observe_opts {
	const char *link;      /* "sim" (default), "qemu" or "rpmsg" (a board: /dev/rpmsgN, debugfs, /dev/mem) */
	const char *rproc;     /* rpmsg: remoteprocN (default: the one whose carveouts list the ring) */
	const char *debugfs;   /* rpmsg: debugfs mount (default /sys/kernel/debug) */
	const char *mem;       /* rpmsg: the physical memory device (default /dev/mem) */
	pid_t pid;             /* the application (its main thread is traced) */
	uint32_t da;           /* device address of the shared region's first byte (0: the link's default) */
	double rate_hz;        /* ring drains per second (default 100; 0: only at the end) */
	int64_t duration_ns;   /* 0: until the application exits */
	uint64_t count;        /* stop after this many messages were written (0: no limit) */
	const char *out_dir;
	const char *command;
	const char *label;
	const char *sim_truth; /* sim options (hz=,drift=,offset=) to check the clock against, or NULL */
	int quiet;
	int read_probe;        /* the application's reads: 1 (default) the returns of its rplat_link_recv() (a
				  uretprobe), 0 its doorbell read()/recv() syscalls */
	int sched;             /* 1 (default): also trace scheduling and IRQs machine-wide, and write the trace
				  analysis (RUN/trace: analysis.json, verdicts); 0: --no-sched */
	int worst;             /* the analysis explains the N slowest messages (default 10) */
	int64_t threshold_ns;  /* and every message over this round trip (0: none) */
};

void rplat_observe_opts_init(struct rplat_observe_opts *o);

/* Run an observation and write the run directory. Returns the exit code (0 ok, 2 usage/input error,
 * 3 the ring was refused or the application/remote could not be reached) with a message in err. */
int rplat_observe_run(const struct rplat_observe_opts *o, char *err, size_t errlen);

#endif
