/* rplat observe: the application's rpmsg writes and reads, as syscalls, through libtracefs.
 *
 * Its own instance ("rplat-observe", so that it can run beside `rplat trace`, which holds "rplat"),
 * tracing off until started, trace_clock mono (the host times of samples.tsv), three events filtered to
 * the application's thread and its fds: syscalls/sys_enter_write (fd, count), sys_enter_read (fd) and
 * sys_exit_read (ret; paired with the read entered just before on that thread), or their sendto /
 * recvfrom counterparts for a socket doorbell. With recv_probe, the read is instead the return of the
 * application's rplat_link_recv() with a message (a uretprobe "rplat_observe/recv", removed with the
 * instance): on the sim and qemu links the application can take a reply it finds in shared memory
 * without any read syscall, or read a doorbell that lags behind it. At stop the buffers are
 * read whole; events lost to a full buffer are counted (the run says so). The instance is removed on
 * every path (rplat_obs_trace_destroy, and at exit). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/file.h>
#include <sys/stat.h>

#include <event-parse.h>
#include <tracefs.h>
#include <unistd.h>

#include "rplat/json.h"
#include "rplat/observe.h"
#include "rplat/util.h"
#include "capture.h"
#include "decode.h"
#include "observe_local.h"
#include "sysenv.h"
#include "tev.h"

#define INSTANCE "rplat-observe"
#define PROBE_GROUP "rplat_observe"
#define RECV_SYM "rplat_link_recv"
#define BUF_KB 8192

/* write entered, read entered, read returned: write()/read() (rpmsg_char, the sim's eventfds) or
 * sendto()/recvfrom() (send()/recv(): the qemu link's doorbell socket) */
static const char *const events[2][3] = {
	{ "sys_enter_write", "sys_enter_read", "sys_exit_read" },
	{ "sys_enter_sendto", "sys_enter_recvfrom", "sys_exit_recvfrom" },
};

struct rplat_obs_trace {
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	pid_t tid;
	int fd_tx, fd_rx;
	int read_fd;              /* fd of the read entered last, -1 */
	int msg_lens;             /* counts and returns are message lengths */
	int sock;                 /* events[1]: send()/recv() */
	struct tracefs_dynevent *up; /* the uretprobe on the application's rplat_link_recv, or NULL */
	struct tracefs_dynevent *kp[2]; /* kprobes "kick", "irq" (rpmsg), or NULL */
	char kp_placed[96], kp_why[160];
	struct rplat_obs_hostev *ev;
	size_t n, cap;
	int oom;
	/* with sched: every event the trace analysis reads, decoded (decode.c) as rplat trace's capture is */
	int sched;
	struct rplat_tdec *dec;
	struct rplat_tev_set tev;
	int ncpus;
	uint64_t *over_seen;     /* per CPU: overrun counted so far (per_cpu/cpuN/stats) */
	uint64_t *lost_pending;  /* per CPU: lost, not yet located (a LOST record before the CPU's next event) */
	uint64_t *lost_located;  /* per CPU: lost and located */
	uint64_t *cpu_events;    /* per CPU: events kept */
	char events_on[1024];    /* "sys:event,..." enabled for the analysis */
	struct rplat_sysenv env;
	int64_t steal0;
	int64_t t_start, t_stop;
};

/* What the trace analysis (tracing/analyze.c) reads beside the application's own syscalls: who ran, who
 * was woken, interrupts, softirqs; machine-wide, unfiltered, as rplat trace records them. */
static const struct { const char *sys, *ev; } sched_events[] = {
	{ "sched", "sched_switch" },       { "sched", "sched_waking" },      { "sched", "sched_wakeup" },
	{ "sched", "sched_wakeup_new" },   { "sched", "sched_migrate_task" },
	{ "irq", "irq_handler_entry" },    { "irq", "irq_handler_exit" },
	{ "irq", "softirq_entry" },        { "irq", "softirq_exit" },
};
/* the write's exit (its count is the message's, or the doorbell's), for the analysis' send -> kick */
static const char *const write_exit[2] = { "sys_exit_write", "sys_exit_sendto" };

static struct tracefs_instance *g_inst; /* for the atexit cleanup */
static struct tracefs_dynevent *g_up, *g_kp[2];

/* the kernel's side of a message on a board: its kick in the writer's thread, the remote's interrupt */
static const char *const kp_name[2] = { "kick", "irq" };
static const char *const kp_sym[2] = { "rproc_virtio_notify", "rproc_vq_interrupt" };

/* One rplat observe per machine: the instance name is fixed, and a second observe would remove it
 * under the first one's reader. The second one is refused, naming the first; the lock (its pid inside)
 * is held for the process's life and goes with it, so a crashed observe leaves no lock, only its
 * instance, which the next one removes. */
#define LOCK_PATH "/run/lock/rplat-observe.lock"
static int g_lock_fd = -1;

static int take_lock(char *err, size_t errlen)
{
	char buf[32];
	int fd;

	if (g_lock_fd >= 0)
		return 0;
	fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		fd = open("/tmp/rplat-observe.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return rplat_fail(err, errlen, "cannot open the lock file %s: %s", LOCK_PATH, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

		buf[n > 0 ? n : 0] = 0;
		close(fd);
		return rplat_fail(err, errlen,
				  "another rplat observe (pid %s) is using the tracefs instance '%s': one at a time "
				  "per machine", n > 0 ? strtok(buf, "\n") : "?", INSTANCE);
	}
	if (ftruncate(fd, 0) == 0) {
		int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
		ssize_t w = pwrite(fd, buf, (size_t)n, 0);

		(void)w;
	}
	g_lock_fd = fd;
	return 0;
}

static void atexit_cleanup(void)
{
	if (g_inst) {
		tracefs_trace_off(g_inst);
		tracefs_instance_destroy(g_inst);
		g_inst = NULL;
	}
	if (g_up) {
		rplat_dynevent_remove(g_up);
		g_up = NULL;
	}
	for (int i = 0; i < 2; i++)
		if (g_kp[i]) {
			rplat_dynevent_remove(g_kp[i]);
			g_kp[i] = NULL;
		}
}

/* The file offset of function 'sym' in the ELF 'path' (for a uprobe), or 0. */
static unsigned long long elf_func_offset(const char *path, const char *sym)
{
	unsigned long long off = 0;
	GElf_Addr addr = 0;
	Elf_Scn *scn = NULL;
	size_t nph, i;
	Elf *e;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	while (e && !addr && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t j;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (j = 0; d && j < sh.sh_size / sh.sh_entsize; j++) {
			GElf_Sym st;
			const char *nm;

			if (!gelf_getsym(d, (int)j, &st) || GELF_ST_TYPE(st.st_info) != STT_FUNC || !st.st_value)
				continue;
			nm = elf_strptr(e, sh.sh_link, st.st_name);
			if (nm && !strcmp(nm, sym)) {
				addr = st.st_value;
				break;
			}
		}
	}
	for (i = 0; e && addr && !elf_getphdrnum(e, &nph) && i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && addr >= ph.p_vaddr &&
		    addr < ph.p_vaddr + ph.p_filesz) {
			off = addr - ph.p_vaddr + ph.p_offset;
			break;
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return off;
}

void rplat_obs_trace_destroy(struct rplat_obs_trace *t)
{
	if (!t)
		return;
	if (t->inst) {
		tracefs_trace_off(t->inst);
		tracefs_instance_destroy(t->inst);
		tracefs_instance_free(t->inst);
		g_inst = NULL;
	}
	if (t->up) {
		rplat_dynevent_remove(t->up);
		tracefs_dynevent_free(t->up);
		g_up = NULL;
	}
	for (int i = 0; i < 2; i++)
		if (t->kp[i]) {
			rplat_dynevent_remove(t->kp[i]);
			tracefs_dynevent_free(t->kp[i]);
			g_kp[i] = NULL;
		}
	rplat_tdec_free(t->dec);
	if (t->tep)
		tep_free(t->tep);
	rplat_tev_set_free(&t->tev);
	free(t->over_seen);
	free(t->lost_pending);
	free(t->lost_located);
	free(t->cpu_events);
	free(t->ev);
	free(t);
	if (g_lock_fd >= 0) { /* everything of ours is gone from tracefs: the next observe may start */
		close(g_lock_fd);
		g_lock_fd = -1;
	}
}

/* Only the formats of the events we read: loading every syscall's (tracefs_local_events_system) takes
 * over a second here, and five under ASan, while the application may be sending already. */
static struct tep_handle *load_formats(const struct rplat_obs_trace *t, int recv_probe)
{
	struct tep_handle *tep = tep_alloc();
	char *buf;
	int size, i;

	if (!tep)
		return NULL;
	tep_set_long_size(tep, (int)sizeof(long));
	tep_set_page_size(tep, (int)sysconf(_SC_PAGESIZE));
	tep_set_file_bigendian(tep, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	buf = tracefs_instance_file_read(NULL, "events/header_page", &size);
	if (!buf || tep_parse_header_page(tep, buf, (unsigned long)size, (int)sizeof(long))) {
		free(buf);
		tep_free(tep);
		return NULL;
	}
	free(buf);
	for (i = 0; i < 4; i++) {
		const char *sys = i < 3 ? "syscalls" : PROBE_GROUP, *ev = i < 3 ? events[t->sock][i] : "recv";

		if (!(i == 0 || (recv_probe ? i == 3 : i < 3)))
			continue; /* the write; then the probe, or the read syscalls */
		buf = tracefs_event_file_read(NULL, sys, ev, "format", &size);
		if (!buf || tep_parse_event(tep, buf, (unsigned long)size, sys)) {
			free(buf);
			tep_free(tep);
			return NULL;
		}
		free(buf);
	}
	if (t->sched) { /* the analysis' events, as enabled (events_on), and the read syscalls */
		char list[sizeof(t->events_on)], *save = NULL, *tok;

		snprintf(list, sizeof(list), "%s", t->events_on);
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			char *colon = strchr(tok, ':');

			if (!colon)
				continue;
			*colon = 0;
			if (tep_find_event_by_name(tep, tok, colon + 1))
				continue;
			buf = tracefs_event_file_read(NULL, tok, colon + 1, "format", &size);
			if (!buf || tep_parse_event(tep, buf, (unsigned long)size, tok)) {
				free(buf);
				tep_free(tep);
				return NULL;
			}
			free(buf);
		}
	}
	for (i = 0; i < 2; i++) {
		if (!t->kp[i])
			continue;
		buf = tracefs_event_file_read(NULL, PROBE_GROUP, kp_name[i], "format", &size);
		if (!buf || tep_parse_event(tep, buf, (unsigned long)size, PROBE_GROUP)) {
			free(buf);
			tep_free(tep);
			return NULL;
		}
		free(buf);
	}
	return tep;
}

/* The kprobes of a board's remoteproc, where the kernel has them: placed, filtered (the kick to the
 * application's thread) and enabled in the instance, or left out with the reason; never an error. */
static void setup_kprobes(struct rplat_obs_trace *t)
{
	char filt[64];
	int i;

	if (!tracefs_file_exists(NULL, "kprobe_events")) {
		snprintf(t->kp_why, sizeof(t->kp_why), "no kprobe_events in tracefs (kernel without KPROBE_EVENTS)");
		return;
	}
	for (i = 0; i < 2; i++) {
		struct tracefs_dynevent *d, *old = tracefs_kprobe_alloc(PROBE_GROUP, kp_name[i], kp_sym[i], NULL);

		if (old) { /* a leftover of a crashed observe */
			rplat_dynevent_remove(old);
			tracefs_dynevent_free(old);
		}
		d = tracefs_kprobe_alloc(PROBE_GROUP, kp_name[i], kp_sym[i], NULL);
		if (!d || tracefs_dynevent_create(d)) {
			snprintf(t->kp_why + strlen(t->kp_why), sizeof(t->kp_why) - strlen(t->kp_why), "%s%s not probeable",
				 t->kp_why[0] ? "; " : "", kp_sym[i]);
			tracefs_dynevent_free(d);
			continue;
		}
		t->kp[i] = g_kp[i] = d;
		if (i == 0)
			snprintf(filt, sizeof(filt), "common_pid == %d", (int)t->tid);
		if ((i == 0 && tracefs_event_file_write(t->inst, PROBE_GROUP, kp_name[i], "filter", filt) < 0) ||
		    tracefs_event_enable(t->inst, PROBE_GROUP, kp_name[i]) < 0) {
			snprintf(t->kp_why + strlen(t->kp_why), sizeof(t->kp_why) - strlen(t->kp_why),
				 "%s%s: cannot enable", t->kp_why[0] ? "; " : "", kp_sym[i]);
			rplat_dynevent_remove(d);
			tracefs_dynevent_free(d);
			t->kp[i] = g_kp[i] = NULL;
			continue;
		}
		snprintf(t->kp_placed + strlen(t->kp_placed), sizeof(t->kp_placed) - strlen(t->kp_placed), "%s%s",
			 t->kp_placed[0] ? "," : "", kp_sym[i]);
	}
}

static void on_list(struct rplat_obs_trace *t, const char *sys, const char *ev)
{
	size_t l = strlen(t->events_on);

	snprintf(t->events_on + l, sizeof(t->events_on) - l, "%s%s:%s", l ? "," : "", sys, ev);
}

/* The analysis' events (sched_events, unfiltered), the write's exit and, when the reads are the
 * uretprobe's, the read syscalls too (the analysis' "read returns"), filtered as the message events.
 * sched_switch and sched_wakeup are needed; the others are used when the kernel has them. */
static int setup_sched(struct rplat_obs_trace *t, int recv_probe, char *err, size_t errlen)
{
	char filt[128];
	size_t i;
	long n;

	for (i = 0; i < sizeof(sched_events) / sizeof(sched_events[0]); i++) {
		if (tracefs_event_enable(t->inst, sched_events[i].sys, sched_events[i].ev) < 0) {
			if (i == 0 || i == 2)
				return rplat_fail(err, errlen, "tracefs: cannot enable %s:%s (needed for the analysis; "
						  "--no-sched observes without it)", sched_events[i].sys,
						  sched_events[i].ev);
			continue;
		}
		on_list(t, sched_events[i].sys, sched_events[i].ev);
	}
	snprintf(filt, sizeof(filt), "common_pid == %d", (int)t->tid);
	if (tracefs_event_file_write(t->inst, "syscalls", write_exit[t->sock], "filter", filt) < 0 ||
	    tracefs_event_enable(t->inst, "syscalls", write_exit[t->sock]) < 0)
		return rplat_fail(err, errlen, "tracefs: cannot enable syscalls/%s: %s", write_exit[t->sock],
				  strerror(errno));
	on_list(t, "syscalls", events[t->sock][0]);
	on_list(t, "syscalls", write_exit[t->sock]);
	for (i = 1; i < 3; i++) {
		if (recv_probe) {
			if (i == 2)
				snprintf(filt, sizeof(filt), "common_pid == %d", (int)t->tid);
			else
				snprintf(filt, sizeof(filt), "common_pid == %d && (fd == %d || fd == %d)", (int)t->tid,
					 t->fd_tx, t->fd_rx);
			if (tracefs_event_file_write(t->inst, "syscalls", events[t->sock][i], "filter", filt) < 0 ||
			    tracefs_event_enable(t->inst, "syscalls", events[t->sock][i]) < 0)
				continue; /* the analysis goes without the read's return */
		}
		on_list(t, "syscalls", events[t->sock][i]);
	}
	n = sysconf(_SC_NPROCESSORS_CONF);
	t->ncpus = n > 0 && n < 4096 ? (int)n : 1;
	t->over_seen = calloc((size_t)t->ncpus, sizeof(uint64_t));
	t->lost_pending = calloc((size_t)t->ncpus, sizeof(uint64_t));
	t->lost_located = calloc((size_t)t->ncpus, sizeof(uint64_t));
	t->cpu_events = calloc((size_t)t->ncpus, sizeof(uint64_t));
	if (!t->over_seen || !t->lost_pending || !t->lost_located || !t->cpu_events)
		return rplat_fail(err, errlen, "out of memory");
	rplat_tev_set_init(&t->tev);
	rplat_sysenv_init(&t->env);
	rplat_sysenv_read(&t->env);
	t->sched = 1;
	return 0;
}

const char *rplat_obs_trace_kprobes(const struct rplat_obs_trace *t, const char **why)
{
	if (why)
		*why = t->kp_why[0] ? t->kp_why : NULL;
	return t->kp_placed;
}

struct rplat_obs_trace *rplat_obs_trace_create(pid_t tid, int fd_tx, int fd_rx, int msg_lens, int sock,
					       int recv_probe, int kprobes, int sched, char *err, size_t errlen)
{
	static int atexit_set;
	struct rplat_obs_trace *t = calloc(1, sizeof(*t));
	char filt[128];
	size_t i;

	if (!t)
		return rplat_fail(err, errlen, "out of memory"), NULL;
	t->tid = tid;
	t->fd_tx = fd_tx;
	t->fd_rx = fd_rx;
	t->read_fd = -1;
	t->msg_lens = msg_lens;
	t->sock = !!sock;
	if (take_lock(err, errlen))
		goto fail;
	if (tracefs_instance_exists(INSTANCE)) {
		/* a leftover of a crashed observe (a running one holds the lock): remove it */
		struct tracefs_instance *old = tracefs_instance_alloc(NULL, INSTANCE);

		if (old) {
			tracefs_instance_destroy(old);
			tracefs_instance_free(old);
		}
	}
	t->inst = tracefs_instance_create(INSTANCE);
	if (!t->inst) {
		rplat_fail(err, errlen, "tracefs: cannot create instance %s: %s (root and a mounted tracefs needed)",
			   INSTANCE, strerror(errno));
		goto fail;
	}
	g_inst = t->inst;
	if (!atexit_set++)
		atexit(atexit_cleanup);
	tracefs_trace_off(t->inst);
	if (tracefs_instance_file_write(t->inst, "trace_clock", "mono") < 0) {
		rplat_fail(err, errlen, "tracefs: cannot set trace_clock mono: %s", strerror(errno));
		goto fail;
	}
	tracefs_instance_set_buffer_size(t->inst, BUF_KB, -1);
	if (recv_probe) {
		char exe[64], real[PATH_MAX];
		unsigned long long off;

		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)tid);
		if (!realpath(exe, real)) {
			rplat_fail(err, errlen, "%s: %s", exe, strerror(errno));
			goto fail;
		}
		off = elf_func_offset(real, RECV_SYM);
		if (!off) {
			rplat_fail(err, errlen, "%s has no symbol %s: the application does not use the link API "
				   "(or is stripped)", real, RECV_SYM);
			goto fail;
		}
		/* a leftover of a crashed observe */
		{
			struct tracefs_dynevent *old = tracefs_uretprobe_alloc(PROBE_GROUP, "recv", real, off, NULL);

			if (old) {
				rplat_dynevent_remove(old);
				tracefs_dynevent_free(old);
			}
		}
		t->up = tracefs_uretprobe_alloc(PROBE_GROUP, "recv", real, off, "ret=$retval");
		if (!t->up || tracefs_dynevent_create(t->up)) {
			rplat_fail(err, errlen, "tracefs: cannot place a uretprobe on %s+0x%llx (%s): %s", real, off,
				   RECV_SYM, strerror(errno));
			goto fail;
		}
		g_up = t->up;
		snprintf(filt, sizeof(filt), "common_pid == %d", (int)tid);
		if (tracefs_event_file_write(t->inst, PROBE_GROUP, "recv", "filter", filt) < 0 ||
		    tracefs_event_enable(t->inst, PROBE_GROUP, "recv") < 0) {
			rplat_fail(err, errlen, "tracefs: cannot enable %s/recv: %s", PROBE_GROUP, strerror(errno));
			goto fail;
		}
	}
	for (i = 0; i < (recv_probe ? 1u : 3u); i++) {
		if (i == 2)
			snprintf(filt, sizeof(filt), "common_pid == %d", (int)tid);
		else
			snprintf(filt, sizeof(filt), "common_pid == %d && (fd == %d || fd == %d)", (int)tid, fd_tx, fd_rx);
		if (tracefs_event_file_write(t->inst, "syscalls", events[t->sock][i], "filter", filt) < 0 ||
		    tracefs_event_enable(t->inst, "syscalls", events[t->sock][i]) < 0) {
			rplat_fail(err, errlen, "tracefs: cannot enable syscalls/%s: %s", events[t->sock][i],
				   strerror(errno));
			goto fail;
		}
	}
	if (kprobes)
		setup_kprobes(t);
	if (sched && setup_sched(t, recv_probe, err, errlen))
		goto fail;
	t->tep = load_formats(t, recv_probe);
	if (!t->tep) {
		rplat_fail(err, errlen, "tracefs: cannot read the event formats");
		goto fail;
	}
	if (sched) {
		t->dec = rplat_tdec_alloc(t->tep);
		if (!t->dec) {
			rplat_fail(err, errlen, "out of memory");
			goto fail;
		}
	}
	return t;
fail:
	rplat_obs_trace_destroy(t);
	return NULL;
}

int rplat_obs_trace_start(struct rplat_obs_trace *t)
{
	t->steal0 = rplat_sysenv_steal_ns();
	t->t_start = rplat_now_ns();
	return tracefs_trace_on(t->inst);
}

int rplat_obs_trace_off(struct rplat_obs_trace *t)
{
	return tracefs_trace_off(t->inst);
}

static int field(struct tep_event *e, struct tep_record *r, const char *name, unsigned long long *v)
{
	struct tep_format_field *f = tep_find_field(e, name);

	return f && tep_read_number_field(f, r->data, v) == 0 ? 0 : -1;
}

static void push(struct rplat_obs_trace *t, int64_t ts, int type, int64_t len)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 4096;
		struct rplat_obs_hostev *ne = realloc(t->ev, cap * sizeof(*ne));

		if (!ne) {
			t->oom = 1;
			return;
		}
		t->ev = ne;
		t->cap = cap;
	}
	t->ev[t->n].t = ts;
	t->ev[t->n].type = type;
	t->ev[t->n].len = len;
	t->n++;
}

/* The event as the analysis reads it (struct rplat_tev), after a LOST record where the CPU lost events
 * since the last one read. Observe's own probes (group rplat_observe) are given the analysis' meaning:
 * recv is rplat_link_recv()'s return, kick the kernel's virtqueue notify in the writer's thread, irq
 * the remote's interrupt. */
static void to_tev(struct rplat_obs_trace *t, struct tep_event *e, struct tep_record *r, int cpu)
{
	struct rplat_tev ev;
	unsigned long long v;

	if (cpu < 0 || cpu >= t->ncpus)
		return;
	if (t->lost_pending[cpu]) {
		memset(&ev, 0, sizeof(ev));
		ev.ts = (int64_t)r->ts;
		ev.type = RPLAT_TEV_LOST;
		ev.cpu = (uint16_t)cpu;
		ev.pid = -1;
		ev.c = (int64_t)t->lost_pending[cpu];
		if (rplat_tev_set_push(&t->tev, &ev))
			t->oom = 1;
		t->lost_located[cpu] += t->lost_pending[cpu];
		t->lost_pending[cpu] = 0;
	}
	if (!strcmp(e->system, PROBE_GROUP)) {
		memset(&ev, 0, sizeof(ev));
		ev.ts = (int64_t)r->ts;
		ev.type = RPLAT_TEV_PROBE;
		ev.cpu = (uint16_t)cpu;
		ev.pid = tep_data_pid(t->tep, r);
		if (!strcmp(e->name, "recv")) {
			if (field(e, r, "ret", &v) || (long long)v <= 0)
				return;
			ev.a = RPLAT_PROBE_RECV_RET;
		} else if (!strcmp(e->name, "kick")) {
			ev.a = RPLAT_PROBE_VIRTQUEUE_KICK;
		} else if (!strcmp(e->name, "irq")) {
			ev.a = RPLAT_PROBE_RPROC_VQ_INTERRUPT;
		} else {
			return;
		}
	} else if (rplat_tdec_event(t->dec, r->data, r->size, (int64_t)r->ts, (unsigned)cpu, &ev, &t->tev.names) != 1) {
		return;
	}
	if (rplat_tev_set_push(&t->tev, &ev))
		t->oom = 1;
	t->cpu_events[cpu]++;
}

static int on_event(struct tep_event *e, struct tep_record *r, int cpu, void *ctx)
{
	struct rplat_obs_trace *t = ctx;
	unsigned long long fd, v;

	if (t->sched)
		to_tev(t, e, r, cpu);
	if (!strcmp(e->name, events[t->sock][0])) {
		if (field(e, r, "fd", &fd) || (int)fd != t->fd_tx || field(e, r, t->sock ? "len" : "count", &v))
			return 0;
		push(t, (int64_t)r->ts, RPLAT_OBS_WRITE, t->msg_lens ? (int64_t)v : -1);
	} else if (t->kp[0] && !strcmp(e->name, "kick")) {
		push(t, (int64_t)r->ts, RPLAT_OBS_KICK, -1);
	} else if (t->kp[1] && !strcmp(e->name, "irq")) {
		push(t, (int64_t)r->ts, RPLAT_OBS_IRQ, -1);
	} else if (t->up && !strcmp(e->name, "recv")) {
		if (field(e, r, "ret", &v) == 0 && (long long)v > 0)
			push(t, (int64_t)r->ts, RPLAT_OBS_READ, t->msg_lens ? (long long)v : -1);
	} else if (t->up) {
		return 0; /* the read syscalls, traced for the analysis only: the uretprobe is the read */
	} else if (!strcmp(e->name, events[t->sock][1])) {
		t->read_fd = field(e, r, "fd", &fd) ? -1 : (int)fd;
	} else if (!strcmp(e->name, events[t->sock][2])) {
		long long ret;

		if (t->read_fd != t->fd_rx || field(e, r, "ret", &v))
			return 0;
		t->read_fd = -1;
		ret = (long long)v;
		if (ret > 0)
			push(t, (int64_t)r->ts, RPLAT_OBS_READ, t->msg_lens ? ret : -1);
	}
	return 0;
}

static int cmp_ev(const void *a, const void *b)
{
	const struct rplat_obs_hostev *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

/* Events the kernel overwrote (per_cpu/cpuN/stats "overrun") since the last look: they are the oldest
 * unread ones of that CPU, so they go missing just before the next event read from it, where a LOST
 * record says so (the analysis' gap runs from the CPU's event before it). */
static void account_overrun(struct rplat_obs_trace *t)
{
	int cpu;

	for (cpu = 0; cpu < t->ncpus; cpu++) {
		char path[64], *stats;
		const char *o;
		uint64_t v;

		snprintf(path, sizeof(path), "per_cpu/cpu%d/stats", cpu);
		stats = tracefs_instance_file_read(t->inst, path, NULL);
		if (!stats)
			continue;
		o = strstr(stats, "overrun:");
		v = o ? strtoull(o + 8, NULL, 10) : 0;
		if (v > t->over_seen[cpu]) {
			t->lost_pending[cpu] += v - t->over_seen[cpu];
			t->over_seen[cpu] = v;
		}
		free(stats);
	}
}

int rplat_obs_trace_drain(struct rplat_obs_trace *t)
{
	if (!t->sched)
		return 0;
	account_overrun(t);
	if (tracefs_iterate_raw_events(t->tep, t->inst, NULL, 0, on_event, t) < 0 || t->oom)
		return -1;
	rplat_tev_names_sample_policies(&t->tev.names);
	return 0;
}

int rplat_obs_trace_collect(struct rplat_obs_trace *t, struct rplat_obs_hostev **ev, size_t *n, uint64_t *lost,
			    char *err, size_t errlen)
{
	char *stats;
	unsigned cpu;

	tracefs_trace_off(t->inst);
	t->t_stop = rplat_now_ns();
	if (t->sched)
		account_overrun(t);
	*lost = 0;
	/* events lost to a full buffer: per_cpu/cpuN/stats "overrun" */
	for (cpu = 0; cpu < 1024; cpu++) {
		char path[64];
		const char *o;

		snprintf(path, sizeof(path), "per_cpu/cpu%u/stats", cpu);
		stats = tracefs_instance_file_read(t->inst, path, NULL);
		if (!stats)
			break;
		o = strstr(stats, "overrun:");
		if (o)
			*lost += strtoull(o + 8, NULL, 10);
		free(stats);
	}
	if (tracefs_iterate_raw_events(t->tep, t->inst, NULL, 0, on_event, t) < 0)
		return rplat_fail(err, errlen, "tracefs: reading the %s buffers failed", INSTANCE);
	if (t->oom)
		return rplat_fail(err, errlen, "out of memory reading the trace");
	if (t->sched)
		rplat_tev_names_sample_policies(&t->tev.names);
	/* per-CPU buffers: put the thread's events back in time order (a thread that migrated) */
	if (t->n)
		qsort(t->ev, t->n, sizeof(*t->ev), cmp_ev);
	*ev = t->ev;
	*n = t->n;
	return 0;
}

void rplat_obs_trace_counts(const struct rplat_obs_trace *t, uint64_t *nev, uint64_t *lost, uint64_t *located)
{
	int cpu;

	*nev = t->tev.n;
	*lost = *located = 0;
	for (cpu = 0; t->sched && cpu < t->ncpus; cpu++) {
		*lost += t->over_seen[cpu];
		*located += t->lost_located[cpu];
	}
}

static int write_names(struct rplat_obs_trace *t, const char *dir)
{
	char path[4200], tmp[4210], p[64], comm[32] = "";
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/task/%d/comm", (int)t->tid, (int)t->tid);
	f = fopen(p, "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f) && !rplat_tev_names_find(&t->tev.names, t->tid)) {
			char c16[16] = { 0 };

			comm[strcspn(comm, "\n")] = 0;
			memcpy(c16, comm, strnlen(comm, 15));
			rplat_tev_names_task(&t->tev.names, t->tid, c16, INT32_MIN);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/names.tsv", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	if (rplat_tev_names_write(&t->tev.names, f) | fclose(f)) {
		unlink(tmp);
		return -1;
	}
	return rename(tmp, path);
}

static void json_list(struct rplat_jw *jw, const char *key, const char *csv)
{
	char buf[2048], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", csv);
	rplat_jw_arr_begin(jw, key);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		rplat_jw_str(jw, NULL, tok);
	rplat_jw_arr_end(jw);
}

/* capture.json with the keys the analysis reads (analyze_out.c rplat_ana_load_run) and rplat trace
 * writes; "missed" is what LOST records locate, "overrun" all the kernel overwrote, so the analysis
 * counts the difference (a loss at the very end) against every window. */
static int write_capture_json(struct rplat_obs_trace *t, const char *dir, size_t nmarkers, pid_t remote_pid)
{
	char path[4200], tmp[4210];
	struct rplat_jw jw;
	int64_t steal = rplat_sysenv_steal_ns();
	uint64_t ev = 0, lost = 0, located = 0;
	FILE *f;
	int cpu;

	rplat_obs_trace_counts(t, &ev, &lost, &located);
	if (t->steal0 >= 0 && steal >= t->steal0)
		t->env.steal_ns = steal - t->steal0;
	snprintf(path, sizeof(path), "%s/capture.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	rplat_jw_init(&jw, f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_jw_str(&jw, "format", "rplat-trace-capture");
	rplat_jw_int(&jw, "format_version", 1);
	rplat_jw_str(&jw, "tool", "rplat " RPLAT_VERSION);
	rplat_jw_str(&jw, "source", "rplat observe");
	rplat_jw_str(&jw, "instance", INSTANCE);
	rplat_jw_str(&jw, "trace_clock", "mono");
	rplat_jw_str(&jw, "time_unit", "ns, CLOCK_MONOTONIC (the clock of samples.tsv)");
	rplat_jw_uint(&jw, "buffer_kb", BUF_KB);
	rplat_jw_int(&jw, "ncpus", t->ncpus);
	rplat_jw_arr_begin(&jw, "pids");
	rplat_jw_int(&jw, NULL, t->tid);
	rplat_jw_arr_end(&jw);
	rplat_jw_int(&jw, "remote_pid", remote_pid);
	rplat_jw_int(&jw, "reader_tid", (int)getpid());
	rplat_jw_int(&jw, "marker_fd", -1);
	rplat_jw_str(&jw, "markers", "none written: each 'rplat seq=N' marker is placed by rplat observe 1 ns before "
		     "the application's write of message N (samples.tsv t_send), so that the analysis opens its window "
		     "there");
	rplat_jw_uint(&jw, "markers_placed", nmarkers);
	rplat_sysenv_json(&jw, "system", &t->env);
	json_list(&jw, "events", t->events_on);
	rplat_jw_obj_begin(&jw, "kprobes");
	rplat_jw_bool(&jw, "available", t->kp[0] || t->kp[1]);
	json_list(&jw, "traced", t->kp_placed);
	rplat_jw_obj_end(&jw);
	rplat_jw_int(&jw, "start_ns", t->t_start);
	rplat_jw_int(&jw, "stop_ns", t->t_stop);
	rplat_jw_obj_begin(&jw, "stats");
	rplat_jw_uint(&jw, "events", ev);
	rplat_jw_uint(&jw, "missed", located);
	rplat_jw_uint(&jw, "overrun", lost);
	rplat_jw_uint(&jw, "dropped", 0);
	rplat_jw_bool(&jw, "aborted", 0);
	rplat_jw_arr_begin(&jw, "cpus");
	for (cpu = 0; cpu < t->ncpus; cpu++) {
		rplat_jw_obj_begin(&jw, NULL);
		rplat_jw_int(&jw, "cpu", cpu);
		rplat_jw_uint(&jw, "events", t->cpu_events[cpu]);
		rplat_jw_uint(&jw, "missed", t->lost_located[cpu]);
		rplat_jw_uint(&jw, "overrun", t->over_seen[cpu]);
		rplat_jw_uint(&jw, "dropped", 0);
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_arr_end(&jw);
	rplat_jw_obj_end(&jw);
	rplat_jw_obj_end(&jw);
	if (rplat_jw_finish(&jw) | fclose(f)) {
		unlink(tmp);
		return -1;
	}
	return rename(tmp, path);
}

int rplat_obs_place_markers(struct rplat_tev_set *s, int32_t tid, const struct rplat_obs_marker *mk, size_t nmk)
{
	size_t i, base;

	rplat_tev_set_sort(s);
	base = s->n;
	for (i = 0; i < nmk; i++) {
		size_t k = rplat_tev_set_lower(s, mk[i].t);
		struct rplat_tev e;

		memset(&e, 0, sizeof(e));
		for (; k < base && s->ev[k].ts == mk[i].t; k++)
			if (s->ev[k].type == RPLAT_TEV_SYS_ENTER && s->ev[k].pid == tid) {
				e.cpu = s->ev[k].cpu;
				break;
			}
		e.ts = mk[i].t > 0 ? mk[i].t - 1 : 0;
		e.type = RPLAT_TEV_MARKER;
		e.pid = tid;
		e.a = (int32_t)mk[i].seq;
		e.b = 0;
		e.c = (int64_t)mk[i].seq;
		if (rplat_tev_set_push(s, &e))
			return -1;
	}
	rplat_tev_set_sort(s);
	return 0;
}

int rplat_obs_trace_write(struct rplat_obs_trace *t, const char *dir, const struct rplat_obs_marker *mk, size_t nmk,
			  pid_t remote_pid, char *err, size_t errlen)
{
	struct rplat_tev_writer *w = NULL;
	size_t i;
	int cpu, rc = -1;

	if (!t->sched)
		return rplat_fail(err, errlen, "no scheduling events were traced");
	if (mkdir(dir, 0755) && errno != EEXIST)
		return rplat_fail(err, errlen, "%s: %s", dir, strerror(errno));
	if (rplat_obs_place_markers(&t->tev, t->tid, mk, nmk))
		return rplat_fail(err, errlen, "out of memory");
	w = calloc((size_t)t->ncpus, sizeof(*w));
	if (!w)
		return rplat_fail(err, errlen, "out of memory");
	for (cpu = 0; cpu < t->ncpus; cpu++) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/cpu%d.ev", dir, cpu);
		if (rplat_tev_writer_open(&w[cpu], path, (unsigned)cpu)) {
			rplat_fail(err, errlen, "%s.tmp: %s", path, strerror(errno));
			goto out;
		}
	}
	for (i = 0; i < t->tev.n; i++)
		if (t->tev.ev[i].cpu < t->ncpus)
			rplat_tev_writer_put(&w[t->tev.ev[i].cpu], &t->tev.ev[i]);
	for (cpu = 0; cpu < t->ncpus; cpu++)
		if (w[cpu].failed) {
			rplat_fail(err, errlen, "%s: %s", w[cpu].path, strerror(w[cpu].failed));
			goto out;
		}
	rc = 0;
out:
	for (cpu = 0; cpu < t->ncpus; cpu++)
		if (w[cpu].f && rplat_tev_writer_close(&w[cpu], !rc) && !rc)
			rc = rplat_fail(err, errlen, "%s: %s", w[cpu].path, strerror(errno));
	free(w);
	if (!rc && (write_names(t, dir) || write_capture_json(t, dir, nmk, remote_pid)))
		rc = rplat_fail(err, errlen, "%s: %s", dir, strerror(errno));
	return rc;
}
