/* A user-space virtio-rpmsg driver over shared memory. See rplat/vdrv.h.
 *
 * Memory ordering mirrors the kernel's virtio_ring: descriptor and avail-ring entry are written before
 * avail->idx, which is stored with release; used->idx is loaded with acquire before the used entry and
 * the buffer are read. Everything the device wrote (used entries, lengths, RPMsg headers) is validated
 * before use, as rpmsg_recv_single() does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/util.h"
#include "rplat/vdrv.h"

#define PAGE 4096u

static size_t page_align(size_t x)
{
	return (x + PAGE - 1) & ~(size_t)(PAGE - 1);
}

static int is_pow2(uint32_t x)
{
	return x && !(x & (x - 1));
}

static void ring_map(struct rplat_vdrv_ring *r, uint8_t *base, uint32_t num, uint32_t align)
{
	r->desc = (struct vring_desc *)(void *)base;
	r->avail = (struct vring_avail *)(void *)(base + vring_avail_off(num));
	r->used = (struct vring_used *)(void *)(base + vring_used_off(num, align));
	r->num = (uint16_t)num;
	r->avail_idx = 0;
	r->last_used = 0;
}

static uint64_t buf_da(const struct rplat_vdrv *d, uint32_t i)
{
	return (uint64_t)d->da + d->buf_off + (uint64_t)i * RPMSG_BUF_SIZE;
}

static uint8_t *buf_va(const struct rplat_vdrv *d, uint32_t i)
{
	return d->shm + d->buf_off + (size_t)i * RPMSG_BUF_SIZE;
}

/* Find the rpmsg vdev in the table at shm[rsc_off], checking what remoteproc checks. */
static volatile struct fw_rsc_vdev *find_vdev(uint8_t *shm, size_t rsc_off, size_t rsc_max, char *err,
					      size_t errlen)
{
	struct resource_table t;
	uint32_t i;

	if (rsc_max < sizeof(t))
		return rplat_fail(err, errlen, "resource table: %zu bytes, at least 16 needed", rsc_max), NULL;
	memcpy(&t, shm + rsc_off, sizeof(t));
	if (t.ver != 1)
		return rplat_fail(err, errlen, "resource table: ver %u, expected 1", t.ver), NULL;
	if (t.reserved[0] || t.reserved[1])
		return rplat_fail(err, errlen, "resource table: reserved words not zero"), NULL;
	if (t.num == 0 || t.num > (rsc_max - sizeof(t)) / 4)
		return rplat_fail(err, errlen, "resource table: num %u does not fit in %zu bytes", t.num, rsc_max),
		       NULL;
	for (i = 0; i < t.num; i++) {
		uint32_t off, type;
		struct fw_rsc_vdev v;

		memcpy(&off, shm + rsc_off + sizeof(t) + 4 * i, 4);
		if (off > rsc_max || rsc_max - off < 4)
			return rplat_fail(err, errlen, "resource table: entry %u offset %u outside the table", i, off),
			       NULL;
		memcpy(&type, shm + rsc_off + off, 4);
		if (type != RSC_VDEV)
			continue;
		if (rsc_max - off - 4 < sizeof(v))
			return rplat_fail(err, errlen, "resource table: vdev entry %u truncated", i), NULL;
		memcpy(&v, shm + rsc_off + off + 4, sizeof(v));
		if (v.id != VIRTIO_ID_RPMSG)
			continue;
		if (v.num_of_vrings != 2)
			return rplat_fail(err, errlen, "resource table: rpmsg vdev has %u vrings, expected 2",
					  v.num_of_vrings), NULL;
		if (rsc_max - off - 4 < sizeof(v) + 2 * sizeof(struct fw_rsc_vdev_vring) + v.config_len)
			return rplat_fail(err, errlen, "resource table: vdev entry %u truncated", i), NULL;
		return (volatile struct fw_rsc_vdev *)(void *)(shm + rsc_off + off + 4);
	}
	return rplat_fail(err, errlen, "resource table: no rpmsg vdev (virtio id 7)"), NULL;
}

/* The table as set up, for the run metadata: both vrings (as written back) and the first trace entry. */
static void summarize(struct rplat_vdrv *d, volatile struct fw_rsc_vdev *v, size_t rsc_off, size_t rsc_max)
{
	struct rplat_link_rsc *s = &d->summary;
	struct resource_table t;
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->valid = 1;
	s->nvrings = 2;
	for (i = 0; i < 2; i++) {
		s->vring[i].da = v->vring[i].da;
		s->vring[i].align = v->vring[i].align;
		s->vring[i].num = v->vring[i].num;
		s->vring[i].notifyid = v->vring[i].notifyid;
	}
	memcpy(&t, d->shm + rsc_off, sizeof(t)); /* checked by find_vdev */
	for (i = 0; i < t.num; i++) {
		uint32_t off, type;
		struct fw_rsc_trace tr;

		memcpy(&off, d->shm + rsc_off + sizeof(t) + 4 * i, 4);
		if (off > rsc_max || rsc_max - off < 4 + sizeof(tr))
			continue;
		memcpy(&type, d->shm + rsc_off + off, 4);
		if (type != RSC_TRACE)
			continue;
		memcpy(&tr, d->shm + rsc_off + off + 4, sizeof(tr));
		s->has_trace = 1;
		s->trace_da = tr.da;
		s->trace_len = tr.len;
		memcpy(s->trace_name, tr.name, sizeof(tr.name));
		s->trace_name[32] = 0;
		break;
	}
}

int rplat_vdrv_setup(struct rplat_vdrv *d, uint8_t *shm, size_t size, uint32_t da, size_t rsc_off,
		     size_t rsc_max, size_t pool_off, void (*kick)(void *ctx, unsigned vq), void *kick_ctx,
		     char *err, size_t errlen)
{
	volatile struct fw_rsc_vdev *v;
	size_t cursor = page_align(pool_off);
	size_t off[2];
	uint32_t i, num;

	memset(d, 0, sizeof(*d));
	d->shm = shm;
	d->size = size;
	d->da = da;
	d->kick = kick;
	d->kick_ctx = kick_ctx;
	d->remote_addr = RPMSG_ADDR_ANY;
	v = find_vdev(shm, rsc_off, rsc_max, err, errlen);
	if (!v)
		return -1;
	d->rsc = (volatile struct rplat_rsc_table *)(void *)(shm + rsc_off);
	for (i = 0; i < 2; i++) {
		volatile struct fw_rsc_vdev_vring *vr = &v->vring[i];

		if (!is_pow2(vr->num) || vr->num > 32768 || !is_pow2(vr->align) || vr->align < 4)
			return rplat_fail(err, errlen, "vring%u: num %u / align %u unusable (powers of two needed)", i,
					  vr->num, vr->align);
		if (vr->da == FW_RSC_ADDR_ANY) {
			off[i] = cursor;
			cursor += page_align(vring_size(vr->num, vr->align));
		} else {
			off[i] = (size_t)vr->da - da;
			if (vr->da < da)
				off[i] = size;
		}
		if (off[i] >= size || size - off[i] < vring_size(vr->num, vr->align))
			return rplat_fail(err, errlen, "vring%u (num %u) does not fit in the %zu-byte region", i,
					  vr->num, size);
	}
	if (v->vring[0].num != v->vring[1].num)
		return rplat_fail(err, errlen, "vring0 num %u != vring1 num %u", v->vring[0].num, v->vring[1].num);
	num = v->vring[0].num;
	d->nbufs = num < 256 ? 2 * num : 512;
	d->buf_off = page_align(cursor);
	if (d->buf_off > size || size - d->buf_off < (size_t)d->nbufs * RPMSG_BUF_SIZE)
		return rplat_fail(err, errlen, "%u buffers of 512 bytes do not fit after the vrings (region %zu bytes)",
				  d->nbufs, size);
	d->tx_free = calloc(num, sizeof(*d->tx_free));
	if (!d->tx_free)
		return rplat_fail(err, errlen, "out of memory");
	memset(shm + off[0], 0, vring_size(num, v->vring[0].align));
	memset(shm + off[1], 0, vring_size(num, v->vring[1].align));
	ring_map(&d->rx, shm + off[0], num, v->vring[0].align);
	ring_map(&d->tx, shm + off[1], num, v->vring[1].align);
	/* TX: descriptor i always carries TX buffer nbufs/2 + i (only the first nbufs/2 are used). */
	for (i = 0; i < d->nbufs / 2 && i < num; i++)
		d->tx_free[d->tx_nfree++] = (uint16_t)(d->nbufs / 2 - 1 - i);
	/* RX: post every RX buffer to the device. */
	for (i = 0; i < d->nbufs / 2 && i < num; i++) {
		d->rx.desc[i].addr = buf_da(d, i);
		d->rx.desc[i].len = RPMSG_BUF_SIZE;
		d->rx.desc[i].flags = VRING_DESC_F_WRITE;
		d->rx.avail->ring[i] = (uint16_t)i;
	}
	d->rx.avail_idx = (uint16_t)i;
	__atomic_store_n(&d->rx.avail->idx, d->rx.avail_idx, __ATOMIC_RELEASE);
	/* Write back what remoteproc writes back, status last. */
	v->vring[0].da = (uint32_t)(da + off[0]);
	v->vring[1].da = (uint32_t)(da + off[1]);
	v->vring[0].notifyid = 0;
	v->vring[1].notifyid = 1;
	v->notifyid = 2;
	v->gfeatures = v->dfeatures & (1u << VIRTIO_RPMSG_F_NS);
	v->status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	v->status |= VIRTIO_CONFIG_S_DRIVER_OK;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	summarize(d, v, rsc_off, rsc_max);
	if (d->kick)
		d->kick(d->kick_ctx, 1);
	return 0;
}

void rplat_vdrv_free(struct rplat_vdrv *d)
{
	free(d->tx_free);
	d->tx_free = NULL;
}

/* Take back TX buffers the device has consumed. */
static void reclaim_tx(struct rplat_vdrv *d)
{
	uint16_t used = __atomic_load_n(&d->tx.used->idx, __ATOMIC_ACQUIRE);

	while (d->tx.last_used != used) {
		uint32_t id = d->tx.used->ring[d->tx.last_used & (d->tx.num - 1)].id;

		d->tx.last_used++;
		if (id >= d->nbufs / 2 || id >= d->tx.num || d->tx_nfree >= d->tx.num) {
			d->bad_used++;
			continue;
		}
		d->tx_free[d->tx_nfree++] = (uint16_t)id;
	}
}

static void post_tx(struct rplat_vdrv *d, uint16_t id, uint64_t addr, uint32_t len, uint16_t flags)
{
	d->tx.desc[id].addr = addr;
	d->tx.desc[id].len = len;
	d->tx.desc[id].flags = flags;
	d->tx.avail->ring[d->tx.avail_idx & (d->tx.num - 1)] = id;
	d->tx.avail_idx++;
	__atomic_store_n(&d->tx.avail->idx, d->tx.avail_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (d->kick && !(__atomic_load_n(&d->tx.used->flags, __ATOMIC_ACQUIRE) & VRING_USED_F_NO_NOTIFY))
		d->kick(d->kick_ctx, 1);
}

int rplat_vdrv_send(struct rplat_vdrv *d, const void *buf, size_t len)
{
	struct rpmsg_hdr h;
	uint16_t id;
	uint8_t *b;

	if (len > RPMSG_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	if (d->remote_addr == RPMSG_ADDR_ANY) {
		errno = ENOTCONN;
		return -1;
	}
	reclaim_tx(d);
	if (!d->tx_nfree) {
		errno = ENOBUFS;
		return -1;
	}
	id = d->tx_free[--d->tx_nfree];
	b = buf_va(d, d->nbufs / 2 + id);
	h.src = RPLAT_VDRV_HOST_ADDR;
	h.dst = d->remote_addr;
	h.reserved = 0;
	h.len = (uint16_t)len;
	h.flags = 0;
	memcpy(b, &h, sizeof(h));
	memcpy(b + sizeof(h), buf, len);
	post_tx(d, id, buf_da(d, d->nbufs / 2 + id), (uint32_t)(sizeof(h) + len), 0);
	return 0;
}

void rplat_vdrv_post_raw(struct rplat_vdrv *d, uint16_t desc_id, uint64_t addr, uint32_t len, uint16_t flags)
{
	uint16_t slot = desc_id < d->tx.num ? desc_id : 0;

	/* The descriptor slot written is desc_id when it is in range; an out-of-range id goes straight into
	 * the avail ring with descriptor 0 describing the buffer. */
	d->tx.desc[slot].addr = addr;
	d->tx.desc[slot].len = len;
	d->tx.desc[slot].flags = flags;
	d->tx.avail->ring[d->tx.avail_idx & (d->tx.num - 1)] = desc_id;
	d->tx.avail_idx++;
	__atomic_store_n(&d->tx.avail->idx, d->tx.avail_idx, __ATOMIC_RELEASE);
	if (d->kick)
		d->kick(d->kick_ctx, 1);
}

static void repost_rx(struct rplat_vdrv *d, uint32_t id)
{
	d->rx.desc[id].addr = buf_da(d, id);
	d->rx.desc[id].len = RPMSG_BUF_SIZE;
	d->rx.desc[id].flags = VRING_DESC_F_WRITE;
	d->rx.avail->ring[d->rx.avail_idx & (d->rx.num - 1)] = (uint16_t)id;
	d->rx.avail_idx++;
	__atomic_store_n(&d->rx.avail->idx, d->rx.avail_idx, __ATOMIC_RELEASE);
}

static void handle_ns(struct rplat_vdrv *d, const uint8_t *p, uint32_t len)
{
	struct rpmsg_ns_msg ns;

	if (len != sizeof(ns)) {
		d->bad_used++;
		return;
	}
	memcpy(&ns, p, sizeof(ns));
	ns.name[RPMSG_NAME_SIZE - 1] = '\0';
	if (ns.flags != RPMSG_NS_CREATE)
		return;
	if (d->nannounced < 2)
		memcpy(d->announced[d->nannounced++], ns.name, RPMSG_NAME_SIZE);
	d->remote_addr = ns.addr;
}

ssize_t rplat_vdrv_recv(struct rplat_vdrv *d, void *buf, size_t cap)
{
	for (;;) {
		uint16_t used = __atomic_load_n(&d->rx.used->idx, __ATOMIC_ACQUIRE);
		struct vring_used_elem e;
		struct rpmsg_hdr h;
		uint8_t *b;

		if (d->rx.last_used == used)
			return 0;
		e = d->rx.used->ring[d->rx.last_used & (d->rx.num - 1)];
		d->rx.last_used++;
		if (e.id >= d->nbufs / 2 || e.id >= d->rx.num) {
			d->bad_used++;
			errno = EBADMSG;
			return -1; /* not ours to re-post */
		}
		b = buf_va(d, e.id);
		memcpy(&h, b, sizeof(h));
		if (e.len < sizeof(h) || e.len > RPMSG_BUF_SIZE || h.len > e.len - sizeof(h)) {
			d->bad_used++;
			repost_rx(d, e.id);
			errno = EBADMSG;
			return -1;
		}
		if (h.dst == RPMSG_NS_ADDR) {
			handle_ns(d, b + sizeof(h), h.len);
			repost_rx(d, e.id);
			continue;
		}
		if (h.len == 0) { /* nothing to deliver: a zero-length message would read as "none pending" */
			repost_rx(d, e.id);
			continue;
		}
		if (h.len > cap) {
			repost_rx(d, e.id);
			errno = EMSGSIZE;
			return -1;
		}
		memcpy(buf, b + sizeof(h), h.len);
		repost_rx(d, e.id);
		return h.len;
	}
}
