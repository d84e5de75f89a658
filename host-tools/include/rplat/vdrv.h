/* A user-space virtio-rpmsg *driver*: what Linux's remoteproc + virtio_rpmsg_bus do for a real core, done
 * by rplat over a shared-memory region, for the sim and qemu links.
 *
 * rplat_vdrv_setup() reads the probe's resource table (which must lie inside the region), checks it as
 * remoteproc does, allocates both vrings (da ADDR_ANY: from the pool, each PAGE_ALIGN(vring_size));
 * fixed da: used as given if inside the region), then the buffer pool (512-byte buffers: 2*num if
 * num < 256, else 512, half RX and half TX), writes back vring da and notifyid, gfeatures and
 * finally status DRIVER_OK, and posts every RX buffer on vring0.
 *
 * The doorbell is the caller's: kick(ctx, 1) is called after TX buffers are made available on vring1,
 * unless the device set VRING_USED_F_NO_NOTIFY. */
#ifndef RPLAT_VDRV_H
#define RPLAT_VDRV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rplat/link.h"
#include "rplat/wire/probe_proto.h"
#include "rplat/wire/rpmsg.h"
#include "rplat/wire/rsc_table.h"
#include "rplat/wire/virtio_ring.h"

#define RPLAT_VDRV_HOST_ADDR 1024u /* our endpoint address, the first non-reserved one, as Linux picks */

struct rplat_vdrv_ring {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t num;
	uint16_t avail_idx;  /* shadow of avail->idx */
	uint16_t last_used;  /* next used entry to reap */
};

struct rplat_vdrv {
	uint8_t *shm;
	size_t size;
	uint32_t da;              /* device address of shm[0] as the probe sees it */
	volatile struct rplat_rsc_table *rsc;
	struct rplat_vdrv_ring rx; /* vring0: probe -> host */
	struct rplat_vdrv_ring tx; /* vring1: host -> probe */
	uint32_t nbufs;            /* total; [0, nbufs/2) RX, [nbufs/2, nbufs) TX */
	size_t buf_off;            /* offset of buffer 0 in shm */
	uint16_t *tx_free;         /* stack of free TX buffer numbers */
	uint32_t tx_nfree;
	uint32_t remote_addr;      /* announced endpoint (RPLAT_PORT once announced), RPMSG_ADDR_ANY before */
	char announced[2][RPMSG_NAME_SIZE]; /* names seen in NS announcements */
	int nannounced;
	uint64_t bad_used;         /* used entries from the device that failed validation */
	void (*kick)(void *ctx, unsigned vq);
	void *kick_ctx;
	struct rplat_link_rsc summary; /* the table as set up: vrings written back, the trace entry */
};

/* rsc_off: offset of the resource table in shm, rsc_max: bytes it may occupy; vrings with da ADDR_ANY
 * and the buffers are allocated from [pool_off, size). Returns 0, or -1 with a message in err. */
int rplat_vdrv_setup(struct rplat_vdrv *d, uint8_t *shm, size_t size, uint32_t da, size_t rsc_off,
		     size_t rsc_max, size_t pool_off, void (*kick)(void *ctx, unsigned vq), void *kick_ctx,
		     char *err, size_t errlen);
void rplat_vdrv_free(struct rplat_vdrv *d);

/* Send one message from our address to the probe's announced address. Returns 0, or -1 with errno
 * (ENOBUFS: every TX buffer is in flight; EMSGSIZE: len > 496; ENOTCONN: nothing announced yet). */
int rplat_vdrv_send(struct rplat_vdrv *d, const void *buf, size_t len);

/* Reap one message from vring0 if there is one: returns its payload length, 0 if none is pending, or -1
 * (EBADMSG) for a used entry that failed validation (counted in bad_used; the buffer is re-posted).
 * Name-service messages are consumed here (they update remote_addr) and reported as 0. */
ssize_t rplat_vdrv_recv(struct rplat_vdrv *d, void *buf, size_t cap);

/* Low-level access for test harnesses that post hostile descriptors: a raw avail entry on vring1 and
 * a kick. */
void rplat_vdrv_post_raw(struct rplat_vdrv *d, uint16_t desc_id, uint64_t addr, uint32_t len, uint16_t flags);

#endif
