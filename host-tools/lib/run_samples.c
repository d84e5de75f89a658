/* samples.tsv: a streaming reader that checks every line, and the pass that checks the whole file against
 * run.json and the histograms. See rplat/run.h.
 *
 * What a line must be (a ping run's; a stream run's below):
 * - as many tab-separated fields as the header has columns, no CR (a CRLF file), NUL or other control byte;
 * - seq a non-negative integer, increasing within each source run ("run" column; one run unless merged),
 *   "run" never going back;
 * - size one of run.json's options.sizes (40..496 when the run lists none);
 * - t_send an integer that never goes back within a source run;
 * - ok and late: an integer rtt from 0 up to the run's length; lost: no rtt and no stages; the four stages,
 *   when all are there, add up to rtt (within 4 ns of rounding); observe's kernel split, where its columns
 *   are, write_to_kick + kick_to_isr is h2r and send_to_irq + irq_to_read is r2h (within 2 ns), the two host
 *   intervals (write_to_kick, irq_to_read) are not negative, and a pair is either both there or both nan.
 * rplat <= 0.1.0 wrote a late reply twice, a "lost" line and later a "late" line for the same seq (at most
 * LEGACY_WINDOW messages later: ping.c's sequence ring). The reader joins such a pair into one late message,
 * in the lost line's place, so every consumer sees one line per message in seq order with its final status.
 * Any other repeated seq is an error naming both lines.
 *
 * A stream run's line: seq increasing over ok and lost lines, dup and ooo lines at or below the highest seq
 * seen; t_recv (ok, dup, ooo) never going back, lost lines without values; interarrival on an ok line is its
 * t_recv minus the previous ok line's, exactly.
 *
 * At the end of the file the census (messages by status) must match run.json's counts. The verify pass of
 * rplat_run_load() also rebuilds every histogram from the lines and compares it with hist/NAME.hist: bucket
 * for bucket for the round trip and the interarrival (integers in both), and within the 1 ns by which
 * "%.0f" and llround() may round a correlated stage differently for the others. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/run.h"
#include "rplat/util.h"

#define SBUF (1 << 20)
#define MAXCOLS 32
#define LEGACY_WINDOW 4096 /* ping.c's SEQ_RING: a late reply older than this was never accepted */
#define QCAP 8192
#define STAGE_SLACK_NS 4   /* four stages, each rounded to the ns */

enum col { C_SEQ, C_SIZE, C_TSEND, C_RTT, C_H2R, C_DISPATCH, C_PROC, C_R2H, C_STATUS, C_RUN, C_TRECV,
	   C_ONEWAY, C_IRQ, C_ISR2SEND, C_INTERARR, C_W2K, C_K2I, C_S2I, C_I2R, C_NCOLS, C_SKIP };
static const char *const col_names[C_NCOLS] = { "seq", "size", "t_send", "rtt", "h2r", "dispatch",
						"proc", "r2h", "status", "run", "t_recv", "one_way",
						"irq_latency", "isr_to_send", "interarrival", "write_to_kick",
						"kick_to_isr", "send_to_irq", "irq_to_read" };

/* A parsed line waiting to be handed out (the queue keeps seq order while a lost line may still get its
 * legacy late line). */
struct qent {
	struct rplat_sample sm;
	char *raw;
	size_t rawlen, rawcap;
};

struct verify;

struct rplat_samples {
	int fd;
	char path[PATH_MAX];
	char *buf;
	size_t len, pos;
	int eof;                         /* read() returned 0 */
	int lines_done;                  /* every line read (the queue may still hold some) */
	uint64_t line;
	uint64_t done, total;
	int ncols;
	char *colname[MAXCOLS];
	int stream;                      /* a stream run's samples */
	enum col map[MAXCOLS];
	int have[C_NCOLS];
	const struct rplat_run *run;
	/* what run.json allows */
	unsigned sizes[64];
	int nsizes;
	int64_t max_rtt;                 /* ns: no round trip is longer than the run */
	/* order: the last line read (not a joined legacy late line) */
	int have_last;
	int last_run;
	uint64_t last_seq, last_line;
	int64_t last_t;                  /* ping: t_send; stream: t_recv of the last received line */
	int64_t last_ok_recv;            /* stream: t_recv of the last ok line, or RPLAT_NA */
	uint64_t max_seq;                /* stream: the highest ok/lost seq */
	int have_max_seq;
	/* the queue */
	struct qent *q;
	size_t qhead, qlen;
	struct qent out;                 /* the sample handed out last (its raw line) */
	struct rplat_run_census census;
	struct verify *v;                /* the verify pass only */
	int finished;                    /* the end was reached and checked */
};

/* ---------------------------------------------------------------- buffer and lines */

void rplat_samples_close(struct rplat_samples *s)
{
	size_t i;

	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	for (i = 0; s->q && i < QCAP; i++)
		free(s->q[i].raw);
	free(s->q);
	free(s->out.raw);
	for (i = 0; i < (size_t)s->ncols; i++)
		free(s->colname[i]);
	free(s->v);
	free(s);
}

/* Make sure a whole line is in the buffer from pos. Returns a pointer to its '\n' (or the end of the file,
 * where a final newline may be missing), or NULL at the end. */
static char *next_line(struct rplat_samples *s, int *truncated)
{
	char *nl;

	*truncated = 0;
	for (;;) {
		nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
		if (nl)
			return nl;
		if (s->eof) {
			if (s->pos == s->len)
				return NULL;
			*truncated = 1;
			s->buf[s->len] = '\n';
			return s->buf + s->len;
		}
		if (s->pos) {
			memmove(s->buf, s->buf + s->pos, s->len - s->pos);
			s->len -= s->pos;
			s->pos = 0;
		}
		if (s->len >= SBUF - 1)
			return NULL; /* a line longer than the buffer: reported by the caller */
		{
			ssize_t n = read(s->fd, s->buf + s->len, SBUF - 1 - s->len);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				return NULL;
			}
			if (n == 0)
				s->eof = 1;
			s->len += (size_t)n;
			s->done += (uint64_t)n;
		}
	}
}

/* A byte a text line must not hold: CR (a file converted to CRLF), NUL, other controls but the tab. */
static int check_bytes(const struct rplat_samples *s, const char *p, const char *e, char *err, size_t errlen)
{
	const char *c;

	for (c = p; c < e; c++) {
		unsigned char b = (unsigned char)*c;

		if (b >= 0x20 || b == '\t')
			continue;
		if (b == '\r')
			return rplat_fail(err, errlen,
					  "%s: line %llu: carriage return at byte %zu (CRLF line endings: the file was "
					  "converted, e.g. by a Windows tool; rplat writes LF only)",
					  s->path, (unsigned long long)s->line, (size_t)(c - p) + 1);
		if (b == 0)
			return rplat_fail(err, errlen, "%s: line %llu: NUL byte at byte %zu (a damaged file?)", s->path,
					  (unsigned long long)s->line, (size_t)(c - p) + 1);
		return rplat_fail(err, errlen, "%s: line %llu: control character 0x%02x at byte %zu (not a text file?)",
				  s->path, (unsigned long long)s->line, b, (size_t)(c - p) + 1);
	}
	return 0;
}

/* ---------------------------------------------------------------- open */

static void allowed_from_run(struct rplat_samples *s, const struct rplat_run *r)
{
	const struct rplat_json *sz = rplat_json_get(r->meta, "options.sizes");
	double dur = rplat_run_num(r, "duration_s", -1), to = rplat_run_num(r, "options.timeout_us", -1);
	size_t i;

	for (i = 0; sz && sz->type == RPLAT_JSON_ARR && i < sz->n && s->nsizes < 64; i++) {
		int64_t v;

		if (!rplat_json_i64(&sz->child[i], &v) && v > 0 && v <= 65535)
			s->sizes[s->nsizes++] = (unsigned)v;
	}
	/* a late reply arrives at most by the end of the run (plus the last reply's grace); 2 s of margin */
	if (dur >= 0 && dur < 1e7)
		s->max_rtt = (int64_t)(dur * 1e9) + (to > 0 && to < 1e12 ? (int64_t)(to * 1e3) : 0) + 2000000000;
	else
		s->max_rtt = (int64_t)RPLAT_HIST_MAX_NS;
}

static int samples_open(const struct rplat_run *r, struct rplat_samples **out, char *err, size_t errlen);

int rplat_samples_open(const struct rplat_run *r, struct rplat_samples **out, char *err, size_t errlen)
{
	return samples_open(r, out, err, errlen);
}

static int open_fail(struct rplat_samples *s, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int open_fail(struct rplat_samples *s, char *err, size_t errlen, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rplat_fail(err, errlen, "%s: %s", s->path, msg);
	rplat_samples_close(s);
	return -1;
}

static int samples_open(const struct rplat_run *r, struct rplat_samples **out, char *err, size_t errlen)
{
	struct rplat_samples *s;
	struct stat st;
	char *nl, *p;
	int tr, i;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return rplat_fail(err, errlen, "out of memory");
	s->fd = -1;
	s->stream = r->is_stream;
	s->run = r;
	s->last_ok_recv = RPLAT_NA;
	snprintf(s->path, sizeof(s->path), "%s/samples.tsv", r->dir);
	allowed_from_run(s, r);
	s->buf = malloc(SBUF + 1);
	s->q = calloc(QCAP, sizeof(*s->q));
	if (!s->buf || !s->q) {
		rplat_samples_close(s);
		return rplat_fail(err, errlen, "out of memory");
	}
	s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return open_fail(s, err, errlen, "%s", strerror(errno));
	if (fstat(s->fd, &st))
		return open_fail(s, err, errlen, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return open_fail(s, err, errlen, "a directory, not a file");
	if (!S_ISREG(st.st_mode))
		return open_fail(s, err, errlen, "not a regular file");
	s->total = (uint64_t)st.st_size;
	if (!st.st_size)
		return open_fail(s, err, errlen, "empty file (0 bytes; not even the header line)");
	posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	nl = next_line(s, &tr);
	if (!nl) {
		if (!s->eof && s->len >= SBUF - 1)
			return open_fail(s, err, errlen, "line 1: longer than 1 MiB (not a samples file?)");
		return open_fail(s, err, errlen, "read error: %s", strerror(errno));
	}
	s->line = 1;
	if (check_bytes(s, s->buf + s->pos, nl, err, errlen)) {
		rplat_samples_close(s);
		return -1;
	}
	if (tr)
		return open_fail(s, err, errlen, "line 1: only a header line without its newline (a truncated file?)");
	*nl = 0;
	p = s->buf + s->pos;
	for (;;) {
		char *e = strchr(p, '\t');
		enum col c = C_SKIP;

		if (e)
			*e = 0;
		if (s->ncols == MAXCOLS)
			return open_fail(s, err, errlen, "line 1: more than %d columns", MAXCOLS);
		if (!*p)
			return open_fail(s, err, errlen, "line 1: column %d has no name (not an rplat samples file?)",
					 s->ncols + 1);
		for (i = 0; i < C_NCOLS; i++)
			if (!strcmp(p, col_names[i]))
				c = (enum col)i;
		for (i = 0; i < s->ncols; i++)
			if (!strcmp(s->colname[i], p))
				return open_fail(s, err, errlen, "line 1: column '%.40s' appears twice", p);
		if (c != C_SKIP)
			s->have[c] = 1;
		s->colname[s->ncols] = strdup(p);
		if (!s->colname[s->ncols]) {
			rplat_samples_close(s);
			return rplat_fail(err, errlen, "out of memory");
		}
		s->map[s->ncols++] = c;
		if (!e)
			break;
		p = e + 1;
	}
	{
		static const enum col req[] = { C_SEQ, C_SIZE, C_TSEND, C_RTT, C_STATUS };
		static const enum col sreq[] = { C_SEQ, C_TRECV, C_ONEWAY, C_STATUS };
		const enum col *rq = s->stream ? sreq : req;
		int nrq = s->stream ? 4 : 5;

		for (i = 0; i < nrq; i++)
			if (!s->have[rq[i]])
				return open_fail(s, err, errlen, "line 1: no '%s' column (not an rplat %ssamples file?)",
						 col_names[rq[i]], s->stream ? "stream " : "");
	}
	s->pos = (size_t)(nl - s->buf) + 1;
	*out = s;
	return 0;
}

int rplat_samples_ncols(const struct rplat_samples *s)
{
	return s->ncols;
}

const char *rplat_samples_colname(const struct rplat_samples *s, int i)
{
	return i >= 0 && i < s->ncols ? s->colname[i] : NULL;
}

const char *rplat_samples_raw(const struct rplat_samples *s, size_t *len)
{
	*len = s->out.rawlen;
	return s->out.raw ? s->out.raw : "";
}

void rplat_samples_progress(const struct rplat_samples *s, uint64_t *done, uint64_t *total)
{
	*done = s->done - (s->len - s->pos);
	*total = s->total;
}

/* ---------------------------------------------------------------- one line */

/* Parse a signed integer or "nan" in [p, e). Returns 0 or -1. */
static int parse_field(const char *p, const char *e, int64_t *v)
{
	int neg = 0;
	uint64_t x = 0;

	if (e - p == 3 && p[0] == 'n' && p[1] == 'a' && p[2] == 'n') {
		*v = RPLAT_NA;
		return 0;
	}
	if (p < e && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == e || e - p > 19)
		return -1;
	for (; p < e; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (d > 9)
			return -1;
		x = x * 10 + d;
	}
	if (x > (uint64_t)INT64_MAX)
		return -1;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return 0;
}

#define LFAIL(...) rplat_fail(err, errlen, __VA_ARGS__)
#define LN (unsigned long long)s->line

/* The fields of the line [p, nl) into sm. */
static int parse_line(struct rplat_samples *s, char *p, char *nl, struct rplat_sample *out, char *err, size_t errlen)
{
	int i, col = 0, have_status = 0;

	memset(out, 0, sizeof(*out));
	out->t_send = RPLAT_NA;
	out->rtt = RPLAT_NA;
	for (i = 0; i < RPLAT_NSTAGES; i++)
		out->stage[i] = RPLAT_NA;
	out->t_recv = RPLAT_NA;
	for (i = 0; i < RPLAT_NSTREAM_STAGES; i++)
		out->sstage[i] = RPLAT_NA;
	for (i = 0; i < 4; i++)
		out->ksplit[i] = RPLAT_NA;
	out->line = s->line;
	while (p <= nl) {
		char *e = p;
		enum col c;
		int64_t v;

		while (e < nl && *e != '\t')
			e++;
		if (col >= s->ncols)
			return LFAIL("%s: line %llu: more fields than the %d header columns", s->path, LN, s->ncols);
		c = s->map[col];
		if (c == C_STATUS) {
			size_t n = (size_t)(e - p);

			for (i = 0; i < RPLAT_RS_NSTATUS; i++)
				if (strlen(rplat_run_status_names[i]) == n && !memcmp(p, rplat_run_status_names[i], n))
					break;
			if (i == RPLAT_RS_NSTATUS)
				return LFAIL("%s: line %llu: unknown status '%.*s'", s->path, LN, (int)(n > 32 ? 32 : n), p);
			out->status = (enum rplat_run_status)i;
			have_status = 1;
		} else if (c != C_SKIP) {
			if (parse_field(p, e, &v))
				return LFAIL("%s: line %llu: column '%s': '%.*s' is not an integer or nan", s->path, LN,
					     col_names[c], (int)(e - p > 32 ? 32 : e - p), p);
			switch (c) {
			case C_SEQ:
			case C_SIZE:
			case C_RUN:
				if (v == RPLAT_NA || v < 0)
					return LFAIL("%s: line %llu: column '%s' must be a non-negative integer", s->path, LN,
						     col_names[c]);
				if (c == C_SEQ)
					out->seq = (uint64_t)v;
				else if (c == C_SIZE)
					out->size = v > 65535 ? 65536 : (unsigned)v;
				else if (v > INT32_MAX)
					return LFAIL("%s: line %llu: run %lld is not a source run index", s->path, LN,
						     (long long)v);
				else
					out->run = (int)v;
				break;
			case C_TSEND:
				out->t_send = v;
				break;
			case C_RTT:
				out->rtt = v;
				break;
			case C_TRECV:
				out->t_recv = v;
				break;
			case C_ONEWAY:
			case C_IRQ:
			case C_ISR2SEND:
			case C_INTERARR:
				out->sstage[c - C_ONEWAY] = v;
				break;
			case C_W2K:
			case C_K2I:
			case C_S2I:
			case C_I2R:
				out->ksplit[c - C_W2K] = v;
				break;
			default:
				out->stage[c - C_H2R] = v;
				break;
			}
		}
		col++;
		p = e + 1;
	}
	if (col != s->ncols)
		return LFAIL("%s: line %llu: %d fields, the header has %d (a truncated line?)", s->path, LN, col,
			     s->ncols);
	if (!have_status)
		return LFAIL("%s: line %llu: no status", s->path, LN);
	return 0;
}

/* observe's kernel split of h2r (at the kick) and r2h (at the interrupt), pair by pair. */
static int check_ksplit(struct rplat_samples *s, const struct rplat_sample *sm, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < 2; i++) {
		const int64_t *k = &sm->ksplit[2 * i], whole = sm->stage[i ? 3 : 0];
		const int64_t host = k[i]; /* write_to_kick, irq_to_read: host times, exact */
		const char *a = col_names[C_W2K + 2 * i], *b = col_names[C_W2K + 2 * i + 1], *w = i ? "r2h" : "h2r";

		if ((k[0] == RPLAT_NA) != (k[1] == RPLAT_NA))
			return LFAIL("%s: line %llu: %s and %s are one split of %s: both are there or neither", s->path,
				     LN, a, b, w);
		if (k[0] == RPLAT_NA)
			continue;
		if (whole == RPLAT_NA)
			return LFAIL("%s: line %llu: %s is split (%s, %s) but is itself nan", s->path, LN, w, a, b);
		if (host < 0)
			return LFAIL("%s: line %llu: %s %lld ns is negative (two host times of one message)", s->path, LN,
				     col_names[C_W2K + 3 * i], (long long)host);
		if (k[0] + k[1] - whole > 2 || whole - k[0] - k[1] > 2)
			return LFAIL("%s: line %llu: %s + %s is %lld ns, but %s is %lld ns", s->path, LN, a, b,
				     (long long)(k[0] + k[1]), w, (long long)whole);
	}
	return 0;
}

/* What a ping line's values must be, by status. */
static int check_ping(struct rplat_samples *s, const struct rplat_sample *sm, char *err, size_t errlen)
{
	const char *st = rplat_run_status_names[sm->status];
	int i, nst = 0;
	int64_t sum = 0;

	if (sm->size > 65535)
		return LFAIL("%s: line %llu: size larger than 65535 bytes is not a message size", s->path, LN);
	if (s->nsizes) {
		int ok = 0;

		for (i = 0; i < s->nsizes; i++)
			ok |= s->sizes[i] == sm->size;
		if (!ok) {
			char list[256] = "";
			size_t len = 0;

			for (i = 0; i < s->nsizes && len + 12 < sizeof(list); i++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%u", i ? ", " : "", s->sizes[i]);
			return LFAIL("%s: line %llu: size %u is not one of the run's message sizes (run.json "
				     "options.sizes: %s)", s->path, LN, sm->size, list);
		}
	} else if (sm->size < 40 || sm->size > 496) {
		return LFAIL("%s: line %llu: size %u is not a message size (40..496 bytes)", s->path, LN, sm->size);
	}
	if (sm->t_send == RPLAT_NA || sm->t_send < 0)
		return LFAIL("%s: line %llu: t_send must be a non-negative integer (ns), not %s", s->path, LN,
			     sm->t_send == RPLAT_NA ? "nan" : "negative");
	switch (sm->status) {
	case RPLAT_RS_OK:
	case RPLAT_RS_LATE:
		if (sm->rtt == RPLAT_NA)
			return LFAIL("%s: line %llu: an %s message without a round trip (rtt is nan)", s->path, LN, st);
		if (sm->rtt < 0)
			return LFAIL("%s: line %llu: rtt %lld ns is negative", s->path, LN, (long long)sm->rtt);
		if (sm->rtt > s->max_rtt)
			return LFAIL("%s: line %llu: rtt %lld ns is longer than the run itself (%.3f s)", s->path, LN,
				     (long long)sm->rtt, (double)s->max_rtt / 1e9);
		for (i = 0; i < RPLAT_NSTAGES; i++)
			if (sm->stage[i] != RPLAT_NA) {
				if (sm->stage[i] > s->max_rtt || sm->stage[i] < -s->max_rtt)
					return LFAIL("%s: line %llu: %s %lld ns is beyond any round trip of the run", s->path,
						     LN, col_names[C_H2R + i], (long long)sm->stage[i]);
				sum += sm->stage[i];
				nst++;
			}
		if (nst == RPLAT_NSTAGES && (sum - sm->rtt > STAGE_SLACK_NS || sm->rtt - sum > STAGE_SLACK_NS))
			return LFAIL("%s: line %llu: the stages add up to %lld ns, but rtt is %lld ns (h2r + dispatch + "
				     "proc + r2h is the round trip)", s->path, LN, (long long)sum, (long long)sm->rtt);
		return check_ksplit(s, sm, err, errlen);
	case RPLAT_RS_LOST:
		if (sm->rtt != RPLAT_NA)
			return LFAIL("%s: line %llu: a lost message with a round trip (rtt %lld; lost means no reply)",
				     s->path, LN, (long long)sm->rtt);
		for (i = 0; i < RPLAT_NSTAGES; i++)
			if (sm->stage[i] != RPLAT_NA)
				return LFAIL("%s: line %llu: a lost message with a %s stage", s->path, LN,
					     col_names[C_H2R + i]);
		for (i = 0; i < 4; i++)
			if (sm->ksplit[i] != RPLAT_NA)
				return LFAIL("%s: line %llu: a lost message with a %s stage", s->path, LN,
					     col_names[C_W2K + i]);
		break;
	default:
		if (sm->rtt != RPLAT_NA && (sm->rtt < 0 || sm->rtt > s->max_rtt))
			return LFAIL("%s: line %llu: rtt %lld ns of a %s message is out of range", s->path, LN,
				     (long long)sm->rtt, st);
		break;
	}
	return 0;
}

/* What a stream line's values must be, by status; its order against the earlier lines. */
static int check_stream(struct rplat_samples *s, const struct rplat_sample *sm, char *err, size_t errlen)
{
	const char *st = rplat_run_status_names[sm->status];
	int i;

	switch (sm->status) {
	case RPLAT_RS_OK:
	case RPLAT_RS_DUP:
	case RPLAT_RS_OOO:
		if (sm->t_recv == RPLAT_NA || sm->t_recv < 0)
			return LFAIL("%s: line %llu: a received (%s) message needs t_recv, a non-negative integer", s->path,
				     LN, st);
		if (s->have_last && s->last_t != RPLAT_NA && sm->t_recv < s->last_t)
			return LFAIL("%s: line %llu: t_recv goes back in time (%lld ns before line %llu's)", s->path, LN,
				     (long long)(s->last_t - sm->t_recv), (unsigned long long)s->last_line);
		for (i = 0; i < RPLAT_NSTREAM_STAGES; i++)
			if (sm->sstage[i] != RPLAT_NA && (sm->sstage[i] > (int64_t)RPLAT_HIST_MAX_NS ||
							  sm->sstage[i] < -(int64_t)RPLAT_HIST_MAX_NS))
				return LFAIL("%s: line %llu: %s %lld ns is out of range", s->path, LN, col_names[C_ONEWAY + i],
					     (long long)sm->sstage[i]);
		if (sm->status == RPLAT_RS_OK) {
			if (s->have_max_seq && sm->seq <= s->max_seq)
				return LFAIL("%s: line %llu: seq %llu is not after the highest so far (%llu): an ok message "
					     "comes once, in order", s->path, LN, (unsigned long long)sm->seq,
					     (unsigned long long)s->max_seq);
			if (s->have[C_INTERARR]) {
				int64_t want = s->last_ok_recv == RPLAT_NA ? RPLAT_NA : sm->t_recv - s->last_ok_recv;

				if (sm->sstage[3] != want)
					return LFAIL("%s: line %llu: interarrival %s, but the receive times say %s", s->path,
						     LN, sm->sstage[3] == RPLAT_NA ? "nan" : "a number",
						     want == RPLAT_NA ? "nan (the first message)" : "another value");
			}
			s->last_ok_recv = sm->t_recv;
			s->max_seq = sm->seq;
			s->have_max_seq = 1;
		} else if (!s->have_max_seq || sm->seq > s->max_seq) {
			return LFAIL("%s: line %llu: a %s message with seq %llu, after no message with that seq", s->path, LN,
				     st, (unsigned long long)sm->seq);
		}
		s->last_t = sm->t_recv;
		break;
	case RPLAT_RS_LOST:
	case RPLAT_RS_CORRUPT: /* a message that came garbled (its header whole): no values, in seq order */
		if (sm->t_recv != RPLAT_NA || sm->sstage[0] != RPLAT_NA || sm->sstage[3] != RPLAT_NA)
			return LFAIL("%s: line %llu: a %s message with a receive time or latency", s->path, LN, st);
		if (s->have_max_seq && sm->seq <= s->max_seq)
			return LFAIL("%s: line %llu: lost seq %llu is not after the highest so far (%llu)", s->path, LN,
				     (unsigned long long)sm->seq, (unsigned long long)s->max_seq);
		s->max_seq = sm->seq;
		s->have_max_seq = 1;
		break;
	case RPLAT_RS_WARMUP: /* --warm-up: in seq order like ok and lost lines, received or not, in no figure */
		if (s->have_max_seq && sm->seq <= s->max_seq)
			return LFAIL("%s: line %llu: warm-up seq %llu is not after the highest so far (%llu)", s->path, LN,
				     (unsigned long long)sm->seq, (unsigned long long)s->max_seq);
		if (sm->t_recv != RPLAT_NA) {
			if (sm->t_recv < 0 || (s->have_last && s->last_t != RPLAT_NA && sm->t_recv < s->last_t))
				return LFAIL("%s: line %llu: t_recv of a warm-up message out of order", s->path, LN);
			s->last_t = sm->t_recv;
		}
		s->max_seq = sm->seq;
		s->have_max_seq = 1;
		break;
	default:
		return LFAIL("%s: line %llu: status '%s' does not occur in a stream", s->path, LN, st);
	}
	s->have_last = 1;
	s->last_line = s->line;
	return 0;
}

/* ---------------------------------------------------------------- the queue (ping) */

static struct qent *qat(struct rplat_samples *s, size_t i)
{
	return &s->q[(s->qhead + i) % QCAP];
}

/* The queued message of source run 'run' with seq 'seq', or NULL (the queue is in (run, seq) order). */
static struct qent *qfind(struct rplat_samples *s, int run, uint64_t seq)
{
	size_t lo = 0, hi = s->qlen;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct rplat_sample *m = &qat(s, mid)->sm;

		if (m->run < run || (m->run == run && m->seq < seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->qlen && qat(s, lo)->sm.run == run && qat(s, lo)->sm.seq == seq)
		return qat(s, lo);
	return NULL;
}

static int copy_raw(struct qent *q, const char *p, size_t n)
{
	if (n + 1 > q->rawcap) {
		size_t cap = n + 1 > 256 ? n + 1 : 256;
		char *r = realloc(q->raw, cap);

		if (!r)
			return -1;
		q->raw = r;
		q->rawcap = cap;
	}
	memcpy(q->raw, p, n);
	q->raw[n] = 0;
	q->rawlen = n;
	return 0;
}

/* May the head of the queue go? A lost head waits for a legacy late line until LEGACY_WINDOW more messages
 * of its run were read, the run changed or the file ended. */
static int head_ready(struct rplat_samples *s)
{
	const struct rplat_sample *h = &qat(s, 0)->sm;

	if (h->status != RPLAT_RS_LOST || s->lines_done || s->stream || s->qlen >= QCAP)
		return 1;
	return s->last_run != h->run || s->last_seq >= h->seq + LEGACY_WINDOW;
}

/* ---------------------------------------------------------------- verification state */

/* A histogram rebuilt from the lines, with what a cross-check needs: the first line per bucket, and for a
 * rounded (correlated) figure the samples that 1 ns of rounding could move across each bucket boundary. */
struct vh {
	struct rplat_hist h;
	uint64_t first_line[RPLAT_HIST_NBUCKETS];
	uint64_t under_line;
	uint64_t slack[RPLAT_HIST_NBUCKETS + 1]; /* [k]: across the boundary below bucket k (0: underflow | 0) */
	int rounded;
};

struct verify {
	struct vh rtt, rtt_ok;           /* ok + late (the contract), ok only (rplat <= 0.1.0's histograms) */
	struct vh stage[RPLAT_NSTAGES];
	struct vh sstage[RPLAT_NSTREAM_STAGES];
	int nsizes;
	struct vh *size, *size_ok;       /* per r->sizes[] */
	uint64_t unsized_line;           /* an answered line whose size has no histogram */
	unsigned unsized;
	int legacy;                      /* the histograms hold the ok replies only */
};

/* The bucket of v as a histogram records it: -1 for underflow, NBUCKETS for overflow. */
static long vbucket(int64_t v)
{
	if (v < 0)
		return -1;
	if ((uint64_t)v > RPLAT_HIST_MAX_NS)
		return RPLAT_HIST_NBUCKETS;
	return (long)rplat_hist_index((uint64_t)v);
}

static void vh_init(struct vh *x, int rounded)
{
	memset(x, 0, sizeof(*x));
	rplat_hist_init(&x->h);
	x->rounded = rounded;
}

static void vh_add(struct vh *x, int64_t v, uint64_t line)
{
	long b = vbucket(v);

	rplat_hist_add_signed(&x->h, v);
	if (b < 0) {
		if (!x->under_line)
			x->under_line = line;
	} else if (b < RPLAT_HIST_NBUCKETS && !x->first_line[b]) {
		x->first_line[b] = line;
	}
	if (x->rounded) {
		long bm = vbucket(v - 1), bp = vbucket(v + 1);

		/* a boundary k separates bucket k-1 (or underflow for k = 0) from bucket k */
		if (bm != b && b >= 0 && b <= RPLAT_HIST_NBUCKETS - 1)
			x->slack[b]++;
		if (bp != b && bp >= 0 && bp <= RPLAT_HIST_NBUCKETS - 1)
			x->slack[bp]++;
	}
}

/* ---------------------------------------------------------------- next */

static int census_add(struct rplat_samples *s, const struct rplat_sample *sm)
{
	struct verify *v = s->v;
	int i;

	s->census.messages++;
	s->census.status[sm->status]++;
	if (sm->status == RPLAT_RS_WARMUP)
		return 0;
	if (s->stream) {
		if (sm->status == RPLAT_RS_OK)
			for (i = 0; i < RPLAT_NSTREAM_STAGES; i++)
				if (sm->sstage[i] != RPLAT_NA) {
					s->census.staged[i]++;
					if (v)
						vh_add(&v->sstage[i], sm->sstage[i], sm->line);
				}
		return 0;
	}
	if (sm->status != RPLAT_RS_OK && sm->status != RPLAT_RS_LATE)
		return 0;
	for (i = 0; i < RPLAT_NSTAGES; i++)
		if (sm->stage[i] != RPLAT_NA) {
			s->census.staged[i]++;
			if (v)
				vh_add(&v->stage[i], sm->stage[i], sm->line);
		}
	if (!v)
		return 0;
	vh_add(&v->rtt, sm->rtt, sm->line);
	if (sm->status == RPLAT_RS_OK)
		vh_add(&v->rtt_ok, sm->rtt, sm->line);
	for (i = 0; i < v->nsizes && s->run->sizes[i].size != sm->size; i++)
		;
	if (i < v->nsizes) {
		vh_add(&v->size[i], sm->rtt, sm->line);
		if (sm->status == RPLAT_RS_OK)
			vh_add(&v->size_ok[i], sm->rtt, sm->line);
	} else if (v->nsizes && !v->unsized_line) {
		v->unsized_line = sm->line;
		v->unsized = sm->size;
	}
	return 0;
}

static int finish(struct rplat_samples *s, char *err, size_t errlen);

/* Read and check the next line into a queue entry. Returns 1, 0 at the end, or -1. */
static int read_one(struct rplat_samples *s, struct qent *q, char *err, size_t errlen)
{
	char *nl, *p;
	int tr;

	nl = next_line(s, &tr);
	if (!nl) {
		if (!s->eof && s->len >= SBUF - 1)
			return LFAIL("%s: line %llu: longer than 1 MiB", s->path, (unsigned long long)s->line + 1);
		if (!s->eof)
			return LFAIL("%s: read error: %s", s->path, strerror(errno));
		return 0;
	}
	s->line++;
	p = s->buf + s->pos;
	s->pos = (size_t)(nl - s->buf) + 1;
	if (check_bytes(s, p, nl, err, errlen))
		return -1;
	if (tr)
		return LFAIL("%s: line %llu: truncated (no final newline; the run was cut short?)", s->path, LN);
	if (nl == p)
		return LFAIL("%s: line %llu: empty line", s->path, LN);
	if (parse_line(s, p, nl, &q->sm, err, errlen))
		return -1;
	if (copy_raw(q, p, (size_t)(nl - p)))
		return LFAIL("out of memory");
	return 1;
}

static void qswap(struct qent *a, struct qent *b)
{
	struct qent t = *a;

	*a = *b;
	*b = t;
}

/* Take the line just read into the queue's free slot (ping): queue it, or join a legacy late line with its
 * lost line. */
static int enqueue(struct rplat_samples *s, char *err, size_t errlen)
{
	struct qent *in = qat(s, s->qlen);
	const struct rplat_sample *sm = &in->sm;

	if (s->have_last && sm->run < s->last_run)
		return LFAIL("%s: line %llu: run %d after run %d (line %llu): a merged run's sources come one after "
			     "the other", s->path, LN, sm->run, s->last_run, (unsigned long long)s->last_line);
	if (s->have_last && sm->run == s->last_run && sm->seq <= s->last_seq) {
		struct qent *e = qfind(s, sm->run, sm->seq);

		if (sm->status == RPLAT_RS_LATE && e && e->sm.status == RPLAT_RS_LOST) {
			/* rplat <= 0.1.0: "lost", then "late" for the same message: one late message */
			if (e->sm.t_send != sm->t_send || e->sm.size != sm->size)
				return LFAIL("%s: line %llu: late reply for seq %llu, but its lost line %llu has another "
					     "%s", s->path, LN, (unsigned long long)sm->seq, (unsigned long long)e->sm.line,
					     e->sm.size != sm->size ? "size" : "t_send");
			qswap(e, in);
			s->census.legacy_pairs++;
			return 0;
		}
		if (e)
			return LFAIL("%s: line %llu: seq %llu again (line %llu is its '%s' line): a message has one line",
				     s->path, LN, (unsigned long long)sm->seq, (unsigned long long)e->sm.line,
				     rplat_run_status_names[e->sm.status]);
		if (sm->seq == s->last_seq)
			return LFAIL("%s: line %llu: seq %llu again (line %llu has it too): a message has one line", s->path,
				     LN, (unsigned long long)sm->seq, (unsigned long long)s->last_line);
		return LFAIL("%s: line %llu: seq %llu is not after line %llu's seq %llu (lines are in seq order, one "
			     "per message)", s->path, LN, (unsigned long long)sm->seq, (unsigned long long)s->last_line,
			     (unsigned long long)s->last_seq);
	}
	if (s->have_last && sm->run == s->last_run && sm->t_send < s->last_t)
		return LFAIL("%s: line %llu: t_send goes back in time (%lld ns before line %llu's)", s->path, LN,
			     (long long)(s->last_t - sm->t_send), (unsigned long long)s->last_line);
	s->have_last = 1;
	s->last_run = sm->run;
	s->last_seq = sm->seq;
	s->last_t = sm->t_send;
	s->last_line = s->line;
	s->qlen++;
	return 0;
}

int rplat_samples_next(struct rplat_samples *s, struct rplat_sample *out, char *err, size_t errlen)
{
	for (;;) {
		int rc;

		if (s->qlen && head_ready(s)) {
			qswap(&s->out, qat(s, 0)); /* every slot keeps a line buffer */
			s->qhead = (s->qhead + 1) % QCAP;
			s->qlen--;
			*out = s->out.sm;
			out->index = out->status == RPLAT_RS_WARMUP ? s->census.status[RPLAT_RS_WARMUP] :
				     s->census.messages - s->census.status[RPLAT_RS_WARMUP];
			census_add(s, out);
			return 1;
		}
		if (s->lines_done) {
			if (!s->finished && finish(s, err, errlen))
				return -1;
			s->finished = 1;
			return 0;
		}
		rc = read_one(s, qat(s, s->qlen), err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			s->lines_done = 1;
			continue;
		}
		if (s->stream) {
			if (check_stream(s, &qat(s, s->qlen)->sm, err, errlen))
				return -1;
			s->qlen++;
			continue;
		}
		if (check_ping(s, &qat(s, s->qlen)->sm, err, errlen) || enqueue(s, err, errlen))
			return -1;
	}
}

/* ---------------------------------------------------------------- the end: census against run.json */

static int count_check(const struct rplat_samples *s, const char *what, uint64_t have, const char *key,
		       uint64_t want, char *err, size_t errlen)
{
	if (have == want)
		return 0;
	return LFAIL("%s: %llu %s, but run.json's counts.%s is %llu (a truncated, edited or foreign file?)", s->path,
		     (unsigned long long)have, what, key, (unsigned long long)want);
}

static int finish_counts(struct rplat_samples *s, char *err, size_t errlen)
{
	const struct rplat_run_census *c = &s->census;
	const struct rplat_run *r = s->run;
	uint64_t warm = c->status[RPLAT_RS_WARMUP], msgs = c->messages - warm;

	if (s->stream) {
		const struct rplat_run_stream_counts *k = &r->stream_counts;

		if (count_check(s, "ok messages", c->status[RPLAT_RS_OK], "received", k->received, err, errlen) ||
		    count_check(s, "duplicates", c->status[RPLAT_RS_DUP], "duplicate", k->duplicate, err, errlen) ||
		    count_check(s, "out-of-order messages", c->status[RPLAT_RS_OOO], "out_of_order", k->out_of_order, err,
				errlen))
			return -1;
		if (c->status[RPLAT_RS_LOST] > k->lost)
			return LFAIL("%s: %llu lost messages, more than run.json's counts.lost (%llu)", s->path,
				     (unsigned long long)c->status[RPLAT_RS_LOST], (unsigned long long)k->lost);
		if (c->status[RPLAT_RS_CORRUPT] > k->corrupt)
			return LFAIL("%s: %llu corrupt messages, more than run.json's counts.corrupt (%llu)", s->path,
				     (unsigned long long)c->status[RPLAT_RS_CORRUPT], (unsigned long long)k->corrupt);
		return 0;
	}
	if (msgs != r->counts.sent && !(warm && c->messages == r->counts.sent))
		return LFAIL("%s: %llu messages%s, but run.json's counts.sent is %llu (a truncated, edited or foreign "
			     "file?)", s->path, (unsigned long long)msgs, warm ? " after the warm-up" : "",
			     (unsigned long long)r->counts.sent);
	if (count_check(s, "lost messages", c->status[RPLAT_RS_LOST], "lost", r->counts.lost, err, errlen) ||
	    count_check(s, "late replies", c->status[RPLAT_RS_LATE], "late", r->counts.late, err, errlen) ||
	    count_check(s, "error replies", c->status[RPLAT_RS_ERROR], "error", r->counts.error, err, errlen))
		return -1;
	if (c->status[RPLAT_RS_CORRUPT] > r->counts.corrupt)
		return LFAIL("%s: %llu corrupt messages, more than run.json's counts.corrupt (%llu)", s->path,
			     (unsigned long long)c->status[RPLAT_RS_CORRUPT], (unsigned long long)r->counts.corrupt);
	if (c->status[RPLAT_RS_OK] + c->status[RPLAT_RS_LATE] > r->counts.received)
		return LFAIL("%s: %llu answered messages (ok and late), more than run.json's counts.received (%llu)",
			     s->path, (unsigned long long)(c->status[RPLAT_RS_OK] + c->status[RPLAT_RS_LATE]),
			     (unsigned long long)r->counts.received);
	if (r->has_warmup && warm != r->warmup)
		return count_check(s, "warm-up messages", warm, "warmup", r->warmup, err, errlen);
	return 0;
}

/* ---------------------------------------------------------------- the end: histograms against the lines */

/* The line of hist file 'path' that lists the bucket starting at lo, or 0. */
static unsigned long hist_file_line(const char *path, uint64_t lo)
{
	char want[32], *line = NULL;
	size_t cap = 0, n = (size_t)snprintf(want, sizeof(want), "%llu\t", (unsigned long long)lo);
	unsigned long ln = 0, found = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (!found && getline(&line, &cap, f) >= 0) {
		ln++;
		if (!strncmp(line, want, n))
			found = ln;
	}
	free(line);
	fclose(f);
	return found;
}

/* Where a histogram file and the lines' rebuild of it part. */
enum dkind { D_NONE, D_COUNT, D_BUCKET, D_CUM, D_UNDER, D_MINMAX, D_SUM };
struct diff {
	enum dkind kind;
	unsigned j;          /* D_BUCKET, D_CUM */
	uint64_t cf, cs;     /* D_CUM: cumulative counts up to bucket j */
};

/* Compare file histogram f with the rebuild x: exactly, or (x->rounded) allowing each value to have moved by
 * 1 ns. Returns 0 when they agree, else 1 with d filled. */
static int hist_differs(const struct rplat_hist *f, const struct vh *x, struct diff *d)
{
	const struct rplat_hist *h = &x->h;
	uint64_t cf = 0, cs = 0;
	unsigned j;

	memset(d, 0, sizeof(*d));
	if (f->count != h->count)
		return d->kind = D_COUNT, 1;
	for (j = 0; j < RPLAT_HIST_NBUCKETS; j++) {
		cf += f->bucket[j];
		cs += h->bucket[j];
		if (!x->rounded) {
			if (f->bucket[j] != h->bucket[j])
				return d->kind = D_BUCKET, d->j = j, 1;
			continue;
		}
		if ((cf > cs ? cf - cs : cs - cf) > (j + 1 < RPLAT_HIST_NBUCKETS ? x->slack[j + 1] : 0)) {
			d->kind = D_CUM;
			d->j = j;
			d->cf = cf;
			d->cs = cs;
			return 1;
		}
	}
	if (!x->rounded) {
		if (f->min != h->min || f->max != h->max)
			return d->kind = D_MINMAX, 1;
		if (f->sum != h->sum || f->sumsq != h->sumsq || f->overflow != h->overflow || f->underflow != h->underflow)
			return d->kind = D_SUM, 1;
		return 0;
	}
	if ((f->underflow > h->underflow ? f->underflow - h->underflow : h->underflow - f->underflow) > x->slack[0])
		return d->kind = D_UNDER, 1;
	if (h->count && (f->min > h->min + 1 || h->min > f->min + 1 || f->max > h->max + 1 || h->max > f->max + 1))
		return d->kind = D_MINMAX, 1;
	if ((f->sum > h->sum ? f->sum - h->sum : h->sum - f->sum) > h->count)
		return d->kind = D_SUM, 1;
	return 0;
}

static int agrees(const struct rplat_hist *f, const struct vh *x)
{
	struct diff d;

	return !hist_differs(f, x, &d);
}

/* Say where histogram file 'name' (holding 'what') and the lines disagree; 'pop' names the population. */
static int mismatch(const struct rplat_samples *s, const char *name, const struct rplat_hist *f, const struct vh *x,
		    const char *what, const char *pop, char *err, size_t errlen)
{
	char path[PATH_MAX + 64];
	const struct rplat_hist *h = &x->h;
	struct diff d;
	uint64_t lo, hi;
	unsigned long fl;

	snprintf(path, sizeof(path), "%s/hist/%s.hist", s->run->dir, name);
	if (!hist_differs(f, x, &d))
		return 0;
	switch (d.kind) {
	case D_COUNT:
		return LFAIL("%s: %llu %s, but %s has %llu (%s)", path, (unsigned long long)f->count, what, s->path,
			     (unsigned long long)h->count, pop);
	case D_BUCKET:
		rplat_hist_bounds(d.j, &lo, &hi);
		fl = hist_file_line(path, lo);
		if (!fl)
			return LFAIL("%s: no bucket %llu..%llu ns, but %s has %llu %s there (the first at its line %llu)",
				     path, (unsigned long long)lo, (unsigned long long)hi, s->path,
				     (unsigned long long)h->bucket[d.j], what, (unsigned long long)x->first_line[d.j]);
		if (!h->bucket[d.j])
			return LFAIL("%s: line %lu: bucket %llu..%llu ns holds %llu %s, but %s has none there", path, fl,
				     (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)f->bucket[d.j], what,
				     s->path);
		return LFAIL("%s: line %lu: bucket %llu..%llu ns holds %llu %s, but %s has %llu there (the first at its "
			     "line %llu)", path, fl, (unsigned long long)lo, (unsigned long long)hi,
			     (unsigned long long)f->bucket[d.j], what, s->path, (unsigned long long)h->bucket[d.j],
			     (unsigned long long)x->first_line[d.j]);
	case D_CUM:
		rplat_hist_bounds(d.j, &lo, &hi);
		fl = hist_file_line(path, lo);
		if (fl)
			return LFAIL("%s: line %lu: up to %llu ns it holds %llu %s, %s has %llu (more than 1 ns of rounding "
				     "explains)", path, fl, (unsigned long long)hi, (unsigned long long)d.cf, what, s->path,
				     (unsigned long long)d.cs);
		return LFAIL("%s: up to %llu ns it holds %llu %s, %s has %llu (more than 1 ns of rounding explains)", path,
			     (unsigned long long)hi, (unsigned long long)d.cf, what, s->path, (unsigned long long)d.cs);
	case D_UNDER:
		return LFAIL("%s: %llu %s below zero, %s has %llu", path, (unsigned long long)f->underflow, what, s->path,
			     (unsigned long long)h->underflow);
	case D_MINMAX:
		return LFAIL("%s: min %llu / max %llu ns, but %s has %llu / %llu ns", path, (unsigned long long)f->min,
			     (unsigned long long)f->max, s->path, (unsigned long long)h->min, (unsigned long long)h->max);
	default:
		return LFAIL("%s: the sum or overflow of its %s differs from %s's (a value edited in place?)", path, what,
			     s->path);
	}
}

static int finish_hists(struct rplat_samples *s, char *err, size_t errlen)
{
	struct verify *v = s->v;
	const struct rplat_run *r = s->run;
	int i;

	if (s->stream) {
		for (i = 0; i < RPLAT_NSTREAM_STAGES; i++)
			if (!agrees(&r->stream_stage[i], &v->sstage[i]))
				return mismatch(s, rplat_stream_stage_names[i], &r->stream_stage[i], &v->sstage[i], "values",
						"its ok messages' values", err, errlen);
		return 0;
	}
	if (!agrees(&r->rtt, &v->rtt)) {
		if (!s->census.status[RPLAT_RS_LATE] || !agrees(&r->rtt, &v->rtt_ok))
			return mismatch(s, "rtt", &r->rtt, &v->rtt, "round trips", "its ok and late replies", err, errlen);
		v->legacy = 1; /* rplat <= 0.1.0 left late replies out of the histograms */
	}
	if (v->unsized_line)
		return LFAIL("%s: line %llu: an answered %u-byte message, but the run has no hist/rtt@%u.hist", s->path,
			     (unsigned long long)v->unsized_line, v->unsized, v->unsized);
	for (i = 0; i < v->nsizes; i++) {
		char name[32];

		snprintf(name, sizeof(name), "rtt@%u", r->sizes[i].size);
		if (agrees(&r->sizes[i].hist, v->legacy ? &v->size_ok[i] : &v->size[i]))
			continue;
		return mismatch(s, name, &r->sizes[i].hist, v->legacy ? &v->size_ok[i] : &v->size[i], "round trips",
				v->legacy ? "its ok replies of that size" : "its ok and late replies of that size", err,
				errlen);
	}
	for (i = 0; i < RPLAT_NSTAGES; i++)
		if (!agrees(&r->stage[i], &v->stage[i]))
			return mismatch(s, rplat_stage_names[i], &r->stage[i], &v->stage[i], "values",
					"the answered messages' values", err, errlen);
	return 0;
}

static int finish(struct rplat_samples *s, char *err, size_t errlen)
{
	if (finish_counts(s, err, errlen))
		return -1;
	return s->v ? finish_hists(s, err, errlen) : 0;
}

/* ---------------------------------------------------------------- the verify pass */

int rplat_run_verify(struct rplat_run *r, char *err, size_t errlen)
{
	struct rplat_samples *s;
	struct rplat_sample sm;
	struct verify *v;
	int i, rc;

	if (samples_open(r, &s, err, errlen))
		return -1;
	v = s->v = calloc(1, sizeof(*v));
	if (v) {
		v->nsizes = r->nsizes;
		v->size = calloc((size_t)r->nsizes + 1, sizeof(*v->size));
		v->size_ok = calloc((size_t)r->nsizes + 1, sizeof(*v->size_ok));
	}
	if (!v || !v->size || !v->size_ok) {
		rplat_samples_close(s);
		return rplat_fail(err, errlen, "out of memory");
	}
	vh_init(&v->rtt, 0);
	vh_init(&v->rtt_ok, 0);
	for (i = 0; i < RPLAT_NSTAGES; i++)
		vh_init(&v->stage[i], 1);
	for (i = 0; i < RPLAT_NSTREAM_STAGES; i++)
		vh_init(&v->sstage[i], i != 3); /* interarrival: differences of integer receive times */
	for (i = 0; i < r->nsizes; i++) {
		vh_init(&v->size[i], 0);
		vh_init(&v->size_ok[i], 0);
	}
	while ((rc = rplat_samples_next(s, &sm, err, errlen)) == 1)
		;
	if (rc == 0) {
		r->census = s->census;
		r->verified = 1;
		if (v->legacy) {
			r->rtt = v->rtt.h;
			for (i = 0; i < r->nsizes; i++)
				r->sizes[i].hist = v->size[i].h;
			r->late_rebuilt = 1;
		}
	}
	free(v->size);
	free(v->size_ok);
	rplat_samples_close(s);
	return rc;
}

/* ---------------------------------------------------------------- exact percentiles */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int rplat_run_exact_percentile(const struct rplat_run *r, const struct rplat_hist *h, int series, int size, double p,
			       uint64_t *out, char *err, size_t errlen)
{
	struct rplat_samples *s;
	struct rplat_sample sm;
	uint64_t lo, hi, rank, below = 0, n = 0, cap = 0, seen = 0, *v = NULL;
	int rc;

	if (!r->verified || !r->has_samples || r->is_stream)
		return rplat_fail(err, errlen, "%s: no verified samples.tsv to take the percentile from", r->dir);
	if (rplat_hist_percentile_range(h, p, &lo, &hi))
		return rplat_fail(err, errlen, "%s: no values", r->dir);
	rank = rplat_hist_rank(p, h->count);
	if (lo == hi) {
		*out = lo;
		return 0;
	}
	if (rplat_samples_open(r, &s, err, errlen))
		return -1;
	while ((rc = rplat_samples_next(s, &sm, err, errlen)) == 1) {
		int64_t x;
		uint64_t u;

		if (sm.status != RPLAT_RS_OK && sm.status != RPLAT_RS_LATE)
			continue;
		if (size >= 0 && sm.size != (unsigned)size)
			continue;
		x = series < 0 ? sm.rtt : sm.stage[series];
		if (x == RPLAT_NA)
			continue;
		u = x < 0 ? 0 : (uint64_t)x;
		seen++;
		if (u < lo) {
			below++;
			continue;
		}
		if (u > hi)
			continue;
		if (n == cap) {
			uint64_t *nv;

			cap = cap ? cap * 2 : 1024;
			nv = cap > (1u << 26) ? NULL : realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				rplat_samples_close(s);
				return rplat_fail(err, errlen, "%s/samples.tsv: too many values in one bucket to sort", r->dir);
			}
			v = nv;
		}
		v[n++] = u;
	}
	rplat_samples_close(s);
	if (rc < 0) {
		free(v);
		return -1;
	}
	if (seen != h->count || rank <= below || rank - below > n) {
		free(v);
		return rplat_fail(err, errlen, "%s/samples.tsv: %llu values, but the histogram holds %llu", r->dir,
				  (unsigned long long)seen, (unsigned long long)h->count);
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	*out = v[rank - below - 1];
	free(v);
	return 0;
}
