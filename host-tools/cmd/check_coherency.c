/* rplat check coherency: a runtime test of the shared buffers through the probe (COH_* messages,
 * rplat/wire/coh_proto.h).
 *
 * Each round has two phases:
 *   host -> probe  COH_HOLD stalls the probe, then COH_WRITEs go out back to back, one per TX buffer,
 *                  each with a pattern for its own sequence number at a varied offset and size, until
 *                  every TX buffer is in flight (one per slot was sent, or the driver has none left
 *                  even after the hold's own buffer had time to come back).
 *                  The probe checks every byte and answers COH_REPORT, naming the buffer (device
 *                  address) the write came in. Holding the probe matters: a driver that recycles TX
 *                  buffers last-in first-out (the sim's) would otherwise reuse one buffer for ever.
 *   probe -> host  COH_FILLs, one in flight at a time, one per RX buffer: the probe writes a pattern of
 *                  varied offset and size into a fresh RX buffer, tagged with that buffer's address; the
 *                  host checks every byte.
 * A slot is a buffer, named by its device address; the test counts the distinct ones each way against
 * the number a Linux-style driver allocates (min(vring num, 256) per direction).
 *
 * Exit, as for the other checks (rsc, dt, system): 0 clean, 2 mismatches found (an error: the shared
 * buffers do not hold what was written), 3 could not run: usage, link or probe error (lost replies, ERROR
 * replies, unparseable replies, a probe without the coherency feature). 1 (warnings) is not used. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "rp_coherency.h"
#include "rplat/json.h"
#include "rplat/link.h"
#include "rplat/runfile.h"
#include "rplat/util.h"
#include "rplat/wire/coh_proto.h"
#include "rplat/wire/rpmsg.h"

int check_coherency_main(int argc, char **argv);

#define MAX_SLOTS 256u        /* buffers per direction a Linux-style driver allocates at most */
#define MAX_EVIDENCE 10000u   /* evidence records kept; further mismatches are only counted */
#define HOLD_US_DEFAULT 50000u
#define TIMEOUT_NS_DEFAULT 2000000000ll

enum dir { H2P, P2H, NDIR };
static const char *const dir_name[NDIR] = { "h2p", "p2h" };
static const char *const dir_long[NDIR] = { "host_to_probe", "probe_to_host" };

struct coh_opts {
	const char *link;
	unsigned rounds;
	int json;
	const char *out;
	int64_t timeout_ns;
	uint32_t hold_us;
};

struct evidence {
	uint8_t dir;
	uint32_t seq;
	uint32_t slot_da;
	uint16_t desc;
	uint16_t len, off;
	struct rplat_coh_evidence ev;
};

struct pending {
	uint16_t len, off; /* COH_WRITE: its length and off; COH_FILL: the off and size asked for */
	uint8_t state;     /* 0 waiting, 1 answered */
};

struct slotset {
	uint32_t da[MAX_SLOTS * 2];
	uint32_t n;
};

struct coh_run {
	const struct coh_opts *o;
	struct rplat_link *link;
	struct rplat_info info;
	uint32_t nslots;
	uint32_t seq;
	struct pending pend[MAX_SLOTS + 1];
	uint32_t pend_base, pend_n, pend_left;
	struct slotset slots[NDIR];
	uint64_t writes, reports, fills, datas, holds, lost, errors, bad_replies, unexpected;
	uint64_t mism[NDIR], by_kind[RPLAT_COH_CORRUPT + 1];
	struct evidence *evs;
	size_t nev, cap_ev;
	int link_broken;
	char why[256];
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rplat check coherency --link SPEC [--rounds N] [--hold TIME] [--timeout TIME] [--json] [-o FILE]\n"
		"  Writes a pattern with its sequence number into every shared buffer slot, at varied offsets and\n"
		"  sizes, in both directions, and has the other side check every byte. Each mismatch is reported\n"
		"  with its evidence: slot (buffer device address), offset, expected and seen bytes, and the kind:\n"
		"  stale-line (whole 64-byte lines of older data), old-seq (a whole older message), torn (part of a\n"
		"  write missing), corrupt (anything else).\n"
		"  -L, --link SPEC    the link (sim[:OPTS], qemu:FW.elf, rpmsg:...; see rplat --help)\n"
		"  -r, --rounds N     rounds, each one pass over every slot in each direction (4)\n"
		"      --hold TIME    how long the probe is stalled while the host fills its TX buffers (50ms)\n"
		"      --timeout TIME wait for a reply at most this long (2s)\n"
		"      --json         JSON instead of text\n"
		"  -o FILE            write the report to FILE (complete or not at all) instead of stdout\n"
		"  exit (as for every rplat check): 0 clean, 2 mismatches found, 3 could not run (usage, link or\n"
		"  probe error)\n");
}

static int parse_args(struct coh_opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "link", required_argument, NULL, 'L' }, { "rounds", required_argument, NULL, 'r' },
		{ "hold", required_argument, NULL, 'H' }, { "timeout", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },       { "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int64_t ns;
	int c;

	memset(o, 0, sizeof(*o));
	o->rounds = 4;
	o->hold_us = HOLD_US_DEFAULT;
	o->timeout_ns = TIMEOUT_NS_DEFAULT;
	optind = 0;
	while ((c = getopt_long(argc, argv, "L:r:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'L':
			o->link = optarg;
			break;
		case 'r':
			if (rplat_parse_u64(optarg, &v) || v < 1 || v > 100000) {
				fprintf(stderr, "rplat check coherency: --rounds: '%s' is not 1..100000\n", optarg);
				return -1;
			}
			o->rounds = (unsigned)v;
			break;
		case 'H':
			if (rplat_parse_time_us(optarg, &ns) || ns < 1000 || ns > (int64_t)RPLAT_COH_HOLD_MAX_US * 1000) {
				fprintf(stderr, "rplat check coherency: --hold: '%s' is not a time in 1ms..1s\n", optarg);
				return -1;
			}
			o->hold_us = (uint32_t)(ns / 1000);
			break;
		case 'T':
			if (rplat_parse_time_us(optarg, &ns) || ns < 1000000 || ns > 60000000000ll) {
				fprintf(stderr, "rplat check coherency: --timeout: '%s' is not a time in 1ms..60s\n", optarg);
				return -1;
			}
			o->timeout_ns = ns;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	for (; optind < argc; optind++) {
		if (strcmp(argv[optind], "coherency")) {
			fprintf(stderr, "rplat check coherency: unexpected argument '%s'\n", argv[optind]);
			return -1;
		}
	}
	if (!o->link) {
		fprintf(stderr, "rplat check coherency: --link SPEC is required (e.g. --link sim)\n");
		usage(stderr);
		return -1;
	}
	return 0;
}

static void hdr_init(struct rplat_hdr *h, uint8_t type, uint16_t len, uint32_t seq)
{
	memset(h, 0, sizeof(*h));
	h->magic = RPLAT_MAGIC;
	h->version = RPLAT_PROTO_VERSION;
	h->type = type;
	h->len = len;
	h->seq = seq;
}

static int ask_info(struct coh_run *x)
{
	struct rplat_hdr req;
	uint8_t in[RPMSG_MAX_PAYLOAD];
	int64_t deadline = rplat_now_ns() + x->o->timeout_ns;

	hdr_init(&req, RPLAT_INFO_REQ, sizeof(req), 0xFFFFFFFFu);
	if (rplat_link_send(x->link, &req, sizeof(req))) {
		fprintf(stderr, "rplat check coherency: sending INFO request: %s\n", strerror(errno));
		return -1;
	}
	for (;;) {
		int64_t left = deadline - rplat_now_ns();
		ssize_t n = left > 0 ? rplat_link_recv(x->link, in, sizeof(in), left) : 0;
		struct rplat_info info;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "rplat check coherency: the probe did not answer INFO%s%s\n",
				n < 0 ? ": " : " in time", n < 0 ? strerror(errno) : "");
			return -1;
		}
		if ((size_t)n < sizeof(struct rplat_hdr))
			continue;
		memcpy(&info, in, (size_t)n < sizeof(info) ? (size_t)n : sizeof(info));
		if (info.hdr.magic != RPLAT_MAGIC)
			continue;
		if (info.hdr.type == RPLAT_ERROR && info.hdr.status == RPLAT_E_VERSION) {
			fprintf(stderr, "rplat check coherency: the probe does not speak protocol version %u\n",
				RPLAT_PROTO_VERSION);
			return -1;
		}
		if (info.hdr.type != RPLAT_INFO_RESP || (size_t)n < sizeof(info)) {
			fprintf(stderr, "rplat check coherency: malformed INFO reply (%zd bytes, type %u)\n", n,
				info.hdr.type);
			return -1;
		}
		x->info = info;
		x->info.target[RPLAT_TARGET_LEN - 1] = '\0';
		return 0;
	}
}

static void slot_add(struct slotset *s, uint32_t da)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		if (s->da[i] == da)
			return;
	if (s->n < sizeof(s->da) / sizeof(s->da[0]))
		s->da[s->n++] = da;
}

static void add_evidence(struct coh_run *x, enum dir d, uint32_t seq, uint32_t da, uint16_t desc, uint16_t len,
			 uint16_t off, const struct rplat_coh_evidence *ev)
{
	x->mism[d]++;
	x->by_kind[ev->kind <= RPLAT_COH_CORRUPT ? ev->kind : RPLAT_COH_CORRUPT]++;
	if (x->nev >= MAX_EVIDENCE)
		return;
	if (x->nev == x->cap_ev) {
		size_t cap = x->cap_ev ? x->cap_ev * 2 : 64;
		struct evidence *n = realloc(x->evs, cap * sizeof(*n));

		if (!n)
			return; /* counted above, only the detail is lost */
		x->evs = n;
		x->cap_ev = cap;
	}
	x->evs[x->nev].dir = (uint8_t)d;
	x->evs[x->nev].seq = seq;
	x->evs[x->nev].slot_da = da;
	x->evs[x->nev].desc = desc;
	x->evs[x->nev].len = len;
	x->evs[x->nev].off = off;
	x->evs[x->nev].ev = *ev;
	x->nev++;
}

static struct pending *pending_of(struct coh_run *x, uint32_t seq)
{
	uint32_t i = seq - x->pend_base;

	if (i >= x->pend_n || x->pend[i].state)
		return NULL;
	return &x->pend[i];
}

/* One message from the probe during a phase: match it to what is pending, check it, count it. */
static void take_reply(struct coh_run *x, const uint8_t *msg, uint32_t n)
{
	struct rplat_hdr h;
	struct pending *p;

	if (n < sizeof(h)) {
		x->bad_replies++;
		return;
	}
	memcpy(&h, msg, sizeof(h));
	if (h.magic == RPLAT_MAGIC && h.type == RPLAT_ERROR) {
		p = pending_of(x, h.seq);
		if (p) {
			p->state = 1;
			x->pend_left--;
		}
		x->errors++;
		if (!x->why[0])
			snprintf(x->why, sizeof(x->why), "the probe answered seq %" PRIu32 " with ERROR status %" PRIu32,
				 h.seq, h.status);
		return;
	}
	if (h.magic == RPLAT_MAGIC && h.type == RPLAT_COH_REPORT) {
		struct rplat_coh_report r;

		if (rp_coh_parse_report(msg, n, &r)) {
			x->bad_replies++;
			return;
		}
		p = pending_of(x, r.hdr.seq);
		if (!p || r.len != p->len || r.off != p->off) {
			x->unexpected++;
			return;
		}
		p->state = 1;
		x->pend_left--;
		x->reports++;
		slot_add(&x->slots[H2P], r.slot.rx_da);
		if (r.ev.kind != RPLAT_COH_CLEAN)
			add_evidence(x, H2P, r.hdr.seq, r.slot.rx_da, r.slot.rx_head, r.len, r.off, &r.ev);
		return;
	}
	if (h.magic == RPLAT_MAGIC && h.type == RPLAT_COH_DATA) {
		struct rplat_coh_data d;
		struct rplat_coh_evidence ev;

		if (rp_coh_parse_data(msg, n, &d)) {
			x->bad_replies++;
			return;
		}
		p = pending_of(x, d.hdr.seq);
		if (!p || d.off != p->off || d.size != p->len) {
			x->unexpected++;
			return;
		}
		p->state = 1;
		x->pend_left--;
		x->datas++;
		slot_add(&x->slots[P2H], d.slot.tx_da);
		rp_coh_check(msg, sizeof(d), d.off, n, d.hdr.seq, d.slot.tx_da + RPMSG_HDR_SIZE, &ev);
		if (ev.kind != RPLAT_COH_CLEAN)
			add_evidence(x, P2H, d.hdr.seq, d.slot.tx_da, d.slot.tx_head, (uint16_t)n, d.off, &ev);
		return;
	}
	x->bad_replies++;
}

/* Receive until nothing is pending or 'first_wait' (then the timeout) passes without a reply. */
static int collect(struct coh_run *x, int64_t first_wait)
{
	uint8_t in[RPMSG_MAX_PAYLOAD];
	int64_t wait = first_wait;

	while (x->pend_left) {
		ssize_t n = rplat_link_recv(x->link, in, sizeof(in), wait);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EBADMSG) {
			x->bad_replies++;
			continue;
		}
		if (n < 0) {
			snprintf(x->why, sizeof(x->why), "receiving: %s", strerror(errno));
			x->link_broken = 1;
			x->lost += x->pend_left;
			x->pend_left = 0;
			return -1;
		}
		if (n == 0) {
			x->lost += x->pend_left;
			if (!x->why[0])
				snprintf(x->why, sizeof(x->why), "%" PRIu32 " replies did not come within %.3f s",
					 x->pend_left, (double)wait / 1e9);
			x->pend_left = 0;
			return 0;
		}
		take_reply(x, in, (uint32_t)n);
		wait = x->o->timeout_ns;
	}
	return 0;
}

static void phase_begin(struct coh_run *x)
{
	x->pend_base = x->seq;
	x->pend_n = 0;
	x->pend_left = 0;
}

static int send_or_fail(struct coh_run *x, const void *msg, size_t len, const char *what)
{
	if (!rplat_link_send(x->link, msg, len))
		return 0;
	if (errno == ENOBUFS || errno == EAGAIN || errno == ETIMEDOUT)
		return 1;
	snprintf(x->why, sizeof(x->why), "sending %s: %s", what, strerror(errno));
	x->link_broken = 1;
	return -1;
}

/* host -> probe: hold the probe, then one COH_WRITE per TX buffer. 'j' varies offsets and sizes. */
static int phase_write(struct coh_run *x, uint32_t hold_us, uint32_t *j)
{
	struct rplat_coh_hold hold;
	uint8_t msg[RPLAT_PING_MAX];
	const uint32_t hdr = sizeof(struct rplat_coh_write);
	int64_t retry_until = rplat_now_ns() + (int64_t)hold_us * 250; /* a quarter of the hold */
	int r;

	hdr_init(&hold.hdr, RPLAT_COH_HOLD, sizeof(hold), x->seq++);
	hold.hold_us = hold_us;
	hold.reserved = 0;
	r = send_or_fail(x, &hold, sizeof(hold), "COH_HOLD");
	if (r < 0)
		return -1;
	x->holds++;
	phase_begin(x);
	while (x->pend_n < x->nslots) {
		struct rplat_coh_write w;
		uint32_t len = hdr + 1 + (*j * 53u + 7u) % (RPLAT_PING_MAX - hdr);   /* 25..496 */
		uint32_t off = hdr + (*j * 29u) % 72u;                              /* 24..95 */

		if (off > len)
			off = len;
		hdr_init(&w.hdr, RPLAT_COH_WRITE, (uint16_t)len, x->seq);
		w.off = (uint16_t)off;
		w.size = (uint16_t)(len - off);
		w.reserved = 0;
		memcpy(msg, &w, sizeof(w));
		rp_coh_fill(msg, hdr, off, len, x->seq);
		r = send_or_fail(x, msg, len, "COH_WRITE");
		/* Every TX buffer is in flight. The COH_HOLD's own buffer comes back as soon as the probe
		 * starts holding: wait a little for it, so that its slot carries a write too. */
		while (r > 0 && rplat_now_ns() < retry_until) {
			struct timespec ts = { 0, 100000 };

			nanosleep(&ts, NULL);
			r = send_or_fail(x, msg, len, "COH_WRITE");
		}
		if (r < 0)
			return -1;
		if (r > 0)
			break;
		x->pend[x->pend_n].len = (uint16_t)len;
		x->pend[x->pend_n].off = (uint16_t)off;
		x->pend[x->pend_n].state = 0;
		x->pend_n++;
		x->pend_left++;
		x->seq++;
		x->writes++;
		(*j)++;
	}
	return collect(x, (int64_t)hold_us * 1000 + x->o->timeout_ns);
}

/* probe -> host: one COH_FILL in flight at a time, one per RX buffer. */
static int phase_fill(struct coh_run *x, uint32_t *j)
{
	uint32_t k;

	for (k = 0; k < x->nslots; k++) {
		struct rplat_coh_fill f;
		uint32_t off = sizeof(struct rplat_coh_data) + (*j * 31u) % 72u;   /* 32..103 */
		uint32_t size = (*j * 61u + 11u) % (RPLAT_PING_MAX - off + 1);     /* 0..496-off */
		int r;

		phase_begin(x);
		hdr_init(&f.hdr, RPLAT_COH_FILL, sizeof(f), x->seq);
		f.off = (uint16_t)off;
		f.size = (uint16_t)size;
		f.reserved = 0;
		r = send_or_fail(x, &f, sizeof(f), "COH_FILL");
		if (r < 0)
			return -1;
		if (r > 0) {
			snprintf(x->why, sizeof(x->why), "no TX buffer came back for COH_FILL");
			x->link_broken = 1;
			return -1;
		}
		x->pend[0].len = (uint16_t)size;
		x->pend[0].off = (uint16_t)off;
		x->pend[0].state = 0;
		x->pend_n = 1;
		x->pend_left = 1;
		x->seq++;
		x->fills++;
		(*j)++;
		if (collect(x, x->o->timeout_ns))
			return -1;
	}
	return 0;
}

static void hex(char *buf, const uint8_t *b, unsigned n)
{
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", b[i]);
	if (!n)
		strcpy(buf, "-");
}

static uint64_t total_mism(const struct coh_run *x)
{
	return x->mism[H2P] + x->mism[P2H];
}

static int exit_code(const struct coh_run *x)
{
	if (total_mism(x))
		return 2;
	if (x->link_broken || x->lost || x->errors || x->bad_replies || x->unexpected)
		return 3;
	return 0;
}

static const char *verdict(const struct coh_run *x)
{
	switch (exit_code(x)) {
	case 0:
		return "clean";
	case 2:
		return "mismatch";
	default:
		return "error";
	}
}

static void fw_version(char *buf, size_t n, uint32_t v)
{
	snprintf(buf, n, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
}

static void print_text(FILE *f, const struct coh_run *x)
{
	char fw[32], e[2 * RPLAT_COH_SHOW + 1], s[2 * RPLAT_COH_SHOW + 1], old[16];
	size_t i;
	int k;

	fw_version(fw, sizeof(fw), x->info.fw_version);
	fprintf(f, "# rplat check coherency: link %s (%s)\n", x->o->link, x->link->desc);
	fprintf(f, "# probe: target %s, fw %s, vring num %u: %u buffers per direction; %u rounds, hold %u us\n",
		x->info.target, fw, x->info.vring_num, x->nslots, x->o->rounds, x->o->hold_us);
	fprintf(f, "# dir seq slot_da desc len off first nbad nlines line_da kind old_seq expected seen\n");
	for (i = 0; i < x->nev; i++) {
		const struct evidence *v = &x->evs[i];

		hex(e, v->ev.expected, v->ev.nshow);
		hex(s, v->ev.seen, v->ev.nshow);
		if (v->ev.flags & RPLAT_COH_EV_OLD_SEQ)
			snprintf(old, sizeof(old), "%" PRIu32, v->ev.old_seq);
		else
			snprintf(old, sizeof(old), "%s", v->ev.flags & RPLAT_COH_EV_ZERO ? "zero" : "-");
		fprintf(f, "%s %" PRIu32 " 0x%08" PRIx32 " %u %u %u %u %u %u 0x%08" PRIx32 " %s %s %s %s\n",
			dir_name[v->dir], v->seq, v->slot_da, v->desc, v->len, v->off, v->ev.first, v->ev.nbad,
			v->ev.nlines, v->ev.line_da, rp_coh_kind_name(v->ev.kind), old, e, s);
	}
	if (total_mism(x) > x->nev)
		fprintf(f, "# ... %" PRIu64 " more mismatches not listed\n", total_mism(x) - x->nev);
	fprintf(f, "# messages: %" PRIu64 " COH_WRITE -> %" PRIu64 " COH_REPORT, %" PRIu64 " COH_FILL -> %" PRIu64
		" COH_DATA, %" PRIu64 " COH_HOLD\n", x->writes, x->reports, x->fills, x->datas, x->holds);
	fprintf(f, "# problems: lost %" PRIu64 ", probe errors %" PRIu64 ", unparseable %" PRIu64 ", unexpected %" PRIu64
		"%s%s\n", x->lost, x->errors, x->bad_replies, x->unexpected, x->why[0] ? "; first: " : "", x->why);
	fprintf(f, "# slots covered: host->probe %u/%u (vring1 TX buffers), probe->host %u/%u (vring0 RX buffers)%s\n",
		x->slots[H2P].n, x->nslots, x->slots[P2H].n, x->nslots,
		x->slots[H2P].n >= x->nslots && x->slots[P2H].n >= x->nslots ? "" : "  INCOMPLETE");
	fprintf(f, "# mismatches: %" PRIu64 " (host->probe %" PRIu64 ", probe->host %" PRIu64 "):", total_mism(x),
		x->mism[H2P], x->mism[P2H]);
	for (k = RPLAT_COH_OLD_SEQ; k <= RPLAT_COH_CORRUPT; k++)
		fprintf(f, " %s %" PRIu64 "%s", rp_coh_kind_name((unsigned)k), x->by_kind[k],
			k < RPLAT_COH_CORRUPT ? "," : "");
	fprintf(f, "\n# verdict: %s\n", verdict(x));
}

static void print_json(FILE *f, const struct coh_run *x)
{
	struct rplat_jw w;
	char fw[32], e[2 * RPLAT_COH_SHOW + 1], s[2 * RPLAT_COH_SHOW + 1];
	size_t i;
	int k;

	fw_version(fw, sizeof(fw), x->info.fw_version);
	rplat_jw_init(&w, f);
	rplat_jw_obj_begin(&w, NULL);
	rplat_jw_str(&w, "format", "rplat-check-coherency");
	rplat_jw_int(&w, "format_version", 1);
	rplat_jw_str(&w, "tool", "rplat " RPLAT_VERSION);
	rplat_jw_obj_begin(&w, "link");
	rplat_jw_str(&w, "spec", x->o->link);
	rplat_jw_str(&w, "desc", x->link->desc);
	rplat_jw_obj_end(&w);
	rplat_jw_obj_begin(&w, "probe");
	rplat_jw_str(&w, "target", x->info.target);
	rplat_jw_str(&w, "fw_version", fw);
	rplat_jw_uint(&w, "vring_num", x->info.vring_num);
	rplat_jw_uint(&w, "features", x->info.features);
	rplat_jw_obj_end(&w);
	rplat_jw_obj_begin(&w, "options");
	rplat_jw_uint(&w, "rounds", x->o->rounds);
	rplat_jw_uint(&w, "hold_us", x->o->hold_us);
	rplat_jw_int(&w, "timeout_us", x->o->timeout_ns / 1000);
	rplat_jw_obj_end(&w);
	rplat_jw_obj_begin(&w, "counts");
	rplat_jw_uint(&w, "writes", x->writes);
	rplat_jw_uint(&w, "reports", x->reports);
	rplat_jw_uint(&w, "fills", x->fills);
	rplat_jw_uint(&w, "data", x->datas);
	rplat_jw_uint(&w, "holds", x->holds);
	rplat_jw_uint(&w, "lost", x->lost);
	rplat_jw_uint(&w, "probe_errors", x->errors);
	rplat_jw_uint(&w, "unparseable", x->bad_replies);
	rplat_jw_uint(&w, "unexpected", x->unexpected);
	rplat_jw_obj_end(&w);
	rplat_jw_obj_begin(&w, "slots");
	rplat_jw_uint(&w, "per_direction", x->nslots);
	rplat_jw_uint(&w, dir_long[H2P], x->slots[H2P].n);
	rplat_jw_uint(&w, dir_long[P2H], x->slots[P2H].n);
	rplat_jw_bool(&w, "complete", x->slots[H2P].n >= x->nslots && x->slots[P2H].n >= x->nslots);
	rplat_jw_obj_end(&w);
	rplat_jw_obj_begin(&w, "mismatches");
	rplat_jw_uint(&w, "total", total_mism(x));
	rplat_jw_uint(&w, dir_long[H2P], x->mism[H2P]);
	rplat_jw_uint(&w, dir_long[P2H], x->mism[P2H]);
	rplat_jw_obj_begin(&w, "by_kind");
	for (k = RPLAT_COH_OLD_SEQ; k <= RPLAT_COH_CORRUPT; k++)
		rplat_jw_uint(&w, rp_coh_kind_name((unsigned)k), x->by_kind[k]);
	rplat_jw_obj_end(&w);
	rplat_jw_uint(&w, "listed", x->nev);
	rplat_jw_obj_end(&w);
	rplat_jw_arr_begin(&w, "evidence");
	for (i = 0; i < x->nev; i++) {
		const struct evidence *v = &x->evs[i];

		hex(e, v->ev.expected, v->ev.nshow);
		hex(s, v->ev.seen, v->ev.nshow);
		rplat_jw_obj_begin(&w, NULL);
		rplat_jw_str(&w, "dir", dir_long[v->dir]);
		rplat_jw_uint(&w, "seq", v->seq);
		rplat_jw_uint(&w, "slot_da", v->slot_da);
		rplat_jw_uint(&w, "desc", v->desc);
		rplat_jw_uint(&w, "len", v->len);
		rplat_jw_uint(&w, "off", v->off);
		rplat_jw_uint(&w, "first", v->ev.first);
		rplat_jw_uint(&w, "last", v->ev.last);
		rplat_jw_uint(&w, "nbad", v->ev.nbad);
		rplat_jw_uint(&w, "nlines", v->ev.nlines);
		rplat_jw_uint(&w, "line_da", v->ev.line_da);
		rplat_jw_str(&w, "kind", rp_coh_kind_name(v->ev.kind));
		if (v->ev.flags & RPLAT_COH_EV_OLD_SEQ)
			rplat_jw_uint(&w, "old_seq", v->ev.old_seq);
		else
			rplat_jw_null(&w, "old_seq");
		rplat_jw_bool(&w, "zero", !!(v->ev.flags & RPLAT_COH_EV_ZERO));
		rplat_jw_str(&w, "expected", e);
		rplat_jw_str(&w, "seen", s);
		rplat_jw_obj_end(&w);
	}
	rplat_jw_arr_end(&w);
	rplat_jw_str(&w, "problem", x->why[0] ? x->why : NULL);
	rplat_jw_str(&w, "verdict", verdict(x));
	rplat_jw_int(&w, "return_code", exit_code(x));
	rplat_jw_obj_end(&w);
	rplat_jw_finish(&w);
}

/* Write the report to stdout, or to FILE through a temporary renamed when complete. */
static int write_report(const struct coh_run *x)
{
	struct rplat_runfile rf;
	char *d, *b, *dcopy, *bcopy;
	int r;

	if (!x->o->out) {
		if (x->o->json)
			print_json(stdout, x);
		else
			print_text(stdout, x);
		return fflush(stdout) ? -1 : 0;
	}
	dcopy = strdup(x->o->out);
	bcopy = strdup(x->o->out);
	if (!dcopy || !bcopy) {
		free(dcopy);
		free(bcopy);
		return -1;
	}
	d = dirname(dcopy);
	b = basename(bcopy);
	r = rplat_runfile_open(&rf, d, b);
	if (!r) {
		if (x->o->json)
			print_json(rf.f, x);
		else
			print_text(rf.f, x);
		r = rplat_runfile_commit(&rf);
	}
	if (r)
		fprintf(stderr, "rplat check coherency: writing %s: %s\n", x->o->out, strerror(errno));
	free(dcopy);
	free(bcopy);
	return r;
}

int check_coherency_main(int argc, char **argv)
{
	struct coh_opts o;
	struct coh_run *x;
	char err[512];
	uint32_t j = 0, hold;
	unsigned round;
	int r, rc = 3;

	r = parse_args(&o, argc, argv);
	if (r)
		return r > 0 ? 0 : 3;
	x = calloc(1, sizeof(*x));
	if (!x) {
		fprintf(stderr, "rplat check coherency: out of memory\n");
		return 3;
	}
	x->o = &o;
	x->link = rplat_link_open(o.link, err, sizeof(err));
	if (!x->link) {
		fprintf(stderr, "rplat check coherency: %s\n", err);
		goto out;
	}
	if (ask_info(x))
		goto out;
	if (!(x->info.features & RPLAT_FEAT_COHERENCY)) {
		char fw[32];

		fw_version(fw, sizeof(fw), x->info.fw_version);
		fprintf(stderr, "rplat check coherency: the probe on %s (target %s, fw %s) does not implement the "
			"coherency test: INFO features 0x%x lack RPLAT_FEAT_COHERENCY (0x%x); use a probe firmware "
			"built with rp_coherency\n", x->link->desc, x->info.target, fw, x->info.features,
			RPLAT_FEAT_COHERENCY);
		goto out;
	}
	if (x->info.vring_num == 0) {
		fprintf(stderr, "rplat check coherency: the probe reports vring num 0\n");
		goto out;
	}
	x->nslots = x->info.vring_num < MAX_SLOTS ? x->info.vring_num : MAX_SLOTS;
	x->seq = 1;
	hold = o.hold_us;
	for (round = 0; round < o.rounds && !x->link_broken; round++) {
		uint32_t covered = x->slots[H2P].n;

		if (phase_write(x, hold, &j) || phase_fill(x, &j))
			break;
		/* the probe finished its hold before the host had every TX buffer in flight: hold longer */
		if (covered < x->nslots && x->slots[H2P].n < x->nslots && hold < RPLAT_COH_HOLD_MAX_US / 2)
			hold *= 2;
	}
	if (write_report(x))
		goto out;
	rc = exit_code(x);
	if (x->link_broken)
		fprintf(stderr, "rplat check coherency: %s\n", x->why);
out:
	rplat_link_close(x->link);
	free(x->evs);
	free(x);
	return rc;
}
