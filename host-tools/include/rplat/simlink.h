/* The sim probe as a process, shared by the sim link and `rplat sim`. */
#ifndef RPLAT_SIMLINK_H
#define RPLAT_SIMLINK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sim_probe.h"

struct rplat_sim_proc {
	struct rplat_sim_opts o;
	uint8_t *shm;   /* mapped in this process */
	int memfd;
	int to_probe;   /* eventfd: host -> probe doorbell */
	int to_host;    /* eventfd: probe -> host doorbell */
	pid_t pid;
	int pidfd;      /* readable when the probe has exited */
};

/* Create the shared memory and doorbells and fork the probe. The probe dies with this process
 * (PR_SET_PDEATHSIG). Returns 0, or -1 with a message in err (nothing left behind). */
int rplat_sim_spawn(struct rplat_sim_proc *p, const struct rplat_sim_opts *o, char *err, size_t errlen);
/* Kill and reap the probe, release everything. Safe on a partly set-up or zeroed-with-fds--1 proc. */
void rplat_sim_reap(struct rplat_sim_proc *p);

/* `rplat sim --socket PATH` hands each client the region and the doorbells over a unix socket: one
 * message of struct rplat_sim_hello with SCM_RIGHTS [memfd, to_probe, to_host]. The server closes the
 * connection when its probe dies, and kills the probe when the client goes. */
#define RPLAT_SIM_HELLO_MAGIC 0x726c7073u /* "splr" */
struct rplat_sim_hello {
	uint32_t magic;
	uint32_t version;   /* 1 */
	struct rplat_sim_opts opts;
};

#endif
