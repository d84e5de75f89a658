/* The portable probe. See rp_probe.h.
 *
 * Request path (one PING):
 *   doorbell ISR            t_kick    = counter()           rp_probe_kick_isr()
 *   pop vring1 avail        t_consume = counter()           serve_one()
 *   pop a vring0 RX buffer, copy the request into it, mark it PONG
 *   return the request buffer on vring1 used (no kick: Linux reclaims TX buffers lazily)
 *   t_reply = counter(), written into the reply, push vring0 used, kick(0)
 * Everything read from shared memory is validated first; see rp_vring.c. */
#include "rp_probe.h"

#include <stddef.h>
#include <string.h>

#define VQ_ALIGN_MIN 4u

void rp_hdr_fill(struct rplat_hdr *h, uint8_t type, uint16_t len, uint32_t seq, uint32_t status)
{
	h->magic = RPLAT_MAGIC;
	h->version = RPLAT_PROTO_VERSION;
	h->type = type;
	h->len = len;
	h->flags = 0;
	h->seq = seq;
	h->status = status;
}

void rp_probe_init(struct rp_probe *p, const struct rp_hal *hal, const struct rp_probe_cfg *cfg,
		   const struct rp_shm *shm)
{
	memset(p, 0, sizeof(*p));
	p->hal = hal;
	p->cfg = *cfg;
	p->shm = *shm;
	p->addr = RPLAT_PORT;
}

/* A doorbell announces the requests the host made available before ringing it. One that finds nothing
 * pending rang for a request the main loop already found and served (it polled the ring first), so
 * its stamp belongs to no request and is not kept. */
void rp_probe_kick_isr(struct rp_probe *p)
{
	uint64_t t = p->hal->counter(p->hal->ctx);

	p->cnt.kicks++;
	if (p->ready == 3 && !rp_vq_pending(&p->rx))
		return;
	p->t_kick = t;
	p->kick_fresh = 1;
}

/* Take a fresh RX buffer from vring0 and fill its RPMsg header for 'len' bytes to 'dst'. Returns the
 * payload area, or NULL (counted in tx_no_buf) when the host has posted no buffer big enough. */
static uint8_t *tx_begin(struct rp_probe *p, uint32_t dst, uint32_t len, uint16_t *head)
{
	struct rpmsg_hdr *rh;
	void *buf;
	uint32_t cap;
	enum rp_vq_status st;

	while ((st = rp_vq_pop(&p->tx, head, &buf, &cap)) == RP_VQ_BAD)
		;
	if (st == RP_VQ_EMPTY || cap < RPMSG_HDR_SIZE + len) {
		if (st == RP_VQ_OK)
			rp_vq_push(&p->tx, *head, 0);
		p->cnt.tx_no_buf++;
		return NULL;
	}
	rh = buf;
	rh->src = p->addr;
	rh->dst = dst;
	rh->reserved = 0;
	rh->len = (uint16_t)len;
	rh->flags = 0;
	return rh->data;
}

/* Publish a buffer from tx_begin(). If stamp_off is non-zero, the counter is read last and stored at
 * that offset of the payload, just before the push and the kick. */
static void tx_commit(struct rp_probe *p, uint16_t head, uint8_t *data, uint32_t len, uint32_t stamp_off)
{
	uint8_t *buf = data - RPMSG_HDR_SIZE;

	if (stamp_off) {
		uint64_t t = p->hal->counter(p->hal->ctx);
		memcpy(data + stamp_off, &t, sizeof(t));
	}
	if (p->hal->cache_clean)
		p->hal->cache_clean(p->hal->ctx, buf, RPMSG_HDR_SIZE + len);
	rp_vq_push(&p->tx, head, RPMSG_HDR_SIZE + len);
	p->cnt.tx_msgs++;
	if (rp_vq_need_kick(&p->tx))
		p->hal->kick(p->hal->ctx, 0);
}

int rp_probe_send_stamped(struct rp_probe *p, uint32_t dst, const void *msg, uint32_t len, uint32_t stamp_off)
{
	uint16_t head;
	uint8_t *data = tx_begin(p, dst, len, &head);

	if (!data)
		return -1;
	memcpy(data, msg, len);
	tx_commit(p, head, data, len, stamp_off);
	return 0;
}

int rp_probe_send_tagged(struct rp_probe *p, uint32_t dst, const void *msg, uint32_t len, uint32_t da_off,
			 uint32_t head_off)
{
	uint16_t head;
	uint8_t *data = tx_begin(p, dst, len, &head);
	uint32_t da;

	if (!data)
		return -1;
	da = p->shm.da + (uint32_t)(data - RPMSG_HDR_SIZE - p->shm.va);
	memcpy(data, msg, len);
	if (da_off + sizeof(da) <= len)
		memcpy(data + da_off, &da, sizeof(da));
	if (head_off + sizeof(head) <= len)
		memcpy(data + head_off, &head, sizeof(head));
	tx_commit(p, head, data, len, 0);
	return 0;
}

int rp_probe_send(struct rp_probe *p, uint32_t dst, const void *msg, uint32_t len)
{
	return rp_probe_send_stamped(p, dst, msg, len, 0);
}

static int announce(struct rp_probe *p, const char *name)
{
	struct rpmsg_ns_msg ns;
	size_t n = strlen(name);

	memset(&ns, 0, sizeof(ns));
	memcpy(ns.name, name, n < sizeof(ns.name) ? n : sizeof(ns.name) - 1);
	ns.addr = p->addr;
	ns.flags = RPMSG_NS_CREATE;
	return rp_probe_send(p, RPMSG_NS_ADDR, &ns, sizeof(ns));
}

int rp_probe_attach(struct rp_probe *p, volatile struct rplat_rsc_table *rsc)
{
	uint32_t num0, num1;

	if (p->ready == 3)
		return 0;
	if (p->ready == 0) {
		if (!(rsc->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK))
			return 1;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		num0 = rsc->vring0.num;
		num1 = rsc->vring1.num;
		if (rsc->vring0.align < VQ_ALIGN_MIN || rsc->vring1.align < VQ_ALIGN_MIN ||
		    rp_vq_init(&p->tx, &p->shm, rsc->vring0.da, num0, rsc->vring0.align, &p->cnt) ||
		    rp_vq_init(&p->rx, &p->shm, rsc->vring1.da, num1, rsc->vring1.align, &p->cnt))
			return -1;
		p->ready = 1;
	}
	/* Announce both names on the same port: mainline binds rpmsg_char to "rpmsg-raw", TI kernels to
	 * "rpmsg_chrdev". Each is retried until the host has posted RX buffers. */
	if (p->ready == 1) {
		if (announce(p, RPLAT_NS_NAME_RAW))
			return 1;
		p->ready = 2;
	}
	if (announce(p, RPLAT_NS_NAME_TI))
		return 1;
	p->ready = 3;
	return 0;
}

static void reply_error(struct rp_probe *p, uint32_t dst, uint32_t seq, uint32_t err)
{
	struct rplat_hdr h;

	rp_hdr_fill(&h, RPLAT_ERROR, sizeof(h), seq, err);
	rp_probe_send(p, dst, &h, sizeof(h));
}

static void reply_info(struct rp_probe *p, uint32_t dst, uint32_t seq)
{
	struct rplat_info info;
	size_t n;

	memset(&info, 0, sizeof(info));
	rp_hdr_fill(&info.hdr, RPLAT_INFO_RESP, sizeof(info), seq, 0);
	info.fw_version = p->cfg.fw_version;
	info.proto_version = RPLAT_PROTO_VERSION;
	info.counter_hz = p->cfg.counter_hz;
	n = p->cfg.target ? strlen(p->cfg.target) : 0;
	memcpy(info.target, p->cfg.target, n < RPLAT_TARGET_LEN ? n : RPLAT_TARGET_LEN - 1);
	if (p->cfg.build_id)
		memcpy(info.build_id, p->cfg.build_id, RPLAT_BUILD_ID_LEN);
	info.vring_num = p->rx.num;
	info.features = p->cfg.features;
	info.counters = p->cnt;
	rp_probe_send(p, dst, &info, sizeof(info));
}

/* Answer a PING: the request is copied into a fresh RX buffer, retyped and stamped. */
static void reply_pong(struct rp_probe *p, uint32_t dst, const uint8_t *req, uint32_t len, uint64_t t_kick,
		       uint64_t t_consume)
{
	struct rplat_ping *pong;
	uint16_t head;
	uint8_t *data = tx_begin(p, dst, len, &head);

	if (!data)
		return;
	memcpy(data, req, len);
	pong = (struct rplat_ping *)(void *)data;
	pong->hdr.type = RPLAT_PONG;
	memcpy(&pong->t_kick, &t_kick, sizeof(t_kick));
	memcpy(&pong->t_consume, &t_consume, sizeof(t_consume));
	if (p->cfg.process)
		p->cfg.process(p->cfg.process_ctx, data, len);
	tx_commit(p, head, data, len, (uint32_t)offsetof(struct rplat_ping, t_reply));
}

static void dispatch(struct rp_probe *p, uint32_t src, const uint8_t *msg, uint32_t len, uint64_t t_kick,
		     uint64_t t_consume)
{
	struct rplat_hdr h;
	uint8_t reply[RPLAT_PING_MAX];
	int n;

	if (len < sizeof(h)) {
		p->cnt.bad_msg++;
		reply_error(p, src, 0, RPLAT_E_SHORT);
		return;
	}
	memcpy(&h, msg, sizeof(h));
	if (h.magic != RPLAT_MAGIC || h.version != RPLAT_PROTO_VERSION || h.len != len) {
		p->cnt.bad_msg++;
		reply_error(p, src, h.seq,
			    h.magic != RPLAT_MAGIC ? RPLAT_E_MAGIC :
			    h.version != RPLAT_PROTO_VERSION ? RPLAT_E_VERSION : RPLAT_E_LEN);
		return;
	}
	switch (h.type) {
	case RPLAT_PING:
		if (len < RPLAT_PING_MIN) {
			p->cnt.bad_msg++;
			reply_error(p, src, h.seq, RPLAT_E_SHORT);
			return;
		}
		reply_pong(p, src, msg, len, t_kick, t_consume);
		return;
	case RPLAT_INFO_REQ:
		reply_info(p, src, h.seq);
		return;
	default:
		if (!p->cfg.ext) {
			p->cnt.bad_msg++;
			reply_error(p, src, h.seq, RPLAT_E_TYPE);
			return;
		}
		p->req_src = src;
		n = p->cfg.ext(p, (const struct rplat_hdr *)(const void *)msg, len, reply, sizeof(reply),
			       p->cfg.ext_ctx);
		if (n < 0) {
			p->cnt.bad_msg++;
			reply_error(p, src, h.seq, (uint32_t)-n);
		} else if (n > 0) {
			rp_probe_send(p, src, reply, (uint32_t)n);
		}
	}
}

static void serve_one(struct rp_probe *p, uint16_t head, uint8_t *buf, uint32_t len)
{
	struct rpmsg_hdr rh;
	uint64_t t_consume = p->hal->counter(p->hal->ctx);
	/* each doorbell stamps one request; a request found before its doorbell has no dispatch time */
	uint64_t t_kick = p->kick_fresh ? p->t_kick : t_consume;

	p->kick_fresh = 0;
	uint8_t msg[RPLAT_PING_MAX];

	if (p->hal->cache_inval)
		p->hal->cache_inval(p->hal->ctx, buf, len);
	memcpy(&rh, buf, sizeof(rh));
	p->cnt.rx_msgs++;
	if (rh.len > len - RPMSG_HDR_SIZE || rh.len > sizeof(msg)) {
		/* rpmsg_recv_single() would drop this too: the header claims more than the buffer holds. */
		p->cnt.bad_msg++;
		rp_vq_push(&p->rx, head, 0);
		return;
	}
	/* Copy the request out before returning its buffer: the host may reuse it at once. */
	memcpy(msg, buf + RPMSG_HDR_SIZE, rh.len);
	rp_vq_push(&p->rx, head, 0);
	p->last_rx_da = p->shm.da + (uint32_t)(buf - p->shm.va);
	p->last_rx_head = head;
	if (rh.dst != p->addr) {
		p->cnt.bad_msg++;
		return;
	}
	dispatch(p, rh.src, msg, rh.len, t_kick, t_consume);
}

int rp_probe_poll(struct rp_probe *p)
{
	return rp_probe_poll_max(p, 0x7fffffff);
}

int rp_probe_poll_max(struct rp_probe *p, int max)
{
	uint16_t head;
	void *buf;
	uint32_t len;
	int n = 0;
	enum rp_vq_status st;

	if (p->ready != 3)
		return 0;
	while (n < max) {
		if (p->hal->pending)
			p->hal->pending(p->hal->ctx);
		st = rp_vq_pop(&p->rx, &head, &buf, &len);
		if (st == RP_VQ_EMPTY)
			break;
		n++;
		if (st == RP_VQ_OK)
			serve_one(p, head, buf, len);
	}
	return n;
}
