/* Decoded trace events: names, files, loading. See tev.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/util.h"
#include "tev.h"

static const char *const type_names[RPLAT_TEV_NTYPES] = {
	[RPLAT_TEV_NONE] = "none",
	[RPLAT_TEV_SWITCH] = "sched_switch",
	[RPLAT_TEV_WAKING] = "sched_waking",
	[RPLAT_TEV_WAKEUP] = "sched_wakeup",
	[RPLAT_TEV_WAKEUP_NEW] = "sched_wakeup_new",
	[RPLAT_TEV_MIGRATE] = "sched_migrate_task",
	[RPLAT_TEV_IRQ_ENTRY] = "irq_handler_entry",
	[RPLAT_TEV_IRQ_EXIT] = "irq_handler_exit",
	[RPLAT_TEV_SOFTIRQ_ENTRY] = "softirq_entry",
	[RPLAT_TEV_SOFTIRQ_EXIT] = "softirq_exit",
	[RPLAT_TEV_IPI_SEND] = "ipi_send",
	[RPLAT_TEV_IPI_ENTRY] = "ipi_entry",
	[RPLAT_TEV_IPI_EXIT] = "ipi_exit",
	[RPLAT_TEV_SYS_ENTER] = "sys_enter",
	[RPLAT_TEV_SYS_EXIT] = "sys_exit",
	[RPLAT_TEV_MARKER] = "marker",
	[RPLAT_TEV_PROBE] = "probe",
	[RPLAT_TEV_LOST] = "lost",
};

const char *rplat_tev_type_name(unsigned type)
{
	return type < RPLAT_TEV_NTYPES ? type_names[type] : "unknown";
}

const char *rplat_tev_sys_name(unsigned sys)
{
	static const char *const names[RPLAT_SYS_NR] = { "write", "read", "poll", "ppoll", "ioctl", "sendto",
							   "recvfrom" };

	return sys < RPLAT_SYS_NR ? names[sys] : "syscall";
}

const char *rplat_tev_probe_name(unsigned probe)
{
	static const char *const names[RPLAT_PROBE_NR] = {
		"rplat_link_send", "rplat_link_recv:return", "rproc_vq_interrupt", "rpmsg_recv_done",
		"virtqueue_kick", "mbox_send_message",
	};

	return probe < RPLAT_PROBE_NR ? names[probe] : "probe";
}

const char *rplat_tev_softirq_name(unsigned vec)
{
	static const char *const names[] = { "HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL",
					     "TASKLET", "SCHED", "HRTIMER", "RCU" };

	return vec < sizeof(names) / sizeof(names[0]) ? names[vec] : "softirq";
}

int64_t rplat_tev_pack_switch(int64_t prev_state, int prev_prio, int next_prio)
{
	return (int64_t)((uint64_t)(uint32_t)prev_state | (uint64_t)(uint16_t)prev_prio << 32 |
			 (uint64_t)(uint16_t)next_prio << 48);
}

/* ---- names ---- */

#define EMPTY_PID INT32_MIN

void rplat_tev_names_init(struct rplat_tev_names *n)
{
	memset(n, 0, sizeof(*n));
}

void rplat_tev_names_free(struct rplat_tev_names *n)
{
	free(n->task);
	free(n->irq);
	memset(n, 0, sizeof(*n));
}

static size_t pid_hash(int32_t pid, size_t cap)
{
	return ((uint32_t)pid * 2654435761u) & (cap - 1);
}

static struct rplat_tev_task *task_slot(struct rplat_tev_task *tab, size_t cap, int32_t pid)
{
	size_t i = pid_hash(pid, cap);

	while (tab[i].pid != EMPTY_PID && tab[i].pid != pid)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int names_grow(struct rplat_tev_names *n)
{
	size_t cap = n->task_cap ? n->task_cap * 2 : 256, i;
	struct rplat_tev_task *tab = malloc(cap * sizeof(*tab));

	if (!tab)
		return -1;
	for (i = 0; i < cap; i++)
		tab[i].pid = EMPTY_PID;
	for (i = 0; i < n->task_cap; i++)
		if (n->task[i].pid != EMPTY_PID)
			*task_slot(tab, cap, n->task[i].pid) = n->task[i];
	free(n->task);
	n->task = tab;
	n->task_cap = cap;
	return 0;
}

int rplat_tev_names_task(struct rplat_tev_names *n, int32_t pid, const char *comm, int prio)
{
	struct rplat_tev_task *t;

	if (pid == EMPTY_PID)
		return 0;
	if ((n->ntasks + 1) * 2 > n->task_cap && names_grow(n))
		return -1;
	t = task_slot(n->task, n->task_cap, pid);
	if (t->pid == EMPTY_PID) {
		memset(t, 0, sizeof(*t));
		t->pid = pid;
		t->prio = INT32_MIN;
		n->ntasks++;
	}
	if (comm) {
		size_t len = strnlen(comm, sizeof(t->comm) - 1);

		memcpy(t->comm, comm, len);
		t->comm[len] = 0;
	}
	if (prio != INT32_MIN)
		t->prio = prio;
	return 0;
}

struct rplat_tev_task *rplat_tev_names_find(const struct rplat_tev_names *n, int32_t pid)
{
	struct rplat_tev_task *t;

	if (!n->task_cap || pid == EMPTY_PID)
		return NULL;
	t = task_slot(n->task, n->task_cap, pid);
	return t->pid == pid ? t : NULL;
}

int rplat_tev_names_irq(struct rplat_tev_names *n, int32_t irq, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n->nirq; i++)
		if (n->irq[i].irq == irq)
			break;
	if (i == n->nirq) {
		if (n->nirq == n->irq_cap) {
			size_t cap = n->irq_cap ? n->irq_cap * 2 : 32;
			void *p = realloc(n->irq, cap * sizeof(n->irq[0]));

			if (!p)
				return -1;
			n->irq = p;
			n->irq_cap = cap;
		}
		n->nirq++;
		n->irq[i].irq = irq;
	}
	if (len >= sizeof(n->irq[i].name))
		len = sizeof(n->irq[i].name) - 1;
	memcpy(n->irq[i].name, name, len);
	n->irq[i].name[len] = 0;
	return 0;
}

const char *rplat_tev_names_irq_name(const struct rplat_tev_names *n, int32_t irq)
{
	size_t i;

	for (i = 0; i < n->nirq; i++)
		if (n->irq[i].irq == irq)
			return n->irq[i].name;
	return NULL;
}

const char *rplat_tev_comm(const struct rplat_tev_names *n, int32_t pid, char *buf, size_t len)
{
	const struct rplat_tev_task *t = rplat_tev_names_find(n, pid);

	if (t && t->comm[0])
		return t->comm;
	if (pid == 0)
		return "<idle>";
	snprintf(buf, len, "pid %d", (int)pid);
	return buf;
}

static int is_rt_policy(const char *p)
{
	return !strcmp(p, "SCHED_FIFO") || !strcmp(p, "SCHED_RR");
}

const char *rplat_tev_policy_at(const struct rplat_tev_names *n, int32_t pid, int prio, char *buf, size_t len)
{
	const struct rplat_tev_task *t = rplat_tev_names_find(n, pid);
	const char *pol = t ? t->policy : "";

	if (prio == INT32_MIN && t)
		prio = t->prio;
	if (pid == 0)
		snprintf(buf, len, "idle");
	else if (prio == INT32_MIN)
		snprintf(buf, len, "%s", pol[0] ? pol : "policy unknown");
	else if (prio < 0)
		snprintf(buf, len, "SCHED_DEADLINE");
	else if (prio < 100)
		snprintf(buf, len, "%s %d", is_rt_policy(pol) ? pol : "RT prio", 99 - prio);
	else if (pol[0] && !is_rt_policy(pol) && strcmp(pol, "SCHED_DEADLINE") && strcmp(pol, "SCHED_OTHER"))
		snprintf(buf, len, "%s", pol);
	else
		snprintf(buf, len, "SCHED_OTHER nice %d", prio - 120);
	return buf;
}

const char *rplat_tev_policy(const struct rplat_tev_names *n, int32_t pid, char *buf, size_t len)
{
	return rplat_tev_policy_at(n, pid, INT32_MIN, buf, len);
}

/* comm may contain anything but NUL; tabs and newlines would break the TSV, so they are written as '?'. */
static void put_clean(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? '?' : *s, f);
}

int rplat_tev_names_write(const struct rplat_tev_names *n, FILE *f)
{
	size_t i;

	fprintf(f, "# rplat-trace-names 1\n# task\tpid\tcomm\tprio\tpolicy\tkind\n# irq\tnr\tname\n");
	for (i = 0; i < n->task_cap; i++) {
		const struct rplat_tev_task *t = &n->task[i];

		if (t->pid == EMPTY_PID)
			continue;
		fprintf(f, "task\t%d\t", (int)t->pid);
		put_clean(f, t->comm);
		if (t->prio == INT32_MIN)
			fprintf(f, "\tnan\t");
		else
			fprintf(f, "\t%d\t", t->prio);
		put_clean(f, t->policy[0] ? t->policy : "-");
		fprintf(f, "\t%s\n", t->kind == RPLAT_TASK_KTHREAD ? "kthread" : t->kind == RPLAT_TASK_USER ? "user" : "-");
	}
	for (i = 0; i < n->nirq; i++) {
		fprintf(f, "irq\t%d\t", (int)n->irq[i].irq);
		put_clean(f, n->irq[i].name);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

static int split_tabs(char *line, char **col, int max)
{
	int n = 0;

	col[n++] = line;
	for (; *line && n < max; line++)
		if (*line == '\t') {
			*line = 0;
			col[n++] = line + 1;
		}
	return n;
}

static int parse_i32(const char *s, int32_t *v)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(s, &end, 10);
	if (end == s || *end || errno || x < INT32_MIN || x > INT32_MAX)
		return -1;
	*v = (int32_t)x;
	return 0;
}

int rplat_tev_names_read(struct rplat_tev_names *n, FILE *f, const char *path, char *err, size_t errlen)
{
	char line[512], *col[6];
	unsigned lineno = 0;

	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		int32_t id, prio;
		int nc;

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (!len || line[0] == '#')
			continue;
		nc = split_tabs(line, col, 6);
		if (!strcmp(col[0], "task") && (nc == 5 || nc == 6)) { /* the kind column is newer */
			if (parse_i32(col[1], &id))
				return rplat_fail(err, errlen, "%s: line %u: task pid '%s' is not a number", path,
						  lineno, col[1]);
			if (id == EMPTY_PID)
				return rplat_fail(err, errlen, "%s: line %u: task pid %d is out of range", path, lineno,
						  (int)id);
			if (!strcmp(col[3], "nan"))
				prio = INT32_MIN;
			else if (parse_i32(col[3], &prio))
				return rplat_fail(err, errlen, "%s: line %u: prio '%s' is not a number", path, lineno,
						  col[3]);
			{
				char comm[16] = { 0 };
				struct rplat_tev_task *t;

				memcpy(comm, col[2], strnlen(col[2], sizeof(comm) - 1));
				if (rplat_tev_names_task(n, id, comm, prio))
					return rplat_fail(err, errlen, "%s: out of memory", path);
				t = rplat_tev_names_find(n, id);
				if (strcmp(col[4], "-"))
					snprintf(t->policy, sizeof(t->policy), "%s", col[4]);
				if (nc == 6 && !strcmp(col[5], "kthread"))
					t->kind = RPLAT_TASK_KTHREAD;
				else if (nc == 6 && !strcmp(col[5], "user"))
					t->kind = RPLAT_TASK_USER;
				else if (nc == 6 && strcmp(col[5], "-"))
					return rplat_fail(err, errlen, "%s: line %u: task kind '%s': expected user, kthread "
							  "or -", path, lineno, col[5]);
			}
		} else if (!strcmp(col[0], "irq") && nc == 3) {
			if (parse_i32(col[1], &id))
				return rplat_fail(err, errlen, "%s: line %u: irq number '%s' is not a number", path,
						  lineno, col[1]);
			if (rplat_tev_names_irq(n, id, col[2], strlen(col[2])))
				return rplat_fail(err, errlen, "%s: out of memory", path);
		} else {
			return rplat_fail(err, errlen, "%s: line %u: expected 'task' with 5 or 6 columns or 'irq' with 3",
					  path, lineno);
		}
	}
	if (ferror(f))
		return rplat_fail(err, errlen, "%s: read error: %s", path, strerror(errno));
	return 0;
}

/* ---- writer ---- */

int rplat_tev_writer_open(struct rplat_tev_writer *w, const char *path, unsigned cpu)
{
	struct rplat_tev_filehdr h;
	char tmp[sizeof(w->path) + 8];

	memset(w, 0, sizeof(*w));
	if (snprintf(w->path, sizeof(w->path), "%s", path) >= (int)sizeof(w->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	w->f = fopen(tmp, "wb");
	if (!w->f)
		return -1;
	setvbuf(w->f, NULL, _IOFBF, 1 << 20);
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, RPLAT_TEV_MAGIC, 8);
	h.version = RPLAT_TEV_VERSION;
	h.record_size = sizeof(struct rplat_tev);
	h.cpu = cpu;
	h.endian = 0x01020304;
	if (fwrite(&h, sizeof(h), 1, w->f) != 1) {
		int e = errno;

		fclose(w->f);
		unlink(tmp);
		w->f = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

int rplat_tev_writer_close(struct rplat_tev_writer *w, int commit)
{
	char tmp[sizeof(w->path) + 8];
	int rc = 0;

	if (!w->f)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", w->path);
	if (fflush(w->f) || ferror(w->f) || w->failed)
		rc = -1;
	if (fclose(w->f))
		rc = -1;
	w->f = NULL;
	if (commit && !rc && rename(tmp, w->path) == 0)
		return 0;
	if (commit && !rc)
		rc = -1;
	unlink(tmp);
	return rc;
}

/* ---- set ---- */

void rplat_tev_set_init(struct rplat_tev_set *s)
{
	memset(s, 0, sizeof(*s));
	rplat_tev_names_init(&s->names);
}

void rplat_tev_set_free(struct rplat_tev_set *s)
{
	if (s->mapped)
		munmap(s->ev, s->mapped);
	else
		free(s->ev);
	rplat_tev_names_free(&s->names);
	memset(s, 0, sizeof(*s));
}

static int set_reserve(struct rplat_tev_set *s, size_t want)
{
	size_t cap = s->cap ? s->cap : 4096;
	void *p;

	if (want <= s->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if (s->mapped || cap * sizeof(*s->ev) >= (64u << 20)) {
		/* large: populated up front, one page-table fill instead of a fault per page */
		size_t len = cap * sizeof(*s->ev);

		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED)
			return -1;
		memcpy(p, s->ev, s->n * sizeof(*s->ev));
		if (s->mapped)
			munmap(s->ev, s->mapped);
		else
			free(s->ev);
		s->mapped = len;
	} else {
		p = realloc(s->ev, cap * sizeof(*s->ev));
		if (!p)
			return -1;
	}
	s->ev = p;
	s->cap = cap;
	return 0;
}

int rplat_tev_set_push(struct rplat_tev_set *s, const struct rplat_tev *e)
{
	if (s->n == s->cap && set_reserve(s, s->n + 1))
		return -1;
	s->ev[s->n++] = *e;
	if (e->cpu + 1u > s->ncpus)
		s->ncpus = e->cpu + 1u;
	if (e->type == RPLAT_TEV_LOST)
		s->lost += e->c > 0 ? (uint64_t)e->c : 1;
	return 0;
}

static int tev_cmp(const struct rplat_tev *a, const struct rplat_tev *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return (a->cpu > b->cpu) - (a->cpu < b->cpu);
}

/* Stable merge sort: events with equal stamps on one CPU keep their ring-buffer order. */
static void msort(struct rplat_tev *v, struct rplat_tev *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j, k = 0;

	if (n < 2)
		return;
	msort(v, tmp, mid);
	msort(v + mid, tmp, n - mid);
	if (tev_cmp(&v[mid - 1], &v[mid]) <= 0)
		return;
	j = mid;
	while (i < mid && j < n)
		tmp[k++] = tev_cmp(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	memcpy(v, tmp, k * sizeof(*v));
}

void rplat_tev_set_sort(struct rplat_tev_set *s)
{
	struct rplat_tev *tmp;
	size_t i;

	for (i = 1; i < s->n; i++)
		if (tev_cmp(&s->ev[i - 1], &s->ev[i]) > 0)
			break;
	if (i >= s->n)
		return;
	tmp = malloc(s->n * sizeof(*tmp));
	if (!tmp) {
		/* out of memory: fall back to insertion from the first disorder (rare, small) */
		for (; i < s->n; i++) {
			struct rplat_tev e = s->ev[i];
			size_t j = i;

			while (j > 0 && tev_cmp(&s->ev[j - 1], &e) > 0) {
				s->ev[j] = s->ev[j - 1];
				j--;
			}
			s->ev[j] = e;
		}
		return;
	}
	msort(s->ev, tmp, s->n);
	free(tmp);
}

struct cpu_file {
	struct rplat_tev *ev;
	size_t n, pos;
	void *map;     /* the mapped file (the records start after the header) */
	size_t maplen;
};

static void cpu_file_free(struct cpu_file *cf)
{
	if (cf->map)
		munmap(cf->map, cf->maplen);
	cf->map = NULL;
}

/* The largest event stamp a file may hold: 2^60 ns, 36 years of CLOCK_MONOTONIC. Samples are held to the
 * same bound (analyze_out.c), so that the few sums and differences of stamps and durations the analysis
 * makes stay within int64_t. */
#define RPLAT_TEV_TS_MAX (INT64_C(1) << 60)

static int load_cpu_file(const char *path, struct cpu_file *cf, char *err, size_t errlen)
{
	struct rplat_tev_filehdr h;
	struct stat st;
	size_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(cf, 0, sizeof(*cf));
	if (fd < 0)
		return rplat_fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || read(fd, &h, sizeof(h)) != (ssize_t)sizeof(h)) {
		close(fd);
		return rplat_fail(err, errlen, "%s: too short for the 32-byte header", path);
	}
	if (memcmp(h.magic, RPLAT_TEV_MAGIC, 8)) {
		close(fd);
		return rplat_fail(err, errlen, "%s: magic is not %s", path, RPLAT_TEV_MAGIC);
	}
	if (h.endian != 0x01020304) {
		close(fd);
		return rplat_fail(err, errlen, "%s: field endian: written on a machine of the other byte order", path);
	}
	if (h.version != RPLAT_TEV_VERSION || h.record_size != sizeof(struct rplat_tev)) {
		close(fd);
		return rplat_fail(err, errlen, "%s: field version/record_size: %u/%u, this rplat reads %u/%zu",
				  path, h.version, h.record_size, RPLAT_TEV_VERSION, sizeof(struct rplat_tev));
	}
	if (((size_t)st.st_size - sizeof(h)) % sizeof(struct rplat_tev)) {
		close(fd);
		return rplat_fail(err, errlen, "%s: size %lld is not the header plus whole 32-byte records "
				  "(truncated?)", path, (long long)st.st_size);
	}
	n = ((size_t)st.st_size - sizeof(h)) / sizeof(struct rplat_tev);
	cf->n = n;
	if (n) {
		/* private and writable: a file out of order is sorted in place, copy-on-write */
		cf->maplen = (size_t)st.st_size;
		cf->map = mmap(NULL, cf->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (cf->map == MAP_FAILED) {
			cf->map = NULL;
			close(fd);
			return rplat_fail(err, errlen, "%s: cannot map %zu events: %s", path, n, strerror(errno));
		}
		madvise(cf->map, cf->maplen, MADV_SEQUENTIAL);
		cf->ev = (struct rplat_tev *)(void *)((char *)cf->map + sizeof(h));
	}
	close(fd);
	/* the analysis adds and subtracts stamps and durations: keep them where that cannot overflow */
	for (size_t i = 0; i < n; i++)
		if (cf->ev[i].ts < 0 || cf->ev[i].ts > RPLAT_TEV_TS_MAX) {
			rplat_fail(err, errlen, "%s: record %zu: field ts: %lld is not a trace clock time (0 .. 2^60 ns)",
				   path, i, (long long)cf->ev[i].ts);
			cpu_file_free(cf);
			return -1;
		}
	{
		struct rplat_tev_set tmp = { .ev = cf->ev, .n = n, .cap = n };

		rplat_tev_set_sort(&tmp); /* normally already ordered: a linear check */
	}
	return 0;
}

static int name_is_cpu_file(const char *name)
{
	size_t len = strlen(name);

	return len > 6 && !strncmp(name, "cpu", 3) && !strcmp(name + len - 3, ".ev");
}

int rplat_tev_set_load(struct rplat_tev_set *s, const char *dir, char *err, size_t errlen)
{
	struct cpu_file cf[1024];
	unsigned nf = 0, i;
	char path[4200];
	struct dirent *de;
	size_t total = 0;
	DIR *d = opendir(dir);
	FILE *f;
	int rc = -1;

	if (!d)
		return rplat_fail(err, errlen, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		if (!name_is_cpu_file(de->d_name))
			continue;
		if (nf == sizeof(cf) / sizeof(cf[0])) {
			rplat_fail(err, errlen, "%s: more than %zu cpu*.ev files", dir, sizeof(cf) / sizeof(cf[0]));
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (load_cpu_file(path, &cf[nf], err, errlen))
			goto out;
		total += cf[nf++].n;
	}
	if (!nf) {
		rplat_fail(err, errlen, "%s: no cpu*.ev event files", dir);
		goto out;
	}
	if (set_reserve(s, s->n + total)) {
		rplat_fail(err, errlen, "%s: out of memory for %zu events", dir, total);
		goto out;
	}
	/* k-way merge: k is the number of CPUs, small */
	for (;;) {
		int best = -1;

		for (i = 0; i < nf; i++)
			if (cf[i].pos < cf[i].n &&
			    (best < 0 || tev_cmp(&cf[i].ev[cf[i].pos], &cf[best].ev[cf[best].pos]) < 0))
				best = (int)i;
		if (best < 0)
			break;
		/* copy the run of this CPU's events that precede every other CPU's next event */
		{
			struct cpu_file *b = &cf[best];
			int64_t limit = INT64_MAX;

			for (i = 0; i < nf; i++)
				if ((int)i != best && cf[i].pos < cf[i].n && cf[i].ev[cf[i].pos].ts < limit)
					limit = cf[i].ev[cf[i].pos].ts;
			size_t from = b->pos, k;

			do
				b->pos++;
			while (b->pos < b->n && b->ev[b->pos].ts < limit);
			memcpy(s->ev + s->n, b->ev + from, (b->pos - from) * sizeof(*s->ev));
			for (k = s->n; k < s->n + (b->pos - from); k++) {
				if (s->ev[k].cpu + 1u > s->ncpus)
					s->ncpus = s->ev[k].cpu + 1u;
				if (s->ev[k].type == RPLAT_TEV_LOST)
					s->lost += s->ev[k].c > 0 ? (uint64_t)s->ev[k].c : 1;
			}
			s->n += b->pos - from;
		}
	}
	snprintf(path, sizeof(path), "%s/names.tsv", dir);
	f = fopen(path, "r");
	if (!f) {
		rplat_fail(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = rplat_tev_names_read(&s->names, f, path, err, errlen);
	fclose(f);
out:
	for (i = 0; i < nf; i++)
		cpu_file_free(&cf[i]);
	closedir(d);
	return rc;
}

size_t rplat_tev_set_lower(const struct rplat_tev_set *s, int64_t t)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ev[mid].ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- the live system ---- */

static const char *policy_name(int p)
{
	return p == SCHED_FIFO ? "SCHED_FIFO" : p == SCHED_RR ? "SCHED_RR" : p == SCHED_BATCH ? "SCHED_BATCH" :
	       p == SCHED_IDLE ? "SCHED_IDLE" : p == 6 ? "SCHED_DEADLINE" : p == SCHED_OTHER ? "SCHED_OTHER" : "";
}

void rplat_tev_names_sample_policies(struct rplat_tev_names *n)
{
	size_t i;

	for (i = 0; i < n->task_cap; i++) {
		struct rplat_tev_task *t = &n->task[i];
		char path[64], comm[32] = "";
		FILE *f;

		if (t->pid <= 0 || t->checked || t->pid == INT32_MIN)
			continue;
		t->checked = 1;
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)t->pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
		if (strncmp(comm, t->comm, 15))
			continue;
		snprintf(t->policy, sizeof(t->policy), "%s", policy_name(sched_getscheduler(t->pid)));
		/* a kernel thread (PF_KTHREAD in /proc/PID/stat's flags, field 9) runs only in the kernel */
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)t->pid);
		f = fopen(path, "r");
		if (f) {
			char st[1024], *p;
			unsigned long flags;

			if (fgets(st, sizeof(st), f) && (p = strrchr(st, ')')) &&
			    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1)
				t->kind = flags & 0x00200000ul ? RPLAT_TASK_KTHREAD : RPLAT_TASK_USER;
			fclose(f);
		}
	}
}
