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

#include <event-parse.h>
#include <tracefs.h>
#include <unistd.h>

#include "rplat/observe.h"
#include "rplat/util.h"
#include "capture.h"
#include "observe_local.h"

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
};

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
	if (t->tep)
		tep_free(t->tep);
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

const char *rplat_obs_trace_kprobes(const struct rplat_obs_trace *t, const char **why)
{
	if (why)
		*why = t->kp_why[0] ? t->kp_why : NULL;
	return t->kp_placed;
}

struct rplat_obs_trace *rplat_obs_trace_create(pid_t tid, int fd_tx, int fd_rx, int msg_lens, int sock,
					       int recv_probe, int kprobes, char *err, size_t errlen)
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
	t->tep = load_formats(t, recv_probe);
	if (!t->tep) {
		rplat_fail(err, errlen, "tracefs: cannot read the syscalls event formats");
		goto fail;
	}
	return t;
fail:
	rplat_obs_trace_destroy(t);
	return NULL;
}

int rplat_obs_trace_start(struct rplat_obs_trace *t)
{
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

static int on_event(struct tep_event *e, struct tep_record *r, int cpu, void *ctx)
{
	struct rplat_obs_trace *t = ctx;
	unsigned long long fd, v;

	(void)cpu;
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

int rplat_obs_trace_collect(struct rplat_obs_trace *t, struct rplat_obs_hostev **ev, size_t *n, uint64_t *lost,
			    char *err, size_t errlen)
{
	char *stats;
	unsigned cpu;

	tracefs_trace_off(t->inst);
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
	/* per-CPU buffers: put the thread's events back in time order (a thread that migrated) */
	if (t->n)
		qsort(t->ev, t->n, sizeof(*t->ev), cmp_ev);
	*ev = t->ev;
	*n = t->n;
	return 0;
}
