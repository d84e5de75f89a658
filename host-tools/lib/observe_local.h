/* rplat observe internals shared by observe.c and observe_trace.c. */
#ifndef RPLAT_OBSERVE_LOCAL_H
#define RPLAT_OBSERVE_LOCAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rplat/observe.h"

struct rplat_obs_trace;

/* Set up the instance with tracing off. fd_tx: the fd the application writes messages (or the doorbell)
 * to; fd_rx: the one it reads them from (the same fd on rpmsg_char, two eventfds on the sim). msg_lens: a
 * write's count and a read's return are message lengths (rpmsg_char), not doorbell bytes. sock: the
 * application sends and receives with send()/recv() (the qemu link's doorbell socket). recv_probe: its
 * reads are the returns of its rplat_link_recv() (a uretprobe), not read syscalls. kprobes: also the
 * kernel's kick (rproc_virtio_notify, in tid) and the remote's interrupt (rproc_vq_interrupt) where the
 * kernel can probe them (a board's remoteproc); rplat_obs_trace_kprobes() says which were placed. */
/* sched: also the events rplat trace's analysis reads (sched_switch, sched_waking/wakeup, migrations,
 * IRQs, softirqs, machine-wide; the write's exit and the read syscalls of tid), decoded as rplat trace's
 * capture is, for rplat_obs_trace_write(). */
struct rplat_obs_trace *rplat_obs_trace_create(pid_t tid, int fd_tx, int fd_rx, int msg_lens, int sock,
					       int recv_probe, int kprobes, int sched, char *err, size_t errlen);
/* The kprobes placed ("rproc_virtio_notify,rproc_vq_interrupt", "" for none) and, when not both, why. */
const char *rplat_obs_trace_kprobes(const struct rplat_obs_trace *t, const char **why);
int rplat_obs_trace_start(struct rplat_obs_trace *t);
int rplat_obs_trace_off(struct rplat_obs_trace *t);
/* Tracing off, read everything: the events (owned by t, valid until destroy), sorted by time, and the
 * events the kernel lost. Returns 0, or -1 with err. */
int rplat_obs_trace_collect(struct rplat_obs_trace *t, struct rplat_obs_hostev **ev, size_t *n, uint64_t *lost,
			    char *err, size_t errlen);
/* With sched: read what the buffers hold now (tracing on), so that the per-CPU buffers do not overflow
 * over a long observation; what the kernel overwrote since the last read is counted and located (a LOST
 * record). Returns 0, or -1 (out of memory, the read failed). */
int rplat_obs_trace_drain(struct rplat_obs_trace *t);
/* Events kept for the analysis, events the kernel overwrote, and how many of those a LOST record locates. */
void rplat_obs_trace_counts(const struct rplat_obs_trace *t, uint64_t *events, uint64_t *lost, uint64_t *located);

/* A message's window for the analysis: "rplat seq=N" placed 1 ns before its write at t. */
struct rplat_obs_marker {
	int64_t t;
	uint64_t seq;
};

struct rplat_tev_set;
/* Add to s (sorted on return) a "rplat seq=N" marker (RPLAT_TEV_MARKER, b 0) 1 ns before each mk[].t, by
 * tid, on the CPU of tid's syscall entry at exactly that time (CPU 0 if there is none): the window that
 * the analysis opens for a message at its marker then starts just before its write. Pure. Returns 0, or
 * -1 (ENOMEM). */
int rplat_obs_place_markers(struct rplat_tev_set *s, int32_t tid, const struct rplat_obs_marker *mk, size_t nmk);

/* With sched, after collect: write dir (RUN/trace) as rplat trace's capture is: cpuN.ev (the events and the
 * markers), names.tsv, capture.json (remote_pid: the sim's probe process, 0 none). Returns 0, or -1 with
 * err. */
int rplat_obs_trace_write(struct rplat_obs_trace *t, const char *dir, const struct rplat_obs_marker *mk, size_t nmk,
			  pid_t remote_pid, char *err, size_t errlen);
void rplat_obs_trace_destroy(struct rplat_obs_trace *t);

/* A whole (debugfs or proc) text file, read to its end whatever size stat says (malloc'd, NUL-terminated;
 * *len without the NUL), or NULL with errno. At most 1 MiB. */
char *rplat_obs_read_text(const char *path, size_t *len);

#endif
