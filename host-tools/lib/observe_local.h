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
struct rplat_obs_trace *rplat_obs_trace_create(pid_t tid, int fd_tx, int fd_rx, int msg_lens, int sock,
					       int recv_probe, int kprobes, char *err, size_t errlen);
/* The kprobes placed ("rproc_virtio_notify,rproc_vq_interrupt", "" for none) and, when not both, why. */
const char *rplat_obs_trace_kprobes(const struct rplat_obs_trace *t, const char **why);
int rplat_obs_trace_start(struct rplat_obs_trace *t);
int rplat_obs_trace_off(struct rplat_obs_trace *t);
/* Tracing off, read everything: the events (owned by t, valid until destroy), sorted by time, and the
 * events the kernel lost. Returns 0, or -1 with err. */
int rplat_obs_trace_collect(struct rplat_obs_trace *t, struct rplat_obs_hostev **ev, size_t *n, uint64_t *lost,
			    char *err, size_t errlen);
void rplat_obs_trace_destroy(struct rplat_obs_trace *t);

/* A whole (debugfs or proc) text file, read to its end whatever size stat says (malloc'd, NUL-terminated;
 * *len without the NUL), or NULL with errno. At most 1 MiB. */
char *rplat_obs_read_text(const char *path, size_t *len);

#endif
