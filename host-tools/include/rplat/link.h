/* Links: one interface over every way of reaching a probe.
 *
 *   sim:OPTS            a host-target probe process over a user-space vring driver (lib/link_sim.c)
 *   qemu:FW.elf[,OPTS]  the real firmware ELF under qemu-system-arm (lib/link_qemu.c)
 *   rpmsg:/dev/rpmsgN   the kernel's rpmsg_char device (lib/link_rpmsg.c)
 *   rpmsg:rproc=NAME,port=14   discovered through sysfs, endpoint created via /dev/rpmsg_ctrlN
 *
 * A link moves whole messages: one send() is one RPMsg message, one recv() returns one message. */
#ifndef RPLAT_LINK_H
#define RPLAT_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rplat_link;

struct rplat_link_ops {
	const char *name; /* the prefix before ':' */
	const char *help; /* one paragraph for --help: every option */
	/* Open with the text after "name:". On failure return -1 and write a message to err. */
	int (*open)(struct rplat_link *l, const char *args, char *err, size_t errlen);
	/* Send one message. Returns 0, or -1 with errno set. */
	int (*send)(struct rplat_link *l, const void *buf, size_t len);
	/* Receive one message into buf. Waits at most timeout_ns (< 0: forever). Returns its length, 0 on
	 * timeout, or -1 with errno set (EPIPE: the remote is gone; EINTR: a signal arrived). */
	ssize_t (*recv)(struct rplat_link *l, void *buf, size_t cap, int64_t timeout_ns);
	/* Release everything the link created: processes, endpoints, shared memory. Safe to call twice. */
	void (*close)(struct rplat_link *l);
	/* Optional: a pollable fd that becomes readable when a message may be waiting, or -1. */
	int (*fd)(struct rplat_link *l);
	/* Optional, simulated links only: the true CLOCK_MONOTONIC_RAW ns at which the probe's counter
	 * read 'ticks', so that clock correlation can be checked against the truth. */
	double (*truth_raw_ns)(struct rplat_link *l, uint64_t ticks);
};

/* The resource table in force on the link, as the host driver set it up (vring da and notifyids as
 * written back), for the run metadata (run.json "rsc"). valid = 0 when the link does not know it (an
 * rpmsg link: the kernel's remoteproc holds it). */
struct rplat_link_rsc {
	int valid;
	unsigned nvrings;
	struct { uint32_t da, align, num, notifyid; } vring[2];
	int has_trace;
	uint32_t trace_da, trace_len;
	char trace_name[33];
};

struct rplat_link {
	const struct rplat_link_ops *ops;
	char spec[256];       /* as given */
	char desc[256];       /* resolved, for the run metadata (e.g. "rpmsg:/dev/rpmsg0") */
	pid_t child;          /* a process the link owns (sim probe, qemu), or 0 */
	void *priv;
	struct rplat_link_rsc rsc; /* filled by links that set the resource table up (sim, qemu) */
};

/* Parse 'spec' and open the link. Returns NULL with a message in err. */
struct rplat_link *rplat_link_open(const char *spec, char *err, size_t errlen);
int rplat_link_send(struct rplat_link *l, const void *buf, size_t len);
ssize_t rplat_link_recv(struct rplat_link *l, void *buf, size_t cap, int64_t timeout_ns);
/* Close and free. NULL is a no-op. */
void rplat_link_close(struct rplat_link *l);

/* The registered link types, NULL-terminated, for --help. */
extern const struct rplat_link_ops *const rplat_link_types[];

/* Stop every child process any open link owns (SIGKILL). Async-signal-safe: fatal signal handlers call
 * it so that no probe or qemu outlives rplat. */
void rplat_link_kill_children(void);
/* Register / forget a child pid for rplat_link_kill_children(). */
void rplat_link_track_child(pid_t pid);
void rplat_link_untrack_child(pid_t pid);

#endif
