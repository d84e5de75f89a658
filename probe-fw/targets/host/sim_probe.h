/* The host target: the portable probe core running as a Linux process (the `sim` link).
 *
 * Shared memory layout (one memfd, mapped by both sides):
 *   [0, 4 KiB)            the "firmware image": struct rplat_rsc_table, written by the probe at start
 *   [4 KiB, 8 KiB)        the trace buffer the table declares (the probe's log)
 *   [8 KiB, size)         the DMA pool: the host allocates the vrings and buffers here, as remoteproc
 * The probe sees the region at device address 'da' (default 0x9cb00000, the AM62x M4F DMA pool).
 * Doorbells are two eventfds: kick_in (host -> probe) and kick_out (probe -> host). */
#ifndef RPLAT_SIM_PROBE_H
#define RPLAT_SIM_PROBE_H

#include <stddef.h>
#include <stdint.h>

#define RPLAT_SIM_RSC_OFF 0u
#define RPLAT_SIM_TRACE_OFF 4096u
#define RPLAT_SIM_TRACE_LEN 4096u
#define RPLAT_SIM_POOL_OFF 8192u

struct rplat_sim_opts {
	uint64_t hz;         /* counter frequency, default 400 MHz */
	double drift_ppm;    /* counter runs fast by this much */
	int64_t offset_ns;   /* counter epoch offset */
	int64_t delay_ns;    /* processing delay between consume and reply */
	int64_t jitter_ns;   /* plus uniform [0, jitter) */
	int cpu;             /* pin to this CPU, -1 = no */
	int fifo;            /* SCHED_FIFO priority, 0 = leave */
	int spin;            /* busy-poll the doorbell instead of sleeping in read() */
	uint32_t shm_size;   /* default 1 MiB */
	uint32_t da;         /* device address of the region */
	uint32_t num;        /* vring entries declared, default 256 */
	uint32_t align;      /* vring align declared, default 4096 */
	/* fault injection, for tests: every Nth reply (0 = never) */
	uint32_t corrupt_every; /* flip a payload byte */
	uint32_t badseq_every;  /* reply with seq + 1000 */
	uint32_t die_after;     /* exit after N requests, without a word */
	uint32_t mute_after;    /* stop answering after N requests but stay alive */
	uint32_t stale_every;   /* serve a stale copy of a request buffer (coherency fault) */
	uint32_t sdrop_every;   /* stream: every Nth STREAM_DATA is not sent (its seq is skipped: lost) */
	uint32_t scorrupt_every; /* stream: every Nth STREAM_DATA has its reserved word set (corrupt) */
	uint32_t sdie_after;    /* stream: exit after sending N STREAM_DATA, without a word */
	int64_t cstep_ns;       /* the counter jumps ahead by this much when a stream starts (a clock that
				   wandered: the calibration's fit no longer holds) */
	uint64_t seed;
	/* fw=echo: run the example echo firmware (echo_sim.c) instead of the probe */
	int fw_echo;
	uint32_t restart_after; /* fw=echo: re-initialise the hooks' ring every N messages (a remote restart) */
	uint64_t stream_hz;     /* fw=echo: also write a sample mark into the ring at this rate (0: none) */
};

void rplat_sim_opts_init(struct rplat_sim_opts *o);
/* Apply one key=value of the link string. Returns 0, or -1 with a message in err. */
int rplat_sim_opt(struct rplat_sim_opts *o, const char *key, const char *val, char *err, size_t errlen);
/* The option list for --help. */
extern const char rplat_sim_help[];

/* The probe's counter at host CLOCK_MONOTONIC_RAW 'raw_ns' under these options (the sim's true
 * mapping, used by tests to check clock correlation), and its inverse. */
uint64_t rplat_sim_counter_at(const struct rplat_sim_opts *o, int64_t raw_ns);
double rplat_sim_raw_at(const struct rplat_sim_opts *o, uint64_t ticks);

/* Run the probe on 'shm' (already mapped, o->shm_size bytes, zeroed) until killed. Writes the resource
 * table, signals kick_out once ("booted"), then serves. Returns only on a fatal error (-1, message in
 * err), e.g. an unusable table written back by the host. */
int rplat_sim_run(const struct rplat_sim_opts *o, uint8_t *shm, int kick_in, int kick_out, char *err,
		  size_t errlen);

/* Like rplat_sim_run(), on a region whose resource table someone else placed at RPLAT_SIM_RSC_OFF (Linux
 * remoteproc loading the firmware ELF, on the virtual board): the probe neither writes the table nor
 * rings the "booted" doorbell; it waits for DRIVER_OK in the table it finds. The trace buffer is still
 * at RPLAT_SIM_TRACE_OFF. */
int rplat_sim_run_attached(const struct rplat_sim_opts *o, uint8_t *shm, int kick_in, int kick_out, char *err,
			   size_t errlen);

/* The example echo firmware (echo_sim.c), run instead of the probe by rplat_sim_run() for fw=echo. */
int rplat_echo_sim_run(const struct rplat_sim_opts *o, uint8_t *shm, int kick_in, int kick_out, char *err,
		       size_t errlen);
/* The echo firmware on a region whose resource table someone else loaded (the virtual board, whose
 * firmware ELF carries the echo table, rplat-vboard-server --opts fw=echo): its ring at ring_off (ring_len
 * bytes, where that table's "rplat-ring" carveout puts it); it waits for DRIVER_OK in the table. */
int rplat_echo_sim_run_attached(const struct rplat_sim_opts *o, uint8_t *shm, uint32_t ring_off, uint32_t ring_len,
				int kick_in, int kick_out, char *err, size_t errlen);

#endif
