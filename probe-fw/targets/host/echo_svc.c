/* The example echo service. See echo_svc.h. */
#include "echo_svc.h"

#include <string.h>

#include "rplat/hooks.h"
#include "rplat/wire/rpmsg.h"

void echo_svc_init(struct echo_svc *s, const struct rp_shm *shm, void (*kick)(void *ctx), void *kick_ctx)
{
	memset(s, 0, sizeof(*s));
	s->shm = *shm;
	s->kick = kick;
	s->kick_ctx = kick_ctx;
}

/* The application's send: one message from port 14 to 'dst', through a fresh host RX buffer. */
static int echo_send(struct echo_svc *s, uint32_t dst, const void *data, uint32_t len)
{
	struct rpmsg_hdr *h;
	uint16_t head;
	void *buf;
	uint32_t cap;
	enum rp_vq_status st;

	while ((st = rp_vq_pop(&s->tx, &head, &buf, &cap)) == RP_VQ_BAD)
		;
	if (st != RP_VQ_OK || cap < RPMSG_HDR_SIZE + len) {
		if (st == RP_VQ_OK)
			rp_vq_push(&s->tx, head, 0);
		s->no_buf++;
		return -1;
	}
	h = buf;
	h->src = ECHO_PORT;
	h->dst = dst;
	h->reserved = 0;
	h->len = (uint16_t)len;
	h->flags = 0;
	memcpy(h->data, data, len);
	rp_vq_push(&s->tx, head, RPMSG_HDR_SIZE + len);
	if (rp_vq_need_kick(&s->tx))
		s->kick(s->kick_ctx);
	return 0;
}

static int announce(struct echo_svc *s, const char *name)
{
	struct rpmsg_ns_msg ns;

	memset(&ns, 0, sizeof(ns));
	memcpy(ns.name, name, strlen(name));
	ns.addr = ECHO_PORT;
	ns.flags = RPMSG_NS_CREATE;
	return echo_send(s, RPMSG_NS_ADDR, &ns, sizeof(ns));
}

int echo_svc_attach(struct echo_svc *s, volatile struct echo_rsc_table *rsc)
{
	if (s->ready == 0) {
		if (!(rsc->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK))
			return 1;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (rsc->vring0.align < 4 || rsc->vring1.align < 4 ||
		    rp_vq_init(&s->tx, &s->shm, rsc->vring0.da, rsc->vring0.num, rsc->vring0.align, &s->cnt) ||
		    rp_vq_init(&s->rx, &s->shm, rsc->vring1.da, rsc->vring1.num, rsc->vring1.align, &s->cnt))
			return -1;
		s->ready = 1;
	}
	if (s->ready == 1) {
		if (announce(s, "rpmsg-raw"))
			return 1;
		s->ready = 2;
	}
	if (s->ready == 2) {
		if (announce(s, "rpmsg_chrdev"))
			return 1;
		s->ready = 3;
	}
	return 0;
}

/* The application's RX callback, as an OpenAMP endpoint callback would be. */
static void on_message(struct echo_svc *s, uint32_t src, uint32_t dst, const uint8_t *data, uint32_t len)
{
	rplat_hook_rx(src, dst, data, len);
	if (s->work)
		s->work(s->work_ctx);
	rplat_hook_send(ECHO_PORT, src, data, len);
	if (echo_send(s, src, data, len) == 0)
		s->echoed++;
}

int echo_svc_poll(struct echo_svc *s)
{
	uint8_t msg[RPMSG_MAX_PAYLOAD];
	struct rpmsg_hdr h;
	uint16_t head;
	void *buf;
	uint32_t len;
	int n = 0;
	enum rp_vq_status st;

	if (s->ready != 3)
		return 0;
	while ((st = rp_vq_pop(&s->rx, &head, &buf, &len)) != RP_VQ_EMPTY) {
		if (st != RP_VQ_OK)
			continue;
		n++;
		memcpy(&h, buf, sizeof(h));
		if (h.len > len - RPMSG_HDR_SIZE || h.len > sizeof(msg) || h.dst != ECHO_PORT) {
			rp_vq_push(&s->rx, head, 0);
			continue;
		}
		memcpy(msg, (uint8_t *)buf + RPMSG_HDR_SIZE, h.len);
		rp_vq_push(&s->rx, head, 0);
		on_message(s, h.src, h.dst, msg, h.len);
	}
	return n;
}

void echo_svc_isr(struct echo_svc *s)
{
	rplat_hook_isr();
	echo_svc_poll(s);
}
