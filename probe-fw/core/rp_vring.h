/* Device side of a virtio split ring, with every descriptor validated before use.
 *
 * The probe is the virtio *device*: it pops buffers the driver (Linux) made available and pushes them
 * back on the used ring. Nothing the driver writes is trusted: a descriptor is checked for index, address
 * range, length and chaining before the core touches its buffer, and a bad one is counted and returned
 * to the driver with length 0, never followed. */
#ifndef RP_VRING_H
#define RP_VRING_H

#include <stdint.h>

#include "rplat/wire/probe_proto.h"
#include "rplat/wire/virtio_ring.h"

/* The shared region the probe may touch: device addresses [da, da + size) map to [va, va + size). */
struct rp_shm {
	uint8_t *va;
	uint32_t da;
	uint32_t size;
};

struct rp_vq {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	const struct rp_shm *shm;
	struct rplat_counters *cnt;
	uint32_t buf_max;   /* longest buffer accepted (RPMSG_BUF_SIZE) */
	uint16_t num;
	uint16_t last_avail; /* next avail entry to pop */
	uint16_t used_idx;   /* shadow of used->idx */
};

enum rp_vq_status {
	RP_VQ_OK = 0,    /* *buf and *len describe a valid buffer */
	RP_VQ_EMPTY = 1, /* nothing available */
	RP_VQ_BAD = 2,   /* a bad entry was counted and returned to the driver; pop again */
};

/* Set up 'vq' on the vring at device address 'da'. Returns 0, or -1 if the ring does not fit in the
 * shared region or num/align are not usable (num a power of two <= 32768, align a power of two). */
int rp_vq_init(struct rp_vq *vq, const struct rp_shm *shm, uint32_t da, uint32_t num, uint32_t align,
	       struct rplat_counters *cnt);

/* Pop the next available buffer. On RP_VQ_OK, *head is the descriptor index to hand back to
 * rp_vq_push(), *buf its mapped address and *len its length. */
enum rp_vq_status rp_vq_pop(struct rp_vq *vq, uint16_t *head, void **buf, uint32_t *len);

/* Return descriptor 'head' to the driver with 'len' bytes written. Publishes with a release barrier. */
void rp_vq_push(struct rp_vq *vq, uint16_t head, uint32_t len);

/* 1 if the driver wants an interrupt for pushed buffers (VRING_AVAIL_F_NO_INTERRUPT clear). */
int rp_vq_need_kick(const struct rp_vq *vq);

/* 1 if the driver has made buffers available that were not popped yet. */
int rp_vq_pending(const struct rp_vq *vq);

/* Map a device address range into the shared region, or NULL if any byte of it is outside. */
void *rp_shm_map(const struct rp_shm *shm, uint64_t da, uint32_t len);

#endif
