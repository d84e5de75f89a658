/* rplat observe: find the ring, drain it, trace the application, match, write the run. See
 * rplat/observe.h.
 *
 * Finding things without changing the application: its shared region is one of its own fds (the sim
 * link's memfd "rplat-sim-shm", the qemu link's "rplat-qemu-psram"), opened through /proc/PID/fd as
 * /dev/mem would be on a board; the resource table sits at the region's start on both links, and its
 * "rplat-ring" carveout gives the ring. The application's doorbell fds are found the same way: on the
 * sim its two eventfds (the link creates host->remote first, so the lower fd), on qemu its one socket.
 *
 * Memory: every drained record (32 bytes) and every traced syscall (24 bytes) is kept until the end,
 * then matched; an hour at 1 kHz is ~400 MB, so observations are meant to be minutes long. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "observe_local.h"
#include "rplat/clocksync.h"
#include "rplat/hist.h"
#include "rplat/json.h"
#include "rplat/measure.h"
#include "rplat/observe.h"
#include "rplat/ring.h"
#include "rplat/rsc.h"
#include "rplat/run.h"
#include "rplat/runfile.h"
#include "rplat/sysinfo.h"
#include "rplat/util.h"
#include "sim_probe.h"

#define SIM_DA_DEFAULT 0x9cb00000u
#define QEMU_DA_DEFAULT 0x21000000u
#define RSC_MAX 4096u
#define DRAIN_BATCH 4096u
#define GRACE_NS 50000000ll   /* after tracing stops: let the last replies land before the final drain */
#define NSTAGES 4
#define TRACE_READ_NS 200000000ll /* --sched: the tracefs buffers are read this often during the run */

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

void rplat_observe_opts_init(struct rplat_observe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->link = "sim";
	o->rate_hz = 100;
	o->read_probe = 1;
	o->sched = 1;
	o->worst = 10;
}

/* ---- finding the application's region and fds ---- */

struct target {
	int is_qemu;
	int is_rpmsg;      /* a board: the ring mapped from /dev/mem, the application's /dev/rpmsgN */
	void *map_base;    /* rpmsg: the page-aligned mapping that holds the ring */
	size_t map_len;
	int shm_fd;      /* ours, opened through /proc/PID/fd */
	uint8_t *shm;
	size_t size;
	uint32_t da;
	int fd_tx, fd_rx; /* the application's fd numbers */
	char shm_name[96];
};

static int find_target(pid_t pid, int want_qemu, struct target *t, char *err, size_t errlen)
{
	char dir[64], path[96], link[256];
	int efd[2] = { -1, -1 }, nefd = 0, sock = -1, shm = -1;
	struct dirent *de;
	DIR *d;
	struct stat st;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return rplat_fail(err, errlen, "%s: %s (is pid %d running, and are we root?)", dir, strerror(errno),
				  (int)pid);
	while ((de = readdir(d))) {
		ssize_t n;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = atoi(de->d_name);
		snprintf(path, sizeof(path), "%s/%d", dir, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strncmp(link, want_qemu ? "/memfd:rplat-qemu-psram" : "/memfd:rplat-sim-shm",
			     want_qemu ? 23 : 20)) {
			shm = fd;
			snprintf(t->shm_name, sizeof(t->shm_name), "pid %d fd %d (%.32s)", (int)pid, fd, link + 1);
		} else if (!strcmp(link, "anon_inode:[eventfd]")) {
			if (nefd < 2 && (nefd == 0 || fd > efd[0]))
				efd[nefd++] = fd;
			else if (nefd < 2)
				efd[nefd++] = fd;
		} else if (!strncmp(link, "socket:", 7) && (sock < 0 || fd < sock)) {
			sock = fd;
		}
	}
	closedir(d);
	if (shm < 0)
		return rplat_fail(err, errlen, "pid %d has no %s link region open (no memfd \"%s\" in %s)", (int)pid,
				  want_qemu ? "qemu" : "sim", want_qemu ? "rplat-qemu-psram" : "rplat-sim-shm", dir);
	if (nefd == 2 && efd[0] > efd[1]) {
		int x = efd[0];

		efd[0] = efd[1];
		efd[1] = x;
	}
	if (!want_qemu && nefd < 2)
		return rplat_fail(err, errlen, "pid %d: its sim link's two doorbell eventfds were not found in %s",
				  (int)pid, dir);
	if (want_qemu && sock < 0)
		return rplat_fail(err, errlen, "pid %d: its qemu link's doorbell socket was not found in %s", (int)pid,
				  dir);
	snprintf(path, sizeof(path), "%s/%d", dir, shm);
	t->shm_fd = open(path, O_RDWR | O_CLOEXEC);
	if (t->shm_fd < 0 || fstat(t->shm_fd, &st) || st.st_size < (off_t)RSC_MAX)
		return rplat_fail(err, errlen, "%s: cannot open the region: %s", path, strerror(errno));
	t->size = (size_t)st.st_size;
	t->shm = mmap(NULL, t->size, PROT_READ | PROT_WRITE, MAP_SHARED, t->shm_fd, 0);
	if (t->shm == MAP_FAILED) {
		t->shm = NULL;
		return rplat_fail(err, errlen, "%s: mmap: %s", path, strerror(errno));
	}
	t->is_qemu = want_qemu;
	t->fd_tx = want_qemu ? sock : efd[0];
	t->fd_rx = want_qemu ? sock : efd[1];
	return 0;
}

/* A board: the application's /dev/rpmsgN fd; the ring from remoteproc's debugfs carveout list, mapped
 * from /dev/mem at its DMA address. */
static int find_target_rpmsg(const struct rplat_observe_opts *o, struct target *t, uint32_t *ring_da,
			     uint32_t *ring_len, char *err, size_t errlen)
{
	const char *dbg = o->debugfs ? o->debugfs : "/sys/kernel/debug";
	struct rplat_obs_rproc_ring rr;
	struct rplat_obs_carveout co;
	char dir[64], path[4200], link[256];
	struct dirent *de;
	int fd = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)o->pid);
	d = opendir(dir);
	if (!d)
		return rplat_fail(err, errlen, "%s: %s (is pid %d running, and are we root?)", dir, strerror(errno),
				  (int)o->pid);
	while ((de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strncmp(link, "/dev/rpmsg", 10) && link[10] >= '0' && link[10] <= '9' && fd < 0) {
			fd = atoi(de->d_name);
			snprintf(t->shm_name, sizeof(t->shm_name), "pid %d fd %d (%.40s)", (int)o->pid, fd, link);
		}
	}
	closedir(d);
	if (fd < 0)
		return rplat_fail(err, errlen, "pid %d has no /dev/rpmsgN open (in %s)", (int)o->pid, dir);
	/* the remoteproc whose carveouts list the ring, mapped through the memory device */
	if (rplat_obs_rproc_ring_map(o->rproc, dbg, o->mem ? o->mem : "/dev/mem", RPLAT_RING_RSC_NAME, &rr, err,
				     errlen)) {
		rplat_obs_rproc_ring_unmap(&rr);
		return -1;
	}
	co = rr.co;
	t->shm_fd = rr.fd;
	t->map_base = rr.map_base;
	t->map_len = rr.map_len;
	t->shm = rr.mem;
	t->size = (size_t)co.len;
	t->da = co.da;
	t->is_rpmsg = 1;
	t->fd_tx = t->fd_rx = fd;
	*ring_da = co.da;
	*ring_len = (uint32_t)co.len;
	snprintf(t->shm_name + strlen(t->shm_name), sizeof(t->shm_name) - strlen(t->shm_name), ", %s",
		 rr.rproc);
	return 0;
}

/* The ring: the "rplat-ring" carveout of the table at the region's start. */
static int find_ring(const struct target *t, uint32_t *off, uint32_t *len, uint32_t *da, char *err, size_t errlen)
{
	struct rplat_rsc rsc;
	size_t i;
	int found = 0;

	if (rplat_rsc_parse(&rsc, t->shm, RSC_MAX))
		return rplat_fail(err, errlen, "out of memory");
	for (i = 0; i < rsc.nentry && !found; i++) {
		const struct rplat_rsc_entry *e = &rsc.entry[i];

		if (!e->hdr_ok || !e->complete || e->type != RSC_CARVEOUT || strcmp(e->name, RPLAT_RING_RSC_NAME))
			continue;
		found = 1;
		*da = e->da;
		*len = e->len;
	}
	rplat_rsc_release(&rsc);
	if (!rsc.header_ok || rsc.ver != 1)
		return rplat_fail(err, errlen, "%s: no resource table at the start of the region", t->shm_name);
	if (!found)
		return rplat_fail(err, errlen, "%s: the firmware's resource table has no \"%s\" carveout (is it "
				  "built with the rplat hooks?)", t->shm_name, RPLAT_RING_RSC_NAME);
	if (*da < t->da || (uint64_t)*da - t->da + *len > t->size)
		return rplat_fail(err, errlen, "%s: the %s carveout (da 0x%x, %u bytes) is outside the region "
				  "(da 0x%x, %zu bytes)", t->shm_name, RPLAT_RING_RSC_NAME, *da, *len, t->da, t->size);
	*off = *da - t->da;
	return 0;
}

/* ---- the observation ---- */

struct drain_stats {
	uint64_t drains, records, busy_ns, max_batch;
	uint64_t empty_drains, records_busy_ns; /* drains that kept nothing; the time of those that did */
	uint64_t pre_observation;
};

struct obs {
	const struct rplat_observe_opts *o;
	struct target t;
	struct rplat_ring_reader ring;
	uint32_t ring_da, ring_len;
	struct rplat_obs_rec *rec;
	size_t nrec, caprec;
	struct rplat_obs_seg *seg;
	size_t nseg;
	uint64_t seg_records;  /* records of the current segment */
	uint64_t drops_seen;   /* rplat_ring_drops() at the last drain */
	struct drain_stats ds;
	int64_t t_last_drain;
	uint64_t rx_records;
	int refused;
	char refusal[512];
	uint32_t boot_ids[16];
	size_t nboot;
	int64_t t0, t_end;
	time_t wall0, wall1;
	int64_t raw0, mono0, raw1, mono1;
};

static int push_rec(struct obs *x, const struct rplat_ring_rec *r)
{
	if (x->nrec == x->caprec) {
		size_t cap = x->caprec ? 2 * x->caprec : 8192;
		struct rplat_obs_rec *n = realloc(x->rec, cap * sizeof(*n));

		if (!n)
			return -1;
		x->rec = n;
		x->caprec = cap;
	}
	x->rec[x->nrec].r = *r;
	x->rec[x->nrec].seg = (uint32_t)(x->nseg - 1);
	x->rec[x->nrec].drain = (uint32_t)x->ds.drains;
	x->nrec++;
	x->seg_records++;
	x->rx_records += r->event == RPLAT_EV_RX;
	return 0;
}

static int new_seg(struct obs *x, int64_t t_prev, int64_t t_seen)
{
	struct rplat_obs_seg *n = realloc(x->seg, (x->nseg + 1) * sizeof(*n));

	if (!n)
		return -1;
	x->seg = n;
	x->seg[x->nseg].t_prev = t_prev;
	x->seg[x->nseg].t_seen = t_seen;
	x->seg[x->nseg].clean_end = UINT64_MAX;
	x->nseg++;
	x->seg_records = 0;
	if (x->nboot < 16)
		x->boot_ids[x->nboot++] = x->ring.boot_id;
	return 0;
}

/* Drain everything there is. 'keep' 0 discards (records from before the observation). */
static int drain_all(struct obs *x, int keep, char *err, size_t errlen)
{
	static struct rplat_ring_rec buf[DRAIN_BATCH];
	int64_t t = rplat_now_ns(), t1;
	uint64_t got = 0;
	size_t n, i;
	enum rplat_ring_status st;

	for (;;) {
		st = rplat_ring_drain(&x->ring, buf, DRAIN_BATCH, &n, err, errlen);
		if (st == RPLAT_RING_CORRUPT) {
			x->refused = 1;
			snprintf(x->refusal, sizeof(x->refusal), "%s", err);
			return -1;
		}
		if (st == RPLAT_RING_RESTARTED) {
			if (new_seg(x, x->t_last_drain, t))
				return rplat_fail(err, errlen, "out of memory");
			continue;
		}
		for (i = 0; i < n; i++) {
			if (!keep) {
				x->ds.pre_observation++;
				continue;
			}
			if (push_rec(x, &buf[i]))
				return rplat_fail(err, errlen, "out of memory");
		}
		got += n;
		if (n < DRAIN_BATCH)
			break;
	}
	t1 = rplat_now_ns();
	x->ds.drains++;
	x->ds.records += keep ? got : 0;
	x->ds.busy_ns += (uint64_t)(t1 - t);
	/* the cost per record is over the drains that kept records: an empty poll (a high --rate over a
	 * quiet link, the pre-observation discard) costs a header read, not a record's */
	if (keep && got)
		x->ds.records_busy_ns += (uint64_t)(t1 - t);
	else
		x->ds.empty_drains++;
	if (got > x->ds.max_batch)
		x->ds.max_batch = got;
	/* records dropped since the last drain lie after everything drained so far in this segment */
	if (rplat_ring_drops(&x->ring) != x->drops_seen) {
		x->drops_seen = rplat_ring_drops(&x->ring);
		if (x->seg[x->nseg - 1].clean_end == UINT64_MAX)
			x->seg[x->nseg - 1].clean_end = x->seg_records;
	}
	x->t_last_drain = t1;
	return 0;
}

/* The application is alive while it is not a zombie (read from /proc/PID/stat: its state letter). */
static int app_alive(pid_t pid)
{
	char p[64], buf[512], *e;
	int fd;
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	e = strrchr(buf, ')'); /* "PID (comm) S ..." */
	return e && e[1] == ' ' && e[2] != 'Z' && e[2] != 'X';
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	nanosleep(&ts, NULL);
}

static void raw_mono(int64_t *raw, int64_t *mono)
{
	int64_t a = rplat_now_ns();

	*raw = rplat_now_raw_ns();
	*mono = a + (rplat_now_ns() - a) / 2;
}

/* ---- results ---- */

struct result {
	struct rplat_obs_msg *msg;
	size_t nmsg;
	struct rplat_obs_match_stats ms;
	struct rplat_clk_fit *fit; /* per segment */
	double err_max;            /* the largest err_ns over the segments used */
	struct rplat_hist rtt, stage[NSTAGES], truth_err, truth_stage_err;
	int has_truth;
	struct rplat_sim_opts truth;
	uint64_t sent, received, lost, errors;
	uint64_t trace_events, trace_lost;
	unsigned sizes[64];
	struct rplat_hist size_hist[64];
	int nsizes;
	int64_t max_rtt;          /* the slowest message in the rtt histogram: its round trip, */
	uint64_t max_seq;         /* its seq */
	int64_t max_at;           /* and its write, after the first message's (summary.max_time_s, as ping's) */
	/* rpmsg with the kernel's kprobes: host_to_remote split at the kick (write -> kick, kick -> ISR) and
	 * remote_to_host at the interrupt (send -> IRQ, IRQ -> read) */
	struct rplat_hist ksub[4];
	const char *kprobes, *kprobes_why;
	/* the trace analysis' events (sched, irq; --no-sched: none) */
	int sched;
	uint64_t sched_events, sched_lost, sched_located, tdrains, tdrain_ns;
	pid_t remote_pid;          /* the sim's probe process (found at the start: it ends with the application) */
};

static const char *const ksub_names[4] = { "write_to_kick", "kick_to_isr", "send_to_irq", "irq_to_read" };
static const char *const ksub_label[4] = { "  write -> kick (rproc_virtio_notify)", "  kick -> remote ISR",
					   "  send -> IRQ (rproc_vq_interrupt)", "  IRQ -> application read returns" };

static double truth_mono(const struct obs *x, const struct result *r, uint64_t ticks)
{
	double raw = rplat_sim_raw_at(&r->truth, ticks);
	double span = (double)(x->raw1 - x->raw0);
	double k = span > 0 ? (double)(x->mono1 - x->mono0) / span : 1.0;

	return (double)x->mono0 + (raw - (double)x->raw0) * k;
}

static int size_index(struct result *r, unsigned size)
{
	int i;

	for (i = 0; i < r->nsizes; i++)
		if (r->sizes[i] == size)
			return i;
	if (r->nsizes == 64)
		return -1;
	r->sizes[r->nsizes] = size;
	rplat_hist_init(&r->size_hist[r->nsizes]);
	return r->nsizes++;
}

/* Stages of one message: st[] in ns, returns 1 when all four are known. Times are mapped and rounded
 * first, then subtracted, so that the four add up to the round trip exactly. */
static int stages(const struct result *r, const struct rplat_obs_msg *m, double st[NSTAGES])
{
	const struct rplat_clk_fit *f = &r->fit[m->seg];
	uint64_t r_kick;
	double mk, mr;

	if (!m->has_read || !m->has_rx || !m->has_send || !f->valid || m->mismatch)
		return 0;
	r_kick = m->has_isr ? m->r_isr : m->r_rx;
	mk = rplat_clk_map(f, r_kick);
	mr = rplat_clk_map(f, m->r_send);
	st[0] = mk - (double)m->t_write;
	st[1] = rplat_clk_ticks_to_ns(f, (int64_t)(m->r_rx - r_kick));
	st[2] = rplat_clk_ticks_to_ns(f, (int64_t)(m->r_send - m->r_rx));
	st[3] = (double)m->t_read - mr;
	return 1;
}

/* The clock fit of segment s from its matched messages (write before the ISR, SEND before the read). */
static void fit_seg(const struct obs *x, struct result *r, size_t s, struct rplat_clk *clk)
{
	size_t i;

	rplat_clk_init(clk, (double)x->ring.counter_hz);
	for (i = 0; i < r->nmsg; i++) {
		const struct rplat_obs_msg *m = &r->msg[i];
		struct rplat_clk_sample cs;

		if (m->seg != s || !m->has_read || !m->has_rx || !m->has_send)
			continue;
		cs.host_send = m->t_write;
		cs.host_recv = m->t_read;
		cs.r_kick = m->has_isr ? m->r_isr : m->r_rx;
		cs.r_reply = m->r_send;
		rplat_clk_add(clk, &cs);
	}
	rplat_clk_fit(clk, &r->fit[s]);
}

/* The kernel's kick for message m: the first KICK in [write, read] (it is made in the writing thread, within
 * its write()); the interrupt that delivered the reply: the last IRQ in [write, read]. Both host times, so
 * write -> kick and IRQ -> read are exact; kick -> ISR and send -> IRQ carry the clock's error. */
static void kernel_split(struct result *r, const struct rplat_obs_hostev *hev, size_t nh, struct rplat_obs_msg *m,
			 const double st[NSTAGES])
{
	size_t lo = 0, hi = nh, i;
	int64_t kick = -1, irq = -1;

	if (!r->kprobes || !r->kprobes[0])
		return;
	while (lo < hi) { /* the first event at or after the write */
		size_t mid = lo + (hi - lo) / 2;

		if (hev[mid].t < m->t_write)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < nh && hev[i].t <= m->t_read; i++) {
		if (hev[i].type == RPLAT_OBS_KICK && kick < 0)
			kick = hev[i].t;
		else if (hev[i].type == RPLAT_OBS_IRQ)
			irq = hev[i].t;
	}
	m->has_kick = kick >= 0;
	m->t_kick = kick;
	m->has_irq = irq >= 0;
	m->t_irq = irq;
	if (kick >= 0) {
		m->kick_to_isr = llround(st[0] - (double)(kick - m->t_write));
		rplat_hist_add_signed(&r->ksub[0], kick - m->t_write);
		rplat_hist_add_signed(&r->ksub[1], m->kick_to_isr);
	}
	if (irq >= 0) {
		m->send_to_irq = llround(st[3] - (double)(m->t_read - irq));
		rplat_hist_add_signed(&r->ksub[2], m->send_to_irq);
		rplat_hist_add_signed(&r->ksub[3], m->t_read - irq);
	}
}

static int analyse(struct obs *x, struct result *r, struct rplat_obs_hostev *hev, size_t nh, char *err,
		   size_t errlen)
{
	struct rplat_clk *clk;
	size_t i, s;

	if (rplat_obs_match(hev, nh, x->rec, x->nrec, x->seg, x->nseg, &r->msg, &r->nmsg, &r->ms))
		return rplat_fail(err, errlen, "out of memory matching");
	for (i = 0; i < 4; i++)
		rplat_hist_init(&r->ksub[i]);
	r->fit = calloc(x->nseg, sizeof(*r->fit));
	clk = malloc(sizeof(*clk));
	if (!r->fit || !clk) {
		free(clk);
		return rplat_fail(err, errlen, "out of memory");
	}
	/* segment 0 by order (its clean part), then everything else by time, each segment with the fit of
	 * the one before until its own matches give it one */
	fit_seg(x, r, 0, clk);
	for (s = 0; s < x->nseg; s++) {
		const struct rplat_clk_fit *prev = NULL;
		double carried;
		size_t p;

		for (p = s + 1; p-- > 0;)
			if (r->fit[p].valid && (p < s || x->seg[s].clean_end != UINT64_MAX)) {
				prev = &r->fit[p];
				break;
			}
		if (s == 0 && x->seg[0].clean_end == UINT64_MAX)
			continue;
		if (!prev)
			continue;
		/* prev was made from other records (an earlier segment, this one's clean part): over this
		 * segment's stamps it is known only as well as rplat_clk_err_at() says there */
		carried = rplat_obs_seg_err(prev, x->rec, x->nrec, (uint32_t)s);
		if (rplat_obs_match_time(r->msg, r->nmsg, x->rec, x->nrec, (uint32_t)s, prev, carried + 2000,
					 &r->ms)) {
			free(clk);
			return rplat_fail(err, errlen, "out of memory matching");
		}
		fit_seg(x, r, s, clk);
		if (!r->fit[s].valid) {
			r->fit[s] = *prev;
			r->fit[s].err_ns = carried;
		}
	}
	for (s = 0; s < x->nseg; s++)
		if (r->fit[s].valid && r->fit[s].err_ns > r->err_max)
			r->err_max = r->fit[s].err_ns;
	free(clk);
	rplat_hist_init(&r->rtt);
	rplat_hist_init(&r->truth_err);
	rplat_hist_init(&r->truth_stage_err);
	for (i = 0; i < NSTAGES; i++)
		rplat_hist_init(&r->stage[i]);
	for (i = 0; i < r->nmsg; i++) {
		struct rplat_obs_msg *m = &r->msg[i];
		double st[NSTAGES];
		int si;

		r->sent++;
		if (!m->has_read) {
			if (m->has_rx && m->has_send) {
				/* answered, but when the application took the reply is unknown */
				r->ms.reply_unseen++;
				r->errors++;
				m->mismatch = 1;
			} else {
				r->lost++;
			}
			continue;
		}
		r->received++;
		if (stages(r, m, st)) {
			double e = r->fit[m->seg].err_ns;

			/* causality: the firmware cannot see a message before it was written, nor answer after it
			 * was read; beyond the clock's bound that is a wrong match, and it is said */
			if (st[0] < -e - 1000 || st[3] < -e - 1000) {
				r->errors++;
				r->received--;
				m->mismatch = 1; /* written as an error line, without stages */
				continue;
			}
		}
		rplat_hist_add_signed(&r->rtt, m->t_read - m->t_write);
		if (r->rtt.count == 1 || m->t_read - m->t_write > r->max_rtt) {
			r->max_rtt = m->t_read - m->t_write;
			r->max_seq = m->seq;
			r->max_at = m->t_write - r->msg[0].t_write;
		}
		si = size_index(r, m->size);
		if (si >= 0)
			rplat_hist_add_signed(&r->size_hist[si], m->t_read - m->t_write);
		if (stages(r, m, st)) {
			int k;

			for (k = 0; k < NSTAGES; k++)
				rplat_hist_add_signed(&r->stage[k], llround(st[k]));
			kernel_split(r, hev, nh, m, st);
			if (r->has_truth) {
				uint64_t rk = m->has_isr ? m->r_isr : m->r_rx;
				const struct rplat_clk_fit *f = &r->fit[m->seg];
				double tk = truth_mono(x, r, rk), tr = truth_mono(x, r, m->r_send);
				double h2r_true = tk - (double)m->t_write, r2h_true = (double)m->t_read - tr;

				rplat_hist_add(&r->truth_err, (uint64_t)llround(fabs(rplat_clk_map(f, rk) - tk)));
				rplat_hist_add(&r->truth_err, (uint64_t)llround(fabs(rplat_clk_map(f, m->r_send) - tr)));
				rplat_hist_add(&r->truth_stage_err, (uint64_t)llround(fabs(st[0] - h2r_true)));
				rplat_hist_add(&r->truth_stage_err, (uint64_t)llround(fabs(st[3] - r2h_true)));
			}
		}
	}
	return 0;
}

static void put_num(FILE *f, double v, int valid)
{
	if (valid)
		fprintf(f, "\t%.0f", v);
	else
		fputs("\tnan", f);
}

static int write_samples(const char *dir, const struct result *r)
{
	struct rplat_runfile rf;
	size_t i;

	if (rplat_runfile_open(&rf, dir, "samples.tsv"))
		return -1;
	fputs("seq\tsize\tt_send\trtt\th2r\tdispatch\tproc\tr2h\tr_kick\tr_consume\tr_reply\tstatus\tboot"
	      "\tt_kick\tt_irq\twrite_to_kick\tkick_to_isr\tsend_to_irq\tirq_to_read\n", rf.f);
	for (i = 0; i < r->nmsg; i++) {
		const struct rplat_obs_msg *m = &r->msg[i];
		double st[NSTAGES] = { 0 };
		int have = m->has_read && stages(r, m, st);
		const char *status = m->mismatch ? "error" : !m->has_read ? "lost" : "ok";
		int k;

		fprintf(rf.f, "%llu\t%u\t%lld", (unsigned long long)m->seq, m->size, (long long)m->t_write);
		put_num(rf.f, (double)(m->t_read - m->t_write), m->has_read);
		for (k = 0; k < NSTAGES; k++)
			put_num(rf.f, st[k], have);
		put_num(rf.f, (double)(m->has_isr ? m->r_isr : m->r_rx), m->has_rx);
		put_num(rf.f, (double)m->r_rx, m->has_rx);
		put_num(rf.f, (double)m->r_send, m->has_rx && m->has_send);
		fprintf(rf.f, "\t%s\t%u", status, m->seg);
		/* the kernel's split of h2r at the kick and of r2h at the IRQ, as kernel_split() made it for
		 * observe.kernel's histograms */
		put_num(rf.f, (double)m->t_kick, m->has_kick);
		put_num(rf.f, (double)m->t_irq, m->has_irq);
		put_num(rf.f, (double)(m->t_kick - m->t_write), m->has_kick);
		put_num(rf.f, (double)m->kick_to_isr, m->has_kick);
		put_num(rf.f, (double)m->send_to_irq, m->has_irq);
		put_num(rf.f, (double)(m->t_read - m->t_irq), m->has_irq);
		fputc('\n', rf.f);
	}
	return rplat_runfile_commit(&rf);
}

static const char *const stage_label[NSTAGES] = {
	"application write -> remote ISR", "remote ISR -> RX callback", "RX callback -> remote send",
	"remote send -> application read returns",
};

static int write_json(const struct obs *x, const struct result *r, const char *dir, int ended_signal)
{
	const struct rplat_observe_opts *o = x->o;
	struct rplat_sysinfo si;
	struct rplat_runfile rf;
	struct rplat_jw jw;
	char t0[32], t1[32], label[256];
	const struct rplat_clk_fit *f0 = &r->fit[0];
	int i;
	size_t s;

	rplat_sysinfo_read(&si);
	if (rplat_runfile_open(&rf, dir, "run.json"))
		return -1;
	rplat_iso_time(x->wall0, t0, sizeof(t0));
	rplat_iso_time(x->wall1, t1, sizeof(t1));
	snprintf(label, sizeof(label), "%s %s %s observe", si.release, si.preempt,
		 x->t.is_rpmsg ? "rpmsg" : x->t.is_qemu ? "qemu" : "sim");
	rplat_jw_init(&jw, rf.f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_jw_str(&jw, "format", "rplat-run");
	rplat_jw_int(&jw, "format_version", 1);
	rplat_jw_str(&jw, "tool", "rplat " RPLAT_VERSION);
	rplat_jw_str(&jw, "kind", "ping"); /* a request/reply run: report, compare, budget and merge read it */
	rplat_jw_str(&jw, "label", o->label ? o->label : label);
	rplat_jw_str(&jw, "command", o->command ? o->command : "rplat observe");
	rplat_jw_str(&jw, "start_time", t0);
	rplat_jw_str(&jw, "end_time", t1);
	rplat_jw_double(&jw, "duration_s", (double)(x->t_end - x->t0) / 1e9);
	rplat_sysinfo_json(&si, &jw);
	rplat_jw_obj_begin(&jw, "link");
	rplat_jw_str(&jw, "spec", o->link);
	rplat_jw_str(&jw, "type", x->t.is_rpmsg ? "rpmsg" : x->t.is_qemu ? "qemu" : "sim");
	rplat_jw_str(&jw, "desc", x->t.shm_name);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "options");
	rplat_jw_double(&jw, "duration_s", (double)o->duration_ns / 1e9);
	rplat_jw_arr_begin(&jw, "sizes");
	for (i = 0; i < r->nsizes; i++)
		rplat_jw_uint(&jw, NULL, r->sizes[i]);
	for (s = 0; s < r->nmsg; s++)
		if (!r->msg[s].has_read || r->msg[s].mismatch) { /* lost and error lines have sizes too */
			int k, seen = 0;

			for (k = 0; k < r->nsizes; k++)
				seen |= r->sizes[k] == r->msg[s].size;
			if (!seen) { /* sizes of unanswered messages only (0: unknown) */
				rplat_jw_uint(&jw, NULL, r->msg[s].size);
				break;
			}
		}
	rplat_jw_arr_end(&jw);
	rplat_jw_double(&jw, "drain_rate_hz", o->rate_hz);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "load");
	rplat_jw_str(&jw, "profile", "none");
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "clock");
	{
		/* the first segment's fit is the one reported; a later segment (after a remote restart) that
		 * drew another line says so */
		const char *later = NULL;
		char m[768];

		for (s = 1; s < x->nseg; s++)
			if (r->fit[s].valid && strcmp(rplat_clk_method(&r->fit[s]), rplat_clk_method(f0)))
				later = rplat_clk_method(&r->fit[s]);
		snprintf(m, sizeof(m), "%s (from the observed messages: write before the ISR, send before the "
			 "read)%s%s", rplat_clk_method(f0), later ? "; a later segment: " : "", later ? later : "");
		rplat_jw_str(&jw, "method", m);
	}
	rplat_jw_bool(&jw, "valid", f0->valid);
	rplat_jw_double(&jw, "nominal_hz", (double)x->ring.counter_hz);
	if (f0->valid) {
		rplat_jw_double(&jw, "est_hz", f0->hz_est);
		rplat_jw_double(&jw, "drift_ppm", f0->drift_ppm);
		rplat_jw_double(&jw, "err_bound_ns", r->err_max);
		rplat_jw_uint(&jw, "windows", f0->windows);
		rplat_jw_uint(&jw, "ref_ticks", f0->r0);
		rplat_jw_double(&jw, "ref_host_ns", f0->h0);
		rplat_jw_double(&jw, "ns_per_tick", f0->ns_per_tick);
	}
	if (r->truth_err.count) {
		rplat_jw_obj_begin(&jw, "sim_truth");
		rplat_jw_uint(&jw, "p50_ns", rplat_hist_percentile(&r->truth_err, 50));
		rplat_jw_uint(&jw, "p99_ns", rplat_hist_percentile(&r->truth_err, 99));
		rplat_jw_uint(&jw, "max_ns", r->truth_err.max);
		rplat_jw_uint(&jw, "stage_max_ns", r->truth_stage_err.max);
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "counts");
	rplat_jw_uint(&jw, "sent", r->sent);
	rplat_jw_uint(&jw, "received", r->received);
	rplat_jw_uint(&jw, "lost", r->lost);
	rplat_jw_uint(&jw, "late", 0);
	rplat_jw_uint(&jw, "duplicate", 0);
	rplat_jw_uint(&jw, "out_of_order", 0);
	rplat_jw_uint(&jw, "corrupt", 0);
	rplat_jw_uint(&jw, "error", r->errors);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "summary");
	rplat_stats_json(&jw, "rtt", &r->rtt, -1);
	rplat_jw_uint(&jw, "max_seq", r->max_seq);
	rplat_jw_double(&jw, "max_time_s", (double)r->max_at / 1e9);
	rplat_jw_obj_begin(&jw, "stages");
	for (i = 0; i < NSTAGES; i++)
		rplat_stats_json(&jw, rplat_stage_names[i], &r->stage[i], (i == 0 || i == 3) && f0->valid ? r->err_max : -1);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "per_size");
	for (i = 0; i < r->nsizes; i++) {
		char k[16];

		snprintf(k, sizeof(k), "%u", r->sizes[i]);
		rplat_stats_json(&jw, k, &r->size_hist[i], -1);
	}
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	/* what is particular to an observation */
	rplat_jw_obj_begin(&jw, "observe");
	rplat_jw_int(&jw, "app_pid", o->pid);
	rplat_jw_arr_begin(&jw, "stage_meaning");
	for (i = 0; i < NSTAGES; i++)
		rplat_jw_str(&jw, NULL, stage_label[i]);
	rplat_jw_arr_end(&jw);
	rplat_jw_str(&jw, "host_write", x->t.is_rpmsg ? "write() of the message on the application's /dev/rpmsgN" :
			 x->t.is_qemu ? "send() of the qemu link's doorbell byte (the message is "
			 "posted in shared memory just before)" : "write() of the sim link's host->remote doorbell eventfd "
			 "(the message is posted in shared memory just before)");
	rplat_jw_str(&jw, "host_read", x->t.is_rpmsg ? "return of read() of a message on its /dev/rpmsgN" :
			 o->read_probe ? "return of the application's rplat_link_recv() with a message "
			 "(uretprobe)" : x->t.is_qemu ? "return of recv() of the firmware's doorbell byte" :
			 "return of read() of the remote->host doorbell eventfd");
	rplat_jw_obj_begin(&jw, "ring");
	rplat_jw_uint(&jw, "da", x->ring_da);
	rplat_jw_uint(&jw, "len", x->ring_len);
	rplat_jw_uint(&jw, "nrec", x->ring.nrec);
	rplat_jw_uint(&jw, "counter_hz", x->ring.counter_hz);
	rplat_jw_uint(&jw, "records", x->nrec);
	rplat_jw_uint(&jw, "pre_observation", x->ds.pre_observation);
	rplat_jw_uint(&jw, "drops", rplat_ring_drops(&x->ring));
	rplat_jw_uint(&jw, "restarts", x->ring.restarts);
	rplat_jw_arr_begin(&jw, "boot_ids");
	for (s = 0; s < x->nboot; s++)
		rplat_jw_uint(&jw, NULL, x->boot_ids[s]);
	rplat_jw_arr_end(&jw);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "drain");
	rplat_jw_double(&jw, "rate_hz", o->rate_hz);
	rplat_jw_uint(&jw, "drains", x->ds.drains);
	rplat_jw_uint(&jw, "max_batch", x->ds.max_batch);
	rplat_jw_uint(&jw, "busy_ns", x->ds.busy_ns);
	rplat_jw_uint(&jw, "empty_drains", x->ds.empty_drains);
	rplat_jw_uint(&jw, "records_busy_ns", x->ds.records_busy_ns);
	rplat_jw_double(&jw, "ns_per_record",
			x->ds.records ? (double)x->ds.records_busy_ns / (double)x->ds.records : 0);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_begin(&jw, "trace");
	rplat_jw_uint(&jw, "events", r->trace_events);
	rplat_jw_uint(&jw, "lost", r->trace_lost);
	/* the scheduling and IRQ events for the analysis (trace/): how many, lost, and their reader's cost */
	rplat_jw_bool(&jw, "sched", r->sched);
	if (r->sched) {
		rplat_jw_uint(&jw, "analysis_events", r->sched_events);
		rplat_jw_uint(&jw, "analysis_lost", r->sched_lost);
		rplat_jw_uint(&jw, "analysis_lost_located", r->sched_located);
		rplat_jw_uint(&jw, "reads", r->tdrains);
		rplat_jw_uint(&jw, "read_busy_ns", r->tdrain_ns);
		rplat_jw_str(&jw, "analysis", "trace/analysis.json");
	}
	rplat_jw_obj_end(&jw);
	if (x->t.is_rpmsg) {
		/* the kernel's side (kprobes): where each host-side stage splits */
		rplat_jw_obj_begin(&jw, "kernel");
		rplat_jw_str(&jw, "kprobes", r->kprobes ? r->kprobes : "");
		if (r->kprobes_why)
			rplat_jw_str(&jw, "missing", r->kprobes_why);
		else
			rplat_jw_null(&jw, "missing");
		for (s = 0; s < 4; s++)
			rplat_stats_json(&jw, ksub_names[s], &r->ksub[s], (s == 1 || s == 2) && f0->valid ? r->err_max : -1);
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_obj_begin(&jw, "match");
	rplat_jw_uint(&jw, "remote_msgs", r->ms.remote_msgs);
	rplat_jw_uint(&jw, "remote_unmatched", r->ms.remote_unmatched);
	rplat_jw_uint(&jw, "sends_unmatched", r->ms.sends_unmatched);
	rplat_jw_uint(&jw, "after_drops", r->ms.after_drops);
	rplat_jw_uint(&jw, "restart_window", r->ms.restart_window);
	rplat_jw_uint(&jw, "no_isr", r->ms.no_isr);
	rplat_jw_uint(&jw, "len_mismatch", r->ms.len_mismatch);
	rplat_jw_uint(&jw, "by_time", r->ms.by_time);
	rplat_jw_uint(&jw, "time_unaligned", r->ms.time_unaligned);
	rplat_jw_uint(&jw, "reply_unseen", r->ms.reply_unseen);
	rplat_jw_uint(&jw, "contradicted", r->errors - r->ms.reply_unseen);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	rplat_jw_str(&jw, "ended_by", ended_signal ? "signal" : "completed");
	rplat_jw_int(&jw, "return_code", 0);
	rplat_jw_obj_end(&jw);
	if (rplat_jw_finish(&jw)) {
		rplat_runfile_abort(&rf);
		return -1;
	}
	return rplat_runfile_commit(&rf);
}

static int write_run(const struct obs *x, const struct result *r, const char *dir, int ended_signal, char *err,
		     size_t errlen)
{
	int i;

	if (rplat_run_mkdir(dir, err, errlen))
		return -1;
	if (write_samples(dir, r) || rplat_run_write_hist(dir, "rtt", &r->rtt))
		return rplat_fail(err, errlen, "%s: %s", dir, strerror(errno));
	for (i = 0; i < NSTAGES; i++)
		if (r->stage[i].count && rplat_run_write_hist(dir, rplat_stage_names[i], &r->stage[i]))
			return rplat_fail(err, errlen, "%s: %s", dir, strerror(errno));
	for (i = 0; i < r->nsizes; i++) {
		char name[32];

		snprintf(name, sizeof(name), "rtt@%u", r->sizes[i]);
		if (rplat_run_write_hist(dir, name, &r->size_hist[i]))
			return rplat_fail(err, errlen, "%s: %s", dir, strerror(errno));
	}
	if (write_json(x, r, dir, ended_signal))
		return rplat_fail(err, errlen, "%s/run.json: %s", dir, strerror(errno));
	return 0;
}

static void print_summary(const struct obs *x, const struct result *r, const char *dir)
{
	int i;

	printf("# rplat observe: pid %d on %s, ring %u records at da 0x%x (%llu Hz counter)\n", (int)x->o->pid,
	       x->t.shm_name, x->ring.nrec, x->ring_da, (unsigned long long)x->ring.counter_hz);
	printf("# messages: %llu written, %llu answered, %llu lost, %llu errors (unseen reply or contradicted); ring: %zu records, %llu drops, "
	       "%llu restarts\n", (unsigned long long)r->sent, (unsigned long long)r->received,
	       (unsigned long long)r->lost, (unsigned long long)r->errors, x->nrec,
	       (unsigned long long)rplat_ring_drops(&x->ring), (unsigned long long)x->ring.restarts);
	if (r->fit[0].valid)
		printf("# clock: %+.2f ppm, error bound %.0f ns\n", r->fit[0].drift_ppm, r->err_max);
	if (r->truth_err.count)
		printf("# clock vs the sim's truth: p50 %llu ns, max %llu ns (stages: max %llu ns)\n",
		       (unsigned long long)rplat_hist_percentile(&r->truth_err, 50),
		       (unsigned long long)r->truth_err.max, (unsigned long long)r->truth_stage_err.max);
	printf("# %-42s %10s %10s %10s %10s\n", "stage (us)", "count", "p50", "p99", "max");
	printf("  %-42s %10llu %10.2f %10.2f %10.2f\n", "round trip (application write -> read)",
	       (unsigned long long)r->rtt.count, rplat_hist_percentile(&r->rtt, 50) / 1e3,
	       rplat_hist_percentile(&r->rtt, 99) / 1e3, r->rtt.max / 1e3);
	for (i = 0; i < NSTAGES; i++) {
		printf("  %-42s %10llu %10.2f %10.2f %10.2f\n", stage_label[i], (unsigned long long)r->stage[i].count,
		       rplat_hist_percentile(&r->stage[i], 50) / 1e3, rplat_hist_percentile(&r->stage[i], 99) / 1e3,
		       r->stage[i].max / 1e3);
		for (int k = i == 0 ? 0 : i == 3 ? 2 : 4; k < (i == 0 ? 2 : i == 3 ? 4 : 0); k++)
			if (r->ksub[k].count)
				printf("  %-42s %10llu %10.2f %10.2f %10.2f\n", ksub_label[k],
				       (unsigned long long)r->ksub[k].count, rplat_hist_percentile(&r->ksub[k], 50) / 1e3,
				       rplat_hist_percentile(&r->ksub[k], 99) / 1e3, r->ksub[k].max / 1e3);
	}
	if (x->t.is_rpmsg && r->kprobes_why)
		printf("# kprobes: %s\n", r->kprobes_why);
	printf("# run: %s\n", dir);
}

/* The trace analysis of rplat trace (tracing/analyze.c), on the observed messages: RUN/trace holds the
 * events as rplat trace's capture does, with a "rplat seq=N" marker before each application write, and
 * rplat_analyze_run() reads it with samples.tsv (t_send the write, rtt to the read, h2r, dispatch and
 * proc from the firmware's records) and run.json (the clock's bound) as it reads a ping run's. */
/* The sim link's remote: the application's child process "rplat-sim-probe" (link_sim.c), 0 if none. */
static pid_t sim_probe_pid(pid_t app)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;

	while (d && !found && (de = readdir(d))) {
		char path[300], st[512], *p;
		int ppid;
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(st, sizeof(st), f) && strstr(st, "(rplat-sim-probe)") && (p = strrchr(st, ')')) &&
		    sscanf(p + 1, " %*c %d", &ppid) == 1 && ppid == app)
			found = (pid_t)atoi(de->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static int trace_analysis(struct rplat_obs_trace *tr, const struct result *r, const struct rplat_observe_opts *o,
			  const char *dir, struct rplat_ana_evidence *ev, char *err, size_t errlen)
{
	struct rplat_obs_marker *mk = malloc((r->nmsg ? r->nmsg : 1) * sizeof(*mk));
	struct rplat_ana_opts ao;
	char tdir[4200];
	size_t i;
	int rc;

	if (!mk)
		return rplat_fail(err, errlen, "out of memory");
	for (i = 0; i < r->nmsg; i++) {
		mk[i].t = r->msg[i].t_write;
		mk[i].seq = r->msg[i].seq;
	}
	snprintf(tdir, sizeof(tdir), "%s/trace", dir);
	rc = rplat_obs_trace_write(tr, tdir, mk, r->nmsg, r->remote_pid, err, errlen);
	free(mk);
	if (rc)
		return -1;
	rplat_ana_opts_init(&ao);
	ao.worst = o->worst;
	ao.threshold_ns = o->threshold_ns;
	if (rplat_analyze_run(dir, &ao, NULL, ev, err, errlen)) {
		char e2[512];

		snprintf(e2, sizeof(e2), "%s", err);
		return rplat_fail(err, errlen, "the trace analysis of %s failed (the run is written, without verdicts; "
				  "rplat trace analyze retries): %s", dir, e2);
	}
	return 0;
}

/* The analysis' verdicts on the slowest messages, as analysis.txt has them. */
static void print_verdicts(const char *dir)
{
	char path[4200], line[2048];
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace/analysis.txt", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	printf("# trace analysis (%s):\n", path);
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
}

int rplat_observe_run(const struct rplat_observe_opts *o, char *err, size_t errlen)
{
	struct obs x;
	struct result r;
	struct rplat_obs_trace *tr = NULL;
	struct rplat_obs_hostev *hev = NULL;
	struct sigaction sa, old_int, old_term;
	char dirbuf[64];
	const char *dir = o->out_dir;
	struct rplat_ana_evidence ana;
	size_t nh = 0;
	int rc = 3, want_qemu = !strcmp(o->link, "qemu"), want_rpmsg = !strcmp(o->link, "rpmsg"), ended_signal = 0;
	int64_t period = o->rate_hz > 0 ? (int64_t)(1e9 / o->rate_hz) : 0, next, tnext;

	memset(&x, 0, sizeof(x));
	memset(&r, 0, sizeof(r));
	x.o = o;
	x.t.shm_fd = -1;
	if (strcmp(o->link, "sim") && strcmp(o->link, "qemu") && strcmp(o->link, "rpmsg")) {
		rplat_fail(err, errlen, "--link: 'sim', 'qemu' or 'rpmsg' (the link the application uses), not '%s'",
			   o->link);
		return 2;
	}
	if (o->pid <= 0) {
		rplat_fail(err, errlen, "--pid: the application's process id is needed");
		return 2;
	}
	if (o->sim_truth) {
		struct rplat_kv kv;
		int i;

		rplat_sim_opts_init(&r.truth);
		if (rplat_kv_parse(&kv, o->sim_truth, err, errlen))
			return 2;
		for (i = 0; i < kv.n; i++)
			if (rplat_sim_opt(&r.truth, kv.key[i], kv.val[i], err, errlen))
				return 2;
		r.has_truth = 1;
	}
	if (!dir) {
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(dirbuf, sizeof(dirbuf), "rplat-observe-%Y%m%d-%H%M%S", &tm);
		dir = dirbuf;
	}
	x.t.da = o->da ? o->da : want_qemu ? QEMU_DA_DEFAULT : SIM_DA_DEFAULT;
	if (want_rpmsg ? find_target_rpmsg(o, &x.t, &x.ring_da, &x.ring_len, err, errlen) :
	    find_target(o->pid, want_qemu, &x.t, err, errlen) ||
	    find_ring(&x.t, &(uint32_t){ 0 }, &x.ring_len, &x.ring_da, err, errlen))
		goto out;
	if (rplat_ring_attach(&x.ring, x.t.shm + (x.ring_da - x.t.da), x.ring_len, err, errlen)) {
		char e2[512];

		snprintf(e2, sizeof(e2), "%s", err);
		rplat_fail(err, errlen, "the ring in %s is refused: %s", x.t.shm_name, e2);
		goto out;
	}
	if (new_seg(&x, 0, 0)) {
		rplat_fail(err, errlen, "out of memory");
		goto out;
	}
	/* rpmsg_char: one write() is one message, one read() one message, their lengths the message's */
	tr = rplat_obs_trace_create(o->pid, x.t.fd_tx, x.t.fd_rx, x.t.is_rpmsg, x.t.is_qemu,
				    x.t.is_rpmsg ? 0 : o->read_probe, x.t.is_rpmsg, o->sched, err, errlen);
	r.sched = o->sched;
	if (r.sched && !x.t.is_rpmsg && !want_qemu)
		r.remote_pid = sim_probe_pid(o->pid);
	if (!tr)
		goto out;
	r.kprobes = rplat_obs_trace_kprobes(tr, &r.kprobes_why);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	g_stop = 0;
	x.wall0 = time(NULL);
	raw_mono(&x.raw0, &x.mono0);
	if (rplat_obs_trace_start(tr)) {
		rplat_fail(err, errlen, "tracefs: cannot turn tracing on");
		goto restore;
	}
	x.t0 = rplat_now_ns();
	/* what the ring holds from before the trace started cannot be matched: consume it unkept */
	if (drain_all(&x, 0, err, errlen))
		goto refused;
	if (!o->quiet) {
		/* from here on every message is seen: a script can start the application's traffic */
		printf("# rplat observe: tracing pid %d from now\n", (int)o->pid);
		fflush(stdout);
	}
	next = x.t0 + (period ? period : 10000000);
	tnext = x.t0 + TRACE_READ_NS;
	for (;;) {
		int64_t now = rplat_now_ns();

		if (r.sched && now >= tnext) {
			/* the buffers hold every CPU's scheduling: read them before they wrap */
			if (rplat_obs_trace_drain(tr)) {
				rplat_fail(err, errlen, "tracefs: reading the %s buffers failed (or out of memory)",
					   "rplat-observe");
				goto restore;
			}
			r.tdrains++;
			r.tdrain_ns += (uint64_t)(rplat_now_ns() - now);
			tnext = now + TRACE_READ_NS;
			continue;
		}

		if (g_stop) {
			ended_signal = 1;
			break;
		}
		if (!app_alive(o->pid) || (o->duration_ns && now - x.t0 >= o->duration_ns) ||
		    (o->count && x.rx_records >= o->count))
			break;
		if (now < next) {
			sleep_ns(next - now > 10000000 ? 10000000 : next - now);
			continue;
		}
		next += period ? period : 10000000;
		if (period && drain_all(&x, 1, err, errlen))
			goto refused;
	}
	rplat_obs_trace_off(tr);
	sleep_ns(GRACE_NS);
	if (drain_all(&x, 1, err, errlen))
		goto refused;
	x.t_end = rplat_now_ns();
	x.wall1 = time(NULL);
	raw_mono(&x.raw1, &x.mono1);
	if (rplat_obs_trace_collect(tr, &hev, &nh, &r.trace_lost, err, errlen))
		goto restore;
	r.trace_events = nh;
	if (r.sched)
		rplat_obs_trace_counts(tr, &r.sched_events, &r.sched_lost, &r.sched_located);
	if (analyse(&x, &r, hev, nh, err, errlen))
		goto restore;
	if (write_run(&x, &r, dir, ended_signal, err, errlen)) {
		rc = 2;
		goto restore;
	}
	if (r.sched && trace_analysis(tr, &r, o, dir, &ana, err, errlen)) {
		rc = 2;
		goto restore;
	}
	if (!o->quiet) {
		print_summary(&x, &r, dir);
		if (r.sched)
			print_verdicts(dir);
	}
	if (r.sched && !ana.complete) {
		char line[512];

		rplat_ana_evidence_text(&ana, line, sizeof(line));
		fprintf(stderr, "rplat observe: the trace analysis is incomplete: %s\n", line);
	}
	if (r.trace_lost)
		fprintf(stderr, "rplat observe: the kernel lost %llu trace events: some messages may be unmatched\n",
			(unsigned long long)r.trace_lost);
	rc = 0;
	goto restore;
refused:
	rplat_fail(err, errlen, "the ring in %s is refused (nothing written): %s", x.t.shm_name, x.refusal);
	rc = 3;
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	rplat_obs_trace_destroy(tr);
	free(r.msg);
	free(r.fit);
	free(x.rec);
	free(x.seg);
	if (x.t.map_base)
		munmap(x.t.map_base, x.t.map_len);
	else if (x.t.shm)
		munmap(x.t.shm, x.t.size);
	if (x.t.shm_fd >= 0)
		close(x.t.shm_fd);
	return rc;
}
