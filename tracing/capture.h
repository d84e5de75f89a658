/* ftrace capture through libtracefs, in an instance named after the tool.
 *
 * Life cycle (every step restores what the previous ones changed when it fails):
 *   rplat_capture_create()   instance "rplat" (a leftover from a crashed run is reported and removed),
 *                            tracing off; settings applied through a get/set/restore table: trace_clock
 *                            mono, buffer size, event enables and pid filters; uprobes created; kprobes
 *                            and the mailbox IRQ detected; per-CPU raw readers opened and the reader
 *                            thread started (it idles until tracing is on)
 *   rplat_capture_start()    tracing on
 *   rplat_capture_mark()     trace marker "rplat seq=N" (cheap: one write to a pre-opened fd); a stream
 *                            writes "rplat rx seq=N" after each read (rplat_capture_mark_rx)
 *   rplat_capture_stop()     tracing off, drain the buffers, join the reader, save into the out dir
 *   rplat_capture_destroy()  restore every setting in reverse order, remove the instance and the dynamic
 *                            events, free. Safe at any point after create, and twice.
 *
 * Signals: rplat_capture_create() chains handlers in front of the caller's. The first SIGINT /
 * SIGTERM / SIGHUP goes to the caller's handler (the run ends normally and calls stop); the second makes
 * the reader give up draining (an overloaded reader stops at once; what was read so far is saved); the
 * third, and any fatal signal, restores the kernel state from the handler (async-signal-safe writes and
 * rmdir) before the caller's handler runs. An atexit handler does the same for an exit() that skipped
 * destroy.
 *
 * The library never prints: what it could not set up (kprobes missing, events absent, ...) is kept as
 * notes, which the caller prints and which go into capture.json. */
#ifndef RPLAT_CAPTURE_H
#define RPLAT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RPLAT_CAPTURE_INSTANCE "rplat"
#define RPLAT_CAPTURE_DEFAULT_KB 8192u   /* per CPU */
#define RPLAT_CAPTURE_MAX_PIDS 8

struct rplat_capture_opts {
	const char *instance;     /* default RPLAT_CAPTURE_INSTANCE */
	unsigned buffer_kb;       /* per-CPU ring buffer, 0 = RPLAT_CAPTURE_DEFAULT_KB */
	pid_t pids[RPLAT_CAPTURE_MAX_PIDS]; /* measured threads: syscall events are filtered to these */
	int npids;
	pid_t remote_pid;         /* the sim probe process, 0 if none (recorded for the analysis) */
	int uprobes;              /* place uprobes on rplat_link_send / rplat_link_recv in 'exe' */
	const char *exe;          /* NULL = /proc/self/exe */
	int poll_ms;              /* reader period when idle, default 10 */
	int reader_cpu;           /* pin the reader thread, -1 = no */
	int lock_wait_ms;         /* wait this long for another rplat trace to finish (default 60 s) */
	/* Problems found while restoring (after stop, when the notes are no longer read); may be NULL. */
	void (*warn)(const char *msg);
};

struct rplat_capture_cpu_stats {
	int cpu;
	uint64_t events;          /* decoded and saved */
	uint64_t missed;          /* lost as reported in the sub-buffers (kbuffer missed events) */
	uint64_t overrun, dropped, commit_overrun; /* from per_cpu/cpuN/stats at stop */
	uint64_t bytes;           /* read from trace_pipe_raw */
};

struct rplat_capture_stats {
	uint64_t events, missed, overrun, dropped;
	int ncpus;
	int aborted;              /* the drain was abandoned (second signal) */
	int64_t t_start, t_stop;  /* CLOCK_MONOTONIC ns */
	const struct rplat_capture_cpu_stats *cpu;
};

struct rplat_capture;

void rplat_capture_opts_init(struct rplat_capture_opts *o);
/* Set everything up with tracing off and write the capture into out_dir (created if missing) as it
 * goes. Returns NULL with a message in err; everything it changed is restored by then. */
struct rplat_capture *rplat_capture_create(const struct rplat_capture_opts *o, const char *out_dir, char *err,
					   size_t errlen);
int rplat_capture_start(struct rplat_capture *c);
/* Write "rplat seq=N" into the instance's trace_marker. Async-signal-safe, no allocation. */
void rplat_capture_mark(struct rplat_capture *c, uint32_t seq);
/* "rplat rx seq=N": after a stream message was read (it closes that message's window). */
void rplat_capture_mark_rx(struct rplat_capture *c, uint32_t seq);
/* Freeze the ring buffer now (tracing off) without stopping the reader: for --break. */
void rplat_capture_freeze(struct rplat_capture *c);
/* Stop, drain, save cpuN.ev, names.tsv and capture.json into out_dir. Returns 0, or -1 with err. */
int rplat_capture_stop(struct rplat_capture *c, char *err, size_t errlen);
void rplat_capture_destroy(struct rplat_capture *c);

size_t rplat_capture_nnotes(const struct rplat_capture *c);
const char *rplat_capture_note(const struct rplat_capture *c, size_t i);
void rplat_capture_get_stats(const struct rplat_capture *c, struct rplat_capture_stats *s);
/* What the capture found of the system (preemption model in force, guest, cpuidle, steal time once
 * stopped): a struct rplat_sysenv (sysenv.h), owned by the capture. */
const struct rplat_sysenv *rplat_capture_sysenv(const struct rplat_capture *c);

/* Chain signal handlers in front of the current ones (see above); rplat_capture_create() does it before
 * it changes anything, rplat_capture_destroy() undoes it. A second call is a no-op. */
void rplat_capture_install_signals(struct rplat_capture *c);
/* Async-signal-safe: what the handlers do on a second / third signal, for callers with their own. */
void rplat_capture_interrupt(void);
void rplat_capture_emergency_cleanup(void);

/* Leftovers of a crashed run (instance, rplat dynamic events). Returns how many were found and, when
 * 'remove' is set, removed; a description goes to msg. Returns -1 (msg says why) and touches nothing
 * while another process's capture holds the machine-wide lock: its instance is live, not left over.
 * For tests and `rplat trace cleanup`. */
int rplat_capture_leftovers(int remove, char *msg, size_t len);

struct tracefs_dynevent;
/* Remove a dynamic event (kprobe, uprobe) unforced first, forced only if that fails. A forced removal
 * makes libtracefs write "0" to the top-level events/GROUP/NAME/enable, and in 6.12 any write there
 * expands the top-level ring buffer for good (event_enable_write -> tracing_update_buffers): so remove
 * the instances that enabled the event first, and the unforced removal succeeds. Returns 0 or -1. */
int rplat_dynevent_remove(struct tracefs_dynevent *d);

#endif
