/* Device side of a virtio split ring. See rp_vring.h for the contract.
 *
 * Barriers: the driver fills a descriptor, then writes avail->ring[], then avail->idx; so avail->idx is
 * loaded with acquire before any of those is read. Our used->ring[] entry is written before used->idx,
 * which is stored with release. The compiler emits DMB on Cortex-M and plain ordered accesses on x86. */
#include "rp_vring.h"

#include <stddef.h>

static int is_pow2(uint32_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

void *rp_shm_map(const struct rp_shm *shm, uint64_t da, uint32_t len)
{
	uint32_t off;

	/* Device addresses are 32-bit here: anything above is outside. Below the region, the unsigned
	 * difference wraps to a huge offset and fails the same test as past its end. */
	if (da >> 32)
		return NULL;
	off = (uint32_t)da - shm->da;
	if (off > shm->size || len > shm->size - off)
		return NULL;
	return shm->va + off;
}

int rp_vq_init(struct rp_vq *vq, const struct rp_shm *shm, uint32_t da, uint32_t num, uint32_t align,
	       struct rplat_counters *cnt)
{
	uint8_t *base;

	if (!is_pow2(num) || num > 32768u || !is_pow2(align))
		return -1;
	base = rp_shm_map(shm, da, (uint32_t)vring_size(num, align));
	if (!base)
		return -1;
	vq->desc = (struct vring_desc *)(void *)base;
	vq->avail = (struct vring_avail *)(void *)(base + vring_avail_off(num));
	vq->used = (struct vring_used *)(void *)(base + vring_used_off(num, align));
	vq->shm = shm;
	vq->cnt = cnt;
	vq->buf_max = 512u;
	vq->num = (uint16_t)num;
	vq->last_avail = 0;
	vq->used_idx = __atomic_load_n(&vq->used->idx, __ATOMIC_RELAXED);
	vq->last_avail = vq->used_idx;
	return 0;
}

int rp_vq_pending(const struct rp_vq *vq)
{
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) != vq->last_avail;
}

int rp_vq_need_kick(const struct rp_vq *vq)
{
	return !(__atomic_load_n(&vq->avail->flags, __ATOMIC_ACQUIRE) & VRING_AVAIL_F_NO_INTERRUPT);
}

enum rp_vq_status rp_vq_pop(struct rp_vq *vq, uint16_t *head, void **buf, uint32_t *len)
{
	uint16_t avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);
	struct vring_desc d;
	uint16_t id;

	if (pending == 0)
		return RP_VQ_EMPTY;
	if (pending > vq->num) {
		/* The driver claims more entries than the ring holds: its index is corrupt. Nothing in the
		 * ring can be trusted to be new, so skip to its index and report once. */
		vq->cnt->bad_avail_idx++;
		vq->last_avail = avail_idx;
		return RP_VQ_BAD;
	}
	id = vq->avail->ring[vq->last_avail & (vq->num - 1)];
	vq->last_avail++;
	*head = id;
	*buf = NULL;
	*len = 0;
	if (id >= vq->num) {
		vq->cnt->bad_desc_index++;
		goto bad;
	}
	d = vq->desc[id];
	if (d.flags & (VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT)) {
		vq->cnt->bad_desc_chain++;
		goto bad;
	}
	if (d.len < 16u) {
		vq->cnt->bad_desc_short++;
		goto bad;
	}
	if (d.len > vq->buf_max) {
		vq->cnt->bad_desc_len++;
		goto bad;
	}
	*buf = rp_shm_map(vq->shm, d.addr, d.len);
	if (!*buf) {
		vq->cnt->bad_desc_addr++;
		goto bad;
	}
	*len = d.len;
	return RP_VQ_OK;
bad:
	rp_vq_push(vq, id, 0);
	return RP_VQ_BAD;
}

void rp_vq_push(struct rp_vq *vq, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e = &vq->used->ring[vq->used_idx & (vq->num - 1)];

	e->id = head;
	e->len = len;
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}
