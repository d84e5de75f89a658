/* The probe core and the user-space driver against each other, in one process: vrings laid out from a
 * resource table, the name-service handshake, PING/INFO/ERROR, and every class of hostile descriptor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rp_counter.h"
#include "rp_probe.h"
#include "rplat/vdrv.h"

#define SHM_SIZE (1u << 20)
#define DA 0x9cb00000u
#define POOL 8192u

struct world {
	uint8_t *shm;
	struct rplat_vdrv drv;
	struct rp_probe probe;
	struct rp_hal hal;
	uint64_t now;
	int kicks_to_host, kicks_to_probe;
};

static uint64_t fake_counter(void *ctx)
{
	struct world *w = ctx;

	return w->now += 10;
}

static void fake_kick_host(void *ctx, uint32_t vq)
{
	(void)vq;
	((struct world *)ctx)->kicks_to_host++;
}

static void fake_kick_probe(void *ctx, unsigned vq)
{
	(void)vq;
	((struct world *)ctx)->kicks_to_probe++;
}

static void write_table(uint8_t *shm, uint32_t num)
{
	struct rplat_rsc_table t = RPLAT_RSC_TABLE_INIT(DA + 4096, 4096, "");

	t.vring0.num = t.vring1.num = num;
	memcpy(shm, &t, sizeof(t));
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct rp_probe_cfg cfg = { .target = "test", .fw_version = 0x010203, .counter_hz = 100000000 };
	struct rp_shm region;
	char err[256];

	w->shm = calloc(1, SHM_SIZE);
	write_table(w->shm, 256);
	w->hal = (struct rp_hal){ fake_counter, fake_kick_host, NULL, NULL, NULL, w };
	region = (struct rp_shm){ w->shm, DA, SHM_SIZE };
	rp_probe_init(&w->probe, &w->hal, &cfg, &region);
	assert_int_equal(rp_probe_attach(&w->probe, (void *)w->shm), 1); /* no DRIVER_OK yet */
	assert_int_equal(rplat_vdrv_setup(&w->drv, w->shm, SHM_SIZE, DA, 0, 4096, POOL, fake_kick_probe, w, err,
					  sizeof(err)), 0);
	assert_int_equal(rp_probe_attach(&w->probe, (void *)w->shm), 0);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	rplat_vdrv_free(&w->drv);
	free(w->shm);
	free(w);
	return 0;
}

static ssize_t recv_one(struct world *w, void *buf, size_t cap)
{
	return rplat_vdrv_recv(&w->drv, buf, cap);
}

static void test_layout_and_announce(void **state)
{
	struct world *w = *state;
	const struct rplat_rsc_table *t = (const void *)w->shm;
	uint8_t buf[512];

	/* remoteproc-style write-back: vrings in the pool, page aligned, notifyids, DRIVER_OK */
	assert_true(t->vring0.da >= DA + POOL && t->vring0.da % 4096 == 0);
	assert_true(t->vring1.da > t->vring0.da && t->vring1.da % 4096 == 0);
	assert_true(t->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK);
	assert_int_equal(t->vdev.gfeatures, 1);
	assert_int_equal(w->drv.nbufs, 512);
	/* both names announced on port 14 */
	assert_int_equal(recv_one(w, buf, sizeof(buf)), 0);
	assert_int_equal(w->drv.nannounced, 2);
	assert_string_equal(w->drv.announced[0], "rpmsg-raw");
	assert_string_equal(w->drv.announced[1], "rpmsg_chrdev");
	assert_int_equal(w->drv.remote_addr, RPLAT_PORT);
}

static void make_ping(uint8_t *m, uint16_t size, uint32_t seq)
{
	struct rplat_ping *p = (void *)m;
	uint16_t i;

	memset(m, 0, size);
	p->hdr = (struct rplat_hdr){ RPLAT_MAGIC, RPLAT_PROTO_VERSION, RPLAT_PING, size, 0, seq, 0 };
	for (i = RPLAT_PING_MIN; i < size; i++)
		m[i] = (uint8_t)(i ^ seq);
}

static void test_ping_pong_sizes(void **state)
{
	struct world *w = *state;
	uint8_t out[512], in[512];
	uint16_t size;
	uint32_t seq = 0;

	recv_one(w, in, sizeof(in));
	for (size = RPLAT_PING_MIN; size <= RPLAT_PING_MAX; size += 8, seq++) {
		const struct rplat_ping *p = (const void *)in;

		make_ping(out, size, seq);
		assert_int_equal(rplat_vdrv_send(&w->drv, out, size), 0);
		rp_probe_kick_isr(&w->probe);
		assert_int_equal(rp_probe_poll(&w->probe), 1);
		assert_int_equal(recv_one(w, in, sizeof(in)), size);
		assert_int_equal(p->hdr.type, RPLAT_PONG);
		assert_int_equal(p->hdr.seq, seq);
		assert_memory_equal(in + RPLAT_PING_MIN, out + RPLAT_PING_MIN, size - RPLAT_PING_MIN);
		assert_true(p->t_kick < p->t_consume && p->t_consume < p->t_reply);
	}
	/* many rounds: buffers are recycled on both rings */
	for (seq = 0; seq < 5000; seq++) {
		make_ping(out, 100, seq);
		assert_int_equal(rplat_vdrv_send(&w->drv, out, 100), 0);
		rp_probe_poll(&w->probe);
		assert_int_equal(recv_one(w, in, sizeof(in)), 100);
	}
	assert_int_equal(w->probe.cnt.tx_no_buf, 0);
	assert_true(w->kicks_to_host > 5000);
}

static void test_info_and_errors(void **state)
{
	struct world *w = *state;
	struct rplat_hdr h = { RPLAT_MAGIC, RPLAT_PROTO_VERSION, RPLAT_INFO_REQ, sizeof(h), 0, 77, 0 };
	uint8_t in[512];
	const struct rplat_info *info = (const void *)in;
	const struct rplat_hdr *rh = (const void *)in;

	recv_one(w, in, sizeof(in));
	assert_int_equal(rplat_vdrv_send(&w->drv, &h, sizeof(h)), 0);
	rp_probe_poll(&w->probe);
	assert_int_equal(recv_one(w, in, sizeof(in)), sizeof(struct rplat_info));
	assert_int_equal(info->hdr.type, RPLAT_INFO_RESP);
	assert_int_equal(info->hdr.seq, 77);
	assert_int_equal(info->counter_hz, 100000000);
	assert_int_equal(info->fw_version, 0x010203);
	assert_string_equal(info->target, "test");
	assert_int_equal(info->vring_num, 256);
	/* malformed requests get ERROR replies with the reason */
	h.magic = 0x1234;
	rplat_vdrv_send(&w->drv, &h, sizeof(h));
	rp_probe_poll(&w->probe);
	assert_int_equal(recv_one(w, in, sizeof(in)), sizeof(struct rplat_hdr));
	assert_int_equal(rh->type, RPLAT_ERROR);
	assert_int_equal(rh->status, RPLAT_E_MAGIC);
	h.magic = RPLAT_MAGIC;
	h.version = 9;
	rplat_vdrv_send(&w->drv, &h, sizeof(h));
	rp_probe_poll(&w->probe);
	recv_one(w, in, sizeof(in));
	assert_int_equal(rh->status, RPLAT_E_VERSION);
	h.version = RPLAT_PROTO_VERSION;
	h.len = 99; /* disagrees with the message size */
	rplat_vdrv_send(&w->drv, &h, sizeof(h));
	rp_probe_poll(&w->probe);
	recv_one(w, in, sizeof(in));
	assert_int_equal(rh->status, RPLAT_E_LEN);
	h.len = sizeof(h);
	h.type = 0x77;
	rplat_vdrv_send(&w->drv, &h, sizeof(h));
	rp_probe_poll(&w->probe);
	recv_one(w, in, sizeof(in));
	assert_int_equal(rh->status, RPLAT_E_TYPE);
	h.type = RPLAT_PING; /* a ping shorter than its fixed part */
	rplat_vdrv_send(&w->drv, &h, sizeof(h));
	rp_probe_poll(&w->probe);
	recv_one(w, in, sizeof(in));
	assert_int_equal(rh->status, RPLAT_E_SHORT);
	rplat_vdrv_send(&w->drv, &h, 8); /* shorter than the header */
	rp_probe_poll(&w->probe);
	recv_one(w, in, sizeof(in));
	assert_int_equal(rh->status, RPLAT_E_SHORT);
	assert_int_equal(w->probe.cnt.bad_msg, 6);
}

/* Post a hostile descriptor; the probe must count it, return it on the used ring and stay healthy. */
static void hostile(struct world *w, uint16_t id, uint64_t addr, uint32_t len, uint16_t flags)
{
	uint16_t used_before = w->probe.rx.used->idx;

	rplat_vdrv_post_raw(&w->drv, id, addr, len, flags);
	assert_int_equal(rp_probe_poll(&w->probe), 1);
	assert_int_equal((uint16_t)(w->probe.rx.used->idx - used_before), 1);
	assert_int_equal(w->probe.rx.used->ring[used_before & 255].id, id);
	assert_int_equal(w->probe.rx.used->ring[used_before & 255].len, 0);
}

static void still_works(struct world *w)
{
	uint8_t out[64], in[512];

	w->drv.tx_nfree = 0; /* the raw posts used descriptors behind the free list's back: rebuild it */
	for (uint16_t i = 0; i < 256; i++)
		w->drv.tx_free[w->drv.tx_nfree++] = (uint16_t)(255 - i);
	w->drv.tx.last_used = w->drv.tx.used->idx;
	make_ping(out, 64, 4242);
	assert_int_equal(rplat_vdrv_send(&w->drv, out, 64), 0);
	rp_probe_poll(&w->probe);
	assert_int_equal(recv_one(w, in, sizeof(in)), 64);
}

static void test_hostile_descriptors(void **state)
{
	struct world *w = *state;
	uint64_t good = (uint64_t)DA + w->drv.buf_off + 300 * 512;
	uint8_t in[512];

	recv_one(w, in, sizeof(in));
	memset(w->shm + w->drv.buf_off + 300 * 512, 0, 512);
	hostile(w, 300, good, 64, 0); /* index out of range */
	assert_int_equal(w->probe.cnt.bad_desc_index, 1);
	hostile(w, 3, DA - 4096, 64, 0); /* below the shared region */
	hostile(w, 3, (uint64_t)DA + SHM_SIZE - 32, 64, 0); /* runs off its end */
	hostile(w, 3, 0xFFFFFFFFFFFFFFF0ull, 64, 0); /* wraps */
	assert_int_equal(w->probe.cnt.bad_desc_addr, 3);
	hostile(w, 3, good, 4096, 0); /* longer than a buffer */
	assert_int_equal(w->probe.cnt.bad_desc_len, 1);
	hostile(w, 3, good, 8, 0); /* shorter than the RPMsg header */
	assert_int_equal(w->probe.cnt.bad_desc_short, 1);
	hostile(w, 3, good, 64, VRING_DESC_F_NEXT); /* chains are not supported */
	hostile(w, 3, good, 64, VRING_DESC_F_INDIRECT);
	assert_int_equal(w->probe.cnt.bad_desc_chain, 2);
	/* an RPMsg header claiming more than the buffer holds */
	{
		struct rpmsg_hdr rh = { 1024, RPLAT_PORT, 0, 400, 0 };

		memcpy(w->shm + w->drv.buf_off + 300 * 512, &rh, sizeof(rh));
		hostile(w, 3, good, 64, 0);
		assert_int_equal(w->probe.cnt.bad_msg, 1);
	}
	/* an avail index that jumps by more than the ring holds */
	w->drv.tx.avail->idx += 1000;
	assert_int_equal(rp_probe_poll(&w->probe), 1);
	assert_int_equal(w->probe.cnt.bad_avail_idx, 1);
	w->drv.tx.avail_idx = w->drv.tx.avail->idx;
	assert_int_equal(rp_probe_poll(&w->probe), 0);
	still_works(w);
}

static void test_no_interrupt_flag(void **state)
{
	struct world *w = *state;
	uint8_t out[64], in[512];
	int before;

	recv_one(w, in, sizeof(in));
	w->drv.rx.avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	before = w->kicks_to_host;
	make_ping(out, 64, 1);
	rplat_vdrv_send(&w->drv, out, 64);
	rp_probe_poll(&w->probe);
	assert_int_equal(w->kicks_to_host, before); /* reply pushed, no kick */
	assert_int_equal(recv_one(w, in, sizeof(in)), 64);
	w->drv.rx.avail->flags = 0;
	rplat_vdrv_send(&w->drv, out, 64);
	rp_probe_poll(&w->probe);
	assert_int_equal(w->kicks_to_host, before + 1);
}

static void test_no_rx_buffer(void **state)
{
	struct world *w = *state;
	uint8_t out[64], in[512];

	recv_one(w, in, sizeof(in));
	w->probe.tx.last_avail = w->drv.rx.avail->idx; /* as if every RX buffer were taken */
	make_ping(out, 64, 1);
	rplat_vdrv_send(&w->drv, out, 64);
	rp_probe_poll(&w->probe);
	assert_int_equal(w->probe.cnt.tx_no_buf, 1);
	assert_int_equal(recv_one(w, in, sizeof(in)), 0);
}

static void test_bad_table(void **state)
{
	uint8_t *shm = calloc(1, SHM_SIZE);
	struct rplat_vdrv d;
	char err[256];

	(void)state;
	assert_int_equal(rplat_vdrv_setup(&d, shm, SHM_SIZE, DA, 0, 4096, POOL, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ver 0"));
	write_table(shm, 100); /* not a power of two */
	assert_int_equal(rplat_vdrv_setup(&d, shm, SHM_SIZE, DA, 0, 4096, POOL, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "num 100"));
	write_table(shm, 256);
	assert_int_equal(rplat_vdrv_setup(&d, shm, 64 * 1024, DA, 0, 4096, POOL, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "do not fit"));
	free(shm);
}

static void test_counter_extension(void **state)
{
	struct rp_ctr_ext e;

	(void)state;
	rp_ctr_ext_init(&e, 32, 0xFFFFFF00u);
	assert_int_equal(rp_ctr_ext_update(&e, 0xFFFFFFF0u), 0xFFFFFFF0ull);
	assert_int_equal(rp_ctr_ext_update(&e, 0x10u), 0x100000010ull);
	assert_int_equal(rp_ctr_ext_update(&e, 0x10u), 0x100000010ull);
	rp_ctr_ext_init(&e, 24, 0xFFFFF0u);
	assert_int_equal(rp_ctr_ext_update(&e, 0x5u), 0x1000005ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout_and_announce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ping_pong_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_interrupt_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_rx_buffer, setup, teardown),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_counter_extension),
	};

	return cmocka_run_group_tests_name("vring", tests, NULL, NULL);
}
