/* ftrace capture through libtracefs. See capture.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <event-parse.h>
#include <kbuffer.h>
#include <tracefs.h>

#include "rplat/json.h"
#include "rplat/util.h"
#include "capture.h"
#include "decode.h"
#include "sysenv.h"
#include "tev.h"

#define MAX_NOTES 48
#define MAX_SETTINGS 96
#define MAX_DYN 8
#define LOCK_PATH "/run/lock/rplat-trace.lock"

/* ---- the settings table: every file the capture writes, with the value to restore ---- */

enum restore_kind {
	R_PLAIN,    /* the first word of what was read ("1\n", "1408 (expanded: ...)") */
	R_BRACKET,  /* the [selected] word (trace_clock) */
	R_FILTER,   /* "none" means no filter: write "0" to clear */
};

struct setting {
	char file[192];   /* relative to the instance directory */
	char want[384];
	char saved[128];
	enum restore_kind kind;
	int applied;
};

struct cpu_reader {
	int cpu;
	int fd;
	struct tracefs_cpu *tcpu;
	struct rplat_tev_writer w;
	struct rplat_capture_cpu_stats st;
};

struct rplat_capture {
	struct rplat_capture_opts o;
	char name[64];
	char out_dir[4096];
	struct tracefs_instance *inst;
	char *inst_dir;
	int created;        /* we created the instance (and must remove it) */
	int lock_fd;
	struct setting set[MAX_SETTINGS];
	int nset;
	struct tracefs_dynevent *dyn[MAX_DYN];
	char dyn_name[MAX_DYN][64];
	int ndyn;
	char exe[4096];
	unsigned long long up_off[2];
	int kprobes_available;
	char kprobes_traced[256], kprobes_missing[256];
	char mbox_irqs[256];
	char events[2048];  /* "sys:event," list of what is enabled */
	int nevents;
	struct tep_handle *tep;
	struct rplat_tdec *dec;
	struct kbuffer *kbuf;
	int subbuf;
	void *page;
	int ncpus;
	struct cpu_reader *cpu;
	struct rplat_capture_cpu_stats *cpu_stats;
	struct rplat_tev_names names;
	pthread_t thread;
	int thread_running;
	atomic_int phase;   /* 0 run, 1 drain then exit */
	int marker_fd;
	int on_fd;          /* tracing_on */
	int64_t t_start, t_stop;
	int64_t reader_cpu_ns; /* CPU time the reader thread used */
	atomic_int reader_tid; /* the reader thread ("rplat-trace"), named in capture.json */
	struct rplat_sysenv env; /* preemption model, guest, cpuidle; steal time during the capture */
	int64_t steal0;
	int stopped;
	int write_failed;
	char notes[MAX_NOTES][256];
	int nnotes;
	int signals_installed;
	int destroying;
};

/* Emergency state for the signal and atexit paths: fixed buffers only. */
static struct {
	volatile sig_atomic_t armed;
	char tracing_on[600];
	char events_enable[600];
	char inst_dir[512];
	char dynamic_events[512];
	char dyn_remove[MAX_DYN][96];
	int ndyn;
	int fds[512];
	int nfds;
} g_em;

static volatile sig_atomic_t g_interrupts;
static atomic_int g_abort;
static struct rplat_capture *g_cap;

static void note(struct rplat_capture *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct rplat_capture *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nnotes == MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(c->notes[c->nnotes], sizeof(c->notes[0]), fmt, ap);
	va_end(ap);
	if (c->o.warn && c->destroying)
		c->o.warn(c->notes[c->nnotes]); /* nobody reads the notes any more */
	c->nnotes++;
}

void rplat_capture_opts_init(struct rplat_capture_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->instance = RPLAT_CAPTURE_INSTANCE;
	o->uprobes = 1;
	o->poll_ms = 10;
	o->reader_cpu = -1;
	o->lock_wait_ms = 60000;
}

/* ---- settings: get / set / restore ---- */

static void parse_saved(const char *text, enum restore_kind kind, char *out, size_t len)
{
	const char *s = text, *e;

	out[0] = 0;
	if (!s)
		return;
	if (kind == R_BRACKET) {
		s = strchr(text, '[');
		if (!s)
			return;
		s++;
		e = strchr(s, ']');
	} else {
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strcspn(s, " \t\n");
	}
	if (!e || (size_t)(e - s) >= len)
		return;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = 0;
	if (kind == R_FILTER && (!strcmp(out, "none") || !out[0]))
		snprintf(out, len, "0");
}

/* Read the current value, write the wanted one. The setting joins the table only when it exists. */
static int setting_apply(struct rplat_capture *c, const char *file, const char *want, enum restore_kind kind,
			 char *err, size_t errlen)
{
	struct setting *s;
	char *cur;

	if (c->nset == MAX_SETTINGS)
		return rplat_fail(err, errlen, "tracefs: more than %d settings", MAX_SETTINGS);
	s = &c->set[c->nset];
	memset(s, 0, sizeof(*s));
	snprintf(s->file, sizeof(s->file), "%s", file);
	snprintf(s->want, sizeof(s->want), "%s", want);
	s->kind = kind;
	cur = tracefs_instance_file_read(c->inst, file, NULL);
	if (!cur)
		return rplat_fail(err, errlen, "tracefs: cannot read %s/%s: %s", c->inst_dir, file, strerror(errno));
	parse_saved(cur, kind, s->saved, sizeof(s->saved));
	free(cur);
	if (!s->saved[0])
		return rplat_fail(err, errlen, "tracefs: %s/%s: cannot parse the current value", c->inst_dir, file);
	c->nset++;
	if (tracefs_instance_file_write(c->inst, file, want) < 0)
		return rplat_fail(err, errlen, "tracefs: cannot write '%s' to %s/%s: %s", want, c->inst_dir, file,
				  strerror(errno));
	s->applied = 1;
	return 0;
}

static void settings_restore(struct rplat_capture *c)
{
	int i;

	for (i = c->nset - 1; i >= 0; i--) {
		struct setting *s = &c->set[i];

		if (s->applied && tracefs_instance_file_write(c->inst, s->file, s->saved) < 0)
			note(c, "could not restore %s to '%s': %s", s->file, s->saved, strerror(errno));
		s->applied = 0;
	}
	c->nset = 0;
}

/* ---- emergency cleanup (async-signal-safe) ---- */

static void em_write(const char *path, const char *s, int append)
{
	int fd;

	if (!path[0])
		return;
	fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd >= 0) {
		ssize_t r = write(fd, s, strlen(s));

		(void)r;
		close(fd);
	}
}

void rplat_capture_emergency_cleanup(void)
{
	int i;

	if (!g_em.armed)
		return;
	g_em.armed = 0;
	em_write(g_em.tracing_on, "0", 0);
	em_write(g_em.events_enable, "0", 0);
	for (i = 0; i < g_em.nfds; i++)
		close(g_em.fds[i]);
	g_em.nfds = 0;
	if (g_em.inst_dir[0])
		rmdir(g_em.inst_dir);
	for (i = 0; i < g_em.ndyn; i++)
		em_write(g_em.dynamic_events, g_em.dyn_remove[i], 1);
}

void rplat_capture_interrupt(void)
{
	int n = ++g_interrupts;

	if (n >= 2)
		atomic_store(&g_abort, 1);
	if (n >= 3)
		rplat_capture_emergency_cleanup();
}

static void at_exit(void)
{
	rplat_capture_emergency_cleanup();
}

static void em_add_fd(int fd)
{
	if (fd >= 0 && g_em.nfds < (int)(sizeof(g_em.fds) / sizeof(g_em.fds[0])))
		g_em.fds[g_em.nfds++] = fd;
}

/* ---- signals ---- */

static const int sig_soft[] = { SIGINT, SIGTERM, SIGHUP };
static const int sig_fatal[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL };
static struct sigaction g_old[65];

static void chain(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *o = &g_old[sig];

	if (o->sa_flags & SA_SIGINFO) {
		if (o->sa_sigaction)
			o->sa_sigaction(sig, si, uc);
		return;
	}
	if (o->sa_handler == SIG_IGN)
		return;
	if (o->sa_handler == SIG_DFL) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	o->sa_handler(sig);
}

static void on_soft(int sig, siginfo_t *si, void *uc)
{
	rplat_capture_interrupt();
	/* the caller's handler ends the run on the first signal and gives up on the later ones; the second
	 * is ours alone: it stops the reader so the capture can still be saved */
	if (g_interrupts == 2)
		return;
	if (g_interrupts >= 3 || g_old[sig].sa_handler == SIG_DFL)
		rplat_capture_emergency_cleanup();
	chain(sig, si, uc);
}

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
	rplat_capture_emergency_cleanup();
	chain(sig, si, uc);
}

void rplat_capture_install_signals(struct rplat_capture *c)
{
	struct sigaction sa;
	size_t i;

	if (c->signals_installed)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_soft;
	sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: blocked calls return EINTR, as the caller expects */
	for (i = 0; i < sizeof(sig_soft) / sizeof(sig_soft[0]); i++)
		sigaction(sig_soft[i], &sa, &g_old[sig_soft[i]]);
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	for (i = 0; i < sizeof(sig_fatal) / sizeof(sig_fatal[0]); i++)
		sigaction(sig_fatal[i], &sa, &g_old[sig_fatal[i]]);
	c->signals_installed = 1;
}

static void restore_signals(struct rplat_capture *c)
{
	size_t i;

	if (!c->signals_installed)
		return;
	for (i = 0; i < sizeof(sig_soft) / sizeof(sig_soft[0]); i++)
		sigaction(sig_soft[i], &g_old[sig_soft[i]], NULL);
	for (i = 0; i < sizeof(sig_fatal) / sizeof(sig_fatal[0]); i++)
		sigaction(sig_fatal[i], &g_old[sig_fatal[i]], NULL);
	c->signals_installed = 0;
}

/* ---- leftovers and the lock ---- */

/*
 * Remove one of rplat's dynamic events. Not forced first: libtracefs's force disables the event in every
 * instance including the top level, and writing even "0" to a top-level events/.../enable makes the kernel
 * expand the top-level ring buffer for good (event_enable_write() calls tracing_update_buffers() before it
 * looks at the value, kernel/trace/trace_events.c), so a machine that had never traced would be left with
 * a 1.4 MB-per-CPU buffer. By the time this runs rplat's own instance is gone, so the event is enabled
 * nowhere unless someone else enabled it; only then is it forced.
 */
int rplat_dynevent_remove(struct tracefs_dynevent *d)
{
	if (!tracefs_dynevent_destroy(d, false))
		return 0;
	return tracefs_dynevent_destroy(d, true);
}

static int remove_rplat_dynevents(int remove, char *msg, size_t len, size_t *used)
{
	struct tracefs_dynevent **list = tracefs_dynevent_get_all(TRACEFS_DYNEVENT_ALL, RPLAT_TDEC_PROBE_GROUP);
	int n = 0, i;

	if (!list)
		return 0;
	for (i = 0; list[i]; i++) {
		char *sys = NULL, *ev = NULL;

		tracefs_dynevent_info(list[i], &sys, &ev, NULL, NULL, NULL);
		if (*used < len)
			*used += (size_t)snprintf(msg + *used, len - *used, "%sdynamic event %s/%s", *used ? ", " : "",
						  sys ? sys : "?", ev ? ev : "?");
		free(sys);
		free(ev);
		if (remove)
			rplat_dynevent_remove(list[i]);
		n++;
	}
	tracefs_dynevent_list_free(list);
	return n;
}

/* Whether another process's capture holds the machine-wide lock (its instance is live, not a leftover):
 * its pid goes to msg. Our own capture's lock does not count. */
static int lock_busy(char *msg, size_t len)
{
	char buf[32];
	int fd, busy;

	if (g_cap && g_cap->lock_fd >= 0)
		return 0;
	fd = open(LOCK_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = open("/tmp/rplat-trace.lock", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0; /* no lock file: nobody ever traced */
	busy = flock(fd, LOCK_EX | LOCK_NB) != 0;
	if (busy && len) {
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

		buf[n > 0 ? n : 0] = 0;
		snprintf(msg, len, "a running rplat trace (pid %s) is using the instance '%s': left alone",
			 n > 0 ? strtok(buf, "\n") : "?", RPLAT_CAPTURE_INSTANCE);
	}
	close(fd); /* releases the lock if we took it */
	return busy;
}

int rplat_capture_leftovers(int remove, char *msg, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		msg[0] = 0;
	if (lock_busy(msg, len)) /* a live capture, not a leftover: turning it off would truncate it */
		return -1;
	if (tracefs_instance_exists(RPLAT_CAPTURE_INSTANCE)) {
		n++;
		used += (size_t)snprintf(msg, len, "instance '%s'", RPLAT_CAPTURE_INSTANCE);
		if (used > len)
			used = len;
		if (remove) {
			struct tracefs_instance *i = tracefs_instance_alloc(NULL, RPLAT_CAPTURE_INSTANCE);

			if (i) {
				tracefs_instance_file_write(i, "tracing_on", "0");
				tracefs_instance_file_write(i, "events/enable", "0");
				tracefs_instance_destroy(i);
				tracefs_instance_free(i);
			}
		}
	}
	n += remove_rplat_dynevents(remove, msg, len, &used);
	return n;
}

/* One capture per machine: the instance is machine-wide. Another rplat trace holding the lock is waited
 * for (up to lock_wait_ms; a signal ends the wait), so that runs started together serialize. */
static int take_lock(struct rplat_capture *c, char *err, size_t errlen)
{
	char buf[32];
	int fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0644), waited = 0;

	if (fd < 0)
		fd = open("/tmp/rplat-trace.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return rplat_fail(err, errlen, "cannot open the lock file %s: %s", LOCK_PATH, strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		struct timespec ts = { 0, 100000000 };

		if (waited >= c->o.lock_wait_ms || g_interrupts) {
			ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

			buf[n > 0 ? n : 0] = 0;
			close(fd);
			return rplat_fail(err, errlen, "another rplat trace (pid %s) is using the tracefs instance '%s'",
					  n > 0 ? strtok(buf, "\n") : "?", c->name);
		}
		nanosleep(&ts, NULL);
		waited += 100;
	}
	if (waited)
		note(c, "waited %.1f s for another rplat trace to finish", waited / 1000.0);
	if (ftruncate(fd, 0) == 0) {
		int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
		ssize_t r = pwrite(fd, buf, (size_t)n, 0);

		(void)r;
	}
	c->lock_fd = fd;
	return 0;
}

/* ---- uprobes: file offsets of rplat's own send and receive functions ---- */

static int elf_offsets(const char *path, const char *const *syms, unsigned long long *off, int n)
{
	Elf *e = NULL;
	Elf_Scn *scn = NULL;
	size_t nph, i;
	int fd, found = 0, k;
	GElf_Addr addr[4] = { 0 };

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		goto out;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t j, cnt;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		cnt = sh.sh_size / sh.sh_entsize;
		for (j = 0; d && j < cnt; j++) {
			GElf_Sym sym;
			const char *nm;

			if (!gelf_getsym(d, (int)j, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_value)
				continue;
			nm = elf_strptr(e, sh.sh_link, sym.st_name);
			for (k = 0; nm && k < n; k++)
				if (!addr[k] && !strcmp(nm, syms[k]))
					addr[k] = sym.st_value;
		}
	}
	if (elf_getphdrnum(e, &nph))
		goto out;
	for (k = 0; k < n; k++) {
		off[k] = 0;
		for (i = 0; addr[k] && i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && addr[k] >= ph.p_vaddr &&
			    addr[k] < ph.p_vaddr + ph.p_filesz) {
				off[k] = addr[k] - ph.p_vaddr + ph.p_offset;
				found++;
				break;
			}
		}
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	return found;
}

static void dyn_track(struct rplat_capture *c, struct tracefs_dynevent *d, const char *name)
{
	c->dyn[c->ndyn] = d;
	snprintf(c->dyn_name[c->ndyn], sizeof(c->dyn_name[0]), "%s", name);
	snprintf(g_em.dyn_remove[g_em.ndyn], sizeof(g_em.dyn_remove[0]), "-:%s/%s\n", RPLAT_TDEC_PROBE_GROUP, name);
	g_em.ndyn++;
	c->ndyn++;
}

static void setup_uprobes(struct rplat_capture *c)
{
	static const char *const syms[2] = { "rplat_link_send", "rplat_link_recv" };
	const char *src = c->o.exe ? c->o.exe : "/proc/self/exe";
	int k;

	if (!realpath(src, c->exe)) {
		note(c, "uprobes: cannot resolve %s: %s; not placed", src, strerror(errno));
		return;
	}
	if (!tracefs_file_exists(NULL, "uprobe_events")) {
		note(c, "uprobes: not available on this kernel (no uprobe_events in tracefs)");
		return;
	}
	if (elf_offsets(c->exe, syms, c->up_off, 2) <= 0) {
		note(c, "uprobes: %s has no symbols rplat_link_send/rplat_link_recv (stripped?); not placed", c->exe);
		return;
	}
	for (k = 0; k < 2; k++) {
		const char *ev = k == 0 ? "send" : "recv";
		struct tracefs_dynevent *d;

		if (!c->up_off[k])
			continue;
		d = k == 0 ? tracefs_uprobe_alloc(RPLAT_TDEC_PROBE_GROUP, ev, c->exe, c->up_off[k], NULL)
			   : tracefs_uretprobe_alloc(RPLAT_TDEC_PROBE_GROUP, ev, c->exe, c->up_off[k], NULL);
		if (!d || tracefs_dynevent_create(d)) {
			note(c, "uprobes: cannot create %s/%s at %s+0x%llx: %s", RPLAT_TDEC_PROBE_GROUP, ev, c->exe,
			     c->up_off[k], strerror(errno));
			tracefs_dynevent_free(d);
			continue;
		}
		dyn_track(c, d, ev);
	}
}

static int ksym_exists(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512];
	size_t n = strlen(name);
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ' ');

		if (p && (p = strchr(p + 1, ' ')) && !strncmp(p + 1, name, n) &&
		    (p[1 + n] == '\n' || p[1 + n] == '\t' || p[1 + n] == ' '))
			found = 1;
	}
	fclose(f);
	return found;
}

static const char *const kprobe_syms[] = { "rproc_vq_interrupt", "rpmsg_recv_done", "virtqueue_kick",
					   "mbox_send_message" };

static void setup_kprobes(struct rplat_capture *c)
{
	size_t i;

	c->kprobes_available = tracefs_file_exists(NULL, "kprobe_events");
	if (!c->kprobes_available) {
		snprintf(c->kprobes_missing, sizeof(c->kprobes_missing),
			 "rproc_vq_interrupt,rpmsg_recv_done,virtqueue_kick,mbox_send_message");
		note(c, "kprobes: not available on this kernel (no kprobe_events in tracefs); not traced: "
			"rproc_vq_interrupt, rpmsg_recv_done, virtqueue_kick, mbox_send_message");
		return;
	}
	for (i = 0; i < sizeof(kprobe_syms) / sizeof(kprobe_syms[0]); i++) {
		struct tracefs_dynevent *d = NULL;
		char *list = c->kprobes_traced;

		if (c->ndyn < MAX_DYN && ksym_exists(kprobe_syms[i])) {
			d = tracefs_kprobe_alloc(RPLAT_TDEC_PROBE_GROUP, kprobe_syms[i], kprobe_syms[i], NULL);
			if (d && tracefs_dynevent_create(d)) {
				tracefs_dynevent_free(d);
				d = NULL;
			}
		}
		if (d)
			dyn_track(c, d, kprobe_syms[i]);
		else
			list = c->kprobes_missing;
		snprintf(list + strlen(list), sizeof(c->kprobes_traced) - strlen(list), "%s%s", *list ? "," : "",
			 kprobe_syms[i]);
	}
	if (c->kprobes_missing[0])
		note(c, "kprobes: not in this kernel (no symbol or not probeable): %s", c->kprobes_missing);
}

/* The mailbox IRQ, by name, from /proc/interrupts: "mbox", "mailbox". */
static void find_mailbox_irqs(struct rplat_capture *c)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[1024];

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');

			if (!colon || (!strstr(line, "mbox") && !strstr(line, "mailbox")))
				continue;
			*colon = 0;
			snprintf(c->mbox_irqs + strlen(c->mbox_irqs), sizeof(c->mbox_irqs) - strlen(c->mbox_irqs), "%s%s",
				 c->mbox_irqs[0] ? "," : "", line + strspn(line, " "));
		}
		fclose(f);
	}
	if (!c->mbox_irqs[0])
		note(c, "mailbox IRQ: none named *mbox*/*mailbox* in /proc/interrupts (no remoteproc mailbox here); "
			"host-side doorbells are seen as wakeups");
}

/* ---- events ---- */

static int enable_event(struct rplat_capture *c, const char *sys, const char *ev, const char *filter, char *err,
			size_t errlen)
{
	char file[192];

	snprintf(file, sizeof(file), "events/%s/%s/enable", sys, ev);
	if (!tracefs_file_exists(c->inst, file))
		return 1;
	if (filter) {
		char ff[192];

		snprintf(ff, sizeof(ff), "events/%s/%s/filter", sys, ev);
		if (setting_apply(c, ff, filter, R_FILTER, err, errlen))
			return -1;
	}
	if (setting_apply(c, file, "1", R_PLAIN, err, errlen))
		return -1;
	snprintf(c->events + strlen(c->events), sizeof(c->events) - strlen(c->events), "%s%s:%s",
		 c->events[0] ? "," : "", sys, ev);
	c->nevents++;
	return 0;
}

static int setup_events(struct rplat_capture *c, char *err, size_t errlen)
{
	static const struct { const char *sys, *ev; int filtered, needed; } evs[] = {
		{ "sched", "sched_switch", 0, 1 },     { "sched", "sched_waking", 0, 0 },
		{ "sched", "sched_wakeup", 0, 1 },     { "sched", "sched_wakeup_new", 0, 0 },
		{ "sched", "sched_migrate_task", 0, 0 },
		{ "irq", "irq_handler_entry", 0, 0 },  { "irq", "irq_handler_exit", 0, 0 },
		{ "irq", "softirq_entry", 0, 0 },      { "irq", "softirq_exit", 0, 0 },
		{ "syscalls", "sys_enter_write", 1, 0 }, { "syscalls", "sys_exit_write", 1, 0 },
		{ "syscalls", "sys_enter_read", 1, 0 },  { "syscalls", "sys_exit_read", 1, 0 },
		{ "syscalls", "sys_enter_poll", 1, 0 },  { "syscalls", "sys_exit_poll", 1, 0 },
		{ "syscalls", "sys_enter_ppoll", 1, 0 }, { "syscalls", "sys_exit_ppoll", 1, 0 },
		{ "syscalls", "sys_enter_ioctl", 1, 0 }, { "syscalls", "sys_exit_ioctl", 1, 0 },
		/* the qemu link's doorbell (a socket byte) and its reads */
		{ "syscalls", "sys_enter_sendto", 1, 0 }, { "syscalls", "sys_exit_sendto", 1, 0 },
		{ "syscalls", "sys_enter_recvfrom", 1, 0 }, { "syscalls", "sys_exit_recvfrom", 1, 0 },
	};
	char filter[384] = "", missing[512] = "";
	size_t i;
	int k, r;
	char **ipis;

	for (k = 0; k < c->o.npids; k++)
		snprintf(filter + strlen(filter), sizeof(filter) - strlen(filter), "%scommon_pid==%d", k ? "||" : "",
			 (int)c->o.pids[k]);
	if (c->o.npids && c->o.remote_pid > 0) /* the sim probe's syscalls show when it ran */
		snprintf(filter + strlen(filter), sizeof(filter) - strlen(filter), "||common_pid==%d",
			 (int)c->o.remote_pid);
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		if (evs[i].filtered && !c->o.npids)
			continue;
		r = enable_event(c, evs[i].sys, evs[i].ev, evs[i].filtered ? filter : NULL, err, errlen);
		if (r < 0)
			return -1;
		if (r > 0 && evs[i].needed)
			return rplat_fail(err, errlen, "tracefs: event %s:%s does not exist on this kernel", evs[i].sys,
					  evs[i].ev);
		if (r > 0)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s:%s",
				 missing[0] ? ", " : "", evs[i].sys, evs[i].ev);
	}
	/* every ipi event this kernel has */
	ipis = tracefs_system_events(NULL, "ipi");
	if (!ipis || !ipis[0])
		note(c, "events: no ipi events on this kernel");
	for (k = 0; ipis && ipis[k]; k++)
		if (enable_event(c, "ipi", ipis[k], NULL, err, errlen) < 0) {
			tracefs_list_free(ipis);
			return -1;
		}
	tracefs_list_free(ipis);
	for (k = 0; k < c->ndyn; k++)
		if (enable_event(c, RPLAT_TDEC_PROBE_GROUP, c->dyn_name[k], c->o.npids ? filter : NULL, err, errlen) < 0)
			return -1;
	if (missing[0])
		note(c, "events: not on this kernel: %s", missing);
	if (!c->o.npids)
		note(c, "events: no measured pid given: syscalls not traced");
	return 0;
}

/* ---- the reader ---- */

static void decode_page(struct rplat_capture *c, struct cpu_reader *r)
{
	unsigned long long ts;
	struct rplat_tev e;
	void *data;
	int missed;

	if (kbuffer_load_subbuffer(c->kbuf, c->page) < 0)
		return;
	data = kbuffer_read_event(c->kbuf, &ts);
	missed = kbuffer_missed_events(c->kbuf);
	if (missed) {
		memset(&e, 0, sizeof(e));
		e.ts = (int64_t)(data ? ts : kbuffer_subbuf_timestamp(c->kbuf, c->page));
		e.type = RPLAT_TEV_LOST;
		e.cpu = (uint16_t)r->cpu;
		e.pid = -1;
		e.c = missed > 0 ? missed : -1;
		r->st.missed += missed > 0 ? (uint64_t)missed : 1;
		rplat_tev_writer_put(&r->w, &e);
	}
	for (; data; data = kbuffer_next_event(c->kbuf, &ts)) {
		if (rplat_tdec_event(c->dec, data, kbuffer_event_size(c->kbuf), (int64_t)ts, (unsigned)r->cpu, &e,
				     &c->names) == 1) {
			rplat_tev_writer_put(&r->w, &e);
			r->st.events++;
		}
	}
}

/* Read what one CPU has. Returns the number of sub-buffers read. */
static int read_cpu(struct rplat_capture *c, struct cpu_reader *r, int max)
{
	int n = 0;

	while (n < max && !atomic_load(&g_abort)) {
		int got = tracefs_cpu_read(r->tcpu, c->page, true);

		if (got <= 0)
			break;
		r->st.bytes += (uint64_t)got;
		decode_page(c, r);
		n++;
	}
	return n;
}

static void *reader_main(void *arg)
{
	struct rplat_capture *c = arg;
	struct timespec ts = { 0, (long)c->o.poll_ms * 1000000L };
	size_t policies_at = 0;
	int i;

	pthread_setname_np(pthread_self(), "rplat-trace");
	atomic_store(&c->reader_tid, (int)gettid());
	{
		/* created by a thread that may already be real-time: the reader must not compete with it */
		struct sched_param sp = { .sched_priority = 0 };

		pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
	}
	if (c->o.reader_cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(c->o.reader_cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	for (;;) {
		int phase = atomic_load(&c->phase), got = 0;
		struct rusage ru;

		if (!getrusage(RUSAGE_THREAD, &ru))
			c->reader_cpu_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ll +
					   (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ll;

		if (atomic_load(&g_abort))
			break;
		for (i = 0; i < c->ncpus; i++)
			if (c->cpu[i].tcpu)
				got += read_cpu(c, &c->cpu[i], 256);
		if (phase == 1 && !got)
			break; /* tracing is off and every buffer is empty */
		if (!got) {
			if (c->names.ntasks != policies_at) {
				rplat_tev_names_sample_policies(&c->names);
				policies_at = c->names.ntasks;
			}
			nanosleep(&ts, NULL);
		}
	}
	{
		struct rusage ru;

		if (!getrusage(RUSAGE_THREAD, &ru))
			c->reader_cpu_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ll +
					   (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ll;
	}
	return NULL;
}

static int open_readers(struct rplat_capture *c, char *err, size_t errlen)
{
	int i;
	long sub = 0;

	c->ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (c->ncpus < 1)
		c->ncpus = 1;
	if (tracefs_file_exists(c->inst, "buffer_subbuf_size_kb")) {
		long long kb;

		if (!tracefs_instance_file_read_number(c->inst, "buffer_subbuf_size_kb", &kb))
			sub = (long)kb * 1024;
	}
	if (sub <= 0)
		sub = sysconf(_SC_PAGESIZE);
	c->subbuf = (int)sub;
	c->page = malloc((size_t)sub);
	c->cpu = calloc((size_t)c->ncpus, sizeof(*c->cpu));
	c->cpu_stats = calloc((size_t)c->ncpus, sizeof(*c->cpu_stats));
	if (!c->page || !c->cpu || !c->cpu_stats)
		return rplat_fail(err, errlen, "out of memory");
	if (mkdir(c->out_dir, 0755) && errno != EEXIST)
		return rplat_fail(err, errlen, "%s: %s", c->out_dir, strerror(errno));
	for (i = 0; i < c->ncpus; i++) {
		struct cpu_reader *r = &c->cpu[i];
		char file[64], path[4200];

		r->cpu = i;
		r->fd = -1;
		r->st.cpu = i;
		snprintf(file, sizeof(file), "per_cpu/cpu%d/trace_pipe_raw", i);
		r->fd = tracefs_instance_file_open(c->inst, file, O_RDONLY | O_NONBLOCK);
		if (r->fd < 0)
			continue; /* offline CPU */
		em_add_fd(r->fd);
		r->tcpu = tracefs_cpu_alloc_fd(r->fd, c->subbuf, true);
		if (!r->tcpu)
			return rplat_fail(err, errlen, "tracefs: cannot read cpu%d's buffer: %s", i, strerror(errno));
		snprintf(path, sizeof(path), "%s/cpu%d.ev", c->out_dir, i);
		if (rplat_tev_writer_open(&r->w, path, (unsigned)i))
			return rplat_fail(err, errlen, "%s.tmp: %s", path, strerror(errno));
	}
	return 0;
}

static void close_readers(struct rplat_capture *c, int commit)
{
	int i;

	for (i = 0; c->cpu && i < c->ncpus; i++) {
		struct cpu_reader *r = &c->cpu[i];

		if (r->w.f && rplat_tev_writer_close(&r->w, commit) && commit)
			c->write_failed = errno ? errno : EIO;
		if (r->tcpu)
			tracefs_cpu_free_fd(r->tcpu);
		r->tcpu = NULL;
		if (r->fd >= 0) {
			int k;

			for (k = 0; k < g_em.nfds; k++)
				if (g_em.fds[k] == r->fd)
					g_em.fds[k] = g_em.fds[--g_em.nfds];
			close(r->fd);
		}
		r->fd = -1;
	}
}

/* ---- create / start / stop / destroy ---- */

/* A tep with the formats of exactly the events enabled (and the marker): parsing every syscall format
 * would take most of a second. */
static int load_formats(struct rplat_capture *c, char *err, size_t errlen)
{
	char list[sizeof(c->events) + 32], *save = NULL, *tok;
	enum tep_endian host = htonl(1) == 1 ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN;

	c->tep = tep_alloc();
	if (!c->tep)
		return rplat_fail(err, errlen, "out of memory");
	tep_set_long_size(c->tep, (int)sizeof(long));
	tep_set_page_size(c->tep, (int)sysconf(_SC_PAGESIZE));
	tep_set_file_bigendian(c->tep, host);
	tep_set_local_bigendian(c->tep, host);
	snprintf(list, sizeof(list), "ftrace:print,%s", c->events);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':'), *buf;
		int size = 0;

		if (!colon)
			continue;
		*colon = 0;
		buf = tracefs_event_file_read(NULL, tok, colon + 1, "format", &size);
		if (!buf || tep_parse_event(c->tep, buf, (unsigned long)size, tok)) {
			free(buf);
			return rplat_fail(err, errlen, "tracefs: cannot read or parse the format of %s:%s", tok, colon + 1);
		}
		free(buf);
	}
	c->dec = rplat_tdec_alloc(c->tep);
	c->kbuf = kbuffer_alloc(KBUFFER_LSIZE_SAME_AS_HOST, KBUFFER_ENDIAN_SAME_AS_HOST); /* the running kernel's */
	if (!c->dec || !c->kbuf)
		return rplat_fail(err, errlen, "out of memory");
	return 0;
}

struct rplat_capture *rplat_capture_create(const struct rplat_capture_opts *o, const char *out_dir, char *err,
					   size_t errlen)
{
	struct rplat_capture *c;
	char buf[64], left[512];
	const char *dir = NULL;

	if (g_cap) {
		rplat_fail(err, errlen, "a capture is already running in this process");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		rplat_fail(err, errlen, "out of memory");
		return NULL;
	}
	c->o = *o;
	c->lock_fd = c->marker_fd = c->on_fd = -1;
	rplat_sysenv_read(&c->env);
	c->steal0 = rplat_sysenv_steal_ns();
	if (c->o.poll_ms <= 0)
		c->o.poll_ms = 10;
	snprintf(c->name, sizeof(c->name), "%s", o->instance ? o->instance : RPLAT_CAPTURE_INSTANCE);
	snprintf(c->out_dir, sizeof(c->out_dir), "%s", out_dir);
	rplat_tev_names_init(&c->names);
	atomic_store(&g_abort, 0);
	g_interrupts = 0;
	memset(&g_em, 0, sizeof(g_em));
	g_cap = c;
	{
		static int registered;

		if (!registered && !atexit(at_exit))
			registered = 1;
	}
	/* handlers first: a signal during the set-up must not leave half of it behind */
	rplat_capture_install_signals(c);
	tracefs_set_loglevel(TEP_LOG_NONE); /* the library never prints: errors come back through err */
	dir = tracefs_tracing_dir(); /* mounts tracefs when it is not */
	if (!dir) {
		rplat_fail(err, errlen, "tracefs is not mounted and could not be mounted (mount -t tracefs nodev "
			   "/sys/kernel/tracing)");
		goto fail;
	}
	if (access(dir, W_OK)) {
		rplat_fail(err, errlen, "%s: not writable (%s): tracing needs root", dir, strerror(errno));
		goto fail;
	}
	if (take_lock(c, err, errlen))
		goto fail;
	if (rplat_capture_leftovers(1, left, sizeof(left)))
		note(c, "left over by a crashed run and removed: %s", left);
	c->inst = tracefs_instance_create(c->name);
	if (!c->inst) {
		rplat_fail(err, errlen, "tracefs: cannot create the instance '%s': %s", c->name, strerror(errno));
		goto fail;
	}
	c->created = 1;
	c->inst_dir = tracefs_instance_get_dir(c->inst);
	snprintf(g_em.inst_dir, sizeof(g_em.inst_dir), "%s", c->inst_dir ? c->inst_dir : "");
	snprintf(g_em.tracing_on, sizeof(g_em.tracing_on), "%s/tracing_on", g_em.inst_dir);
	snprintf(g_em.events_enable, sizeof(g_em.events_enable), "%s/events/enable", g_em.inst_dir);
	snprintf(g_em.dynamic_events, sizeof(g_em.dynamic_events), "%s/dynamic_events", dir);
	g_em.armed = 1;
	/* tracing off first, then the rest, all through the table */
	if (setting_apply(c, "tracing_on", "0", R_PLAIN, err, errlen) ||
	    setting_apply(c, "trace_clock", "mono", R_BRACKET, err, errlen))
		goto fail;
	snprintf(buf, sizeof(buf), "%u", o->buffer_kb ? o->buffer_kb : RPLAT_CAPTURE_DEFAULT_KB);
	if (setting_apply(c, "buffer_size_kb", buf, R_PLAIN, err, errlen))
		goto fail;
	if (o->uprobes)
		setup_uprobes(c);
	else
		note(c, "uprobes: off (--uprobes places them on rplat_link_send / rplat_link_recv)");
	setup_kprobes(c);
	find_mailbox_irqs(c);
	if (setup_events(c, err, errlen) || load_formats(c, err, errlen))
		goto fail;
	c->marker_fd = tracefs_instance_file_open(c->inst, "trace_marker", O_WRONLY);
	c->on_fd = tracefs_instance_file_open(c->inst, "tracing_on", O_WRONLY);
	if (c->marker_fd < 0 || c->on_fd < 0) {
		rplat_fail(err, errlen, "tracefs: cannot open %s/trace_marker or tracing_on: %s", c->inst_dir,
			   strerror(errno));
		goto fail;
	}
	em_add_fd(c->marker_fd);
	em_add_fd(c->on_fd);
	if (open_readers(c, err, errlen))
		goto fail;
	{
		sigset_t all, old;
		int e;

		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old); /* signals go to the measuring thread, not the reader */
		e = pthread_create(&c->thread, NULL, reader_main, c);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (e) {
			rplat_fail(err, errlen, "cannot start the reader thread: %s", strerror(e));
			goto fail;
		}
		c->thread_running = 1;
	}
	return c;
fail:
	rplat_capture_destroy(c);
	return NULL;
}

int rplat_capture_start(struct rplat_capture *c)
{
	c->t_start = rplat_now_ns();
	if (tracefs_trace_on_fd(c->on_fd) < 0)
		return -1;
	return 0;
}

static void mark(struct rplat_capture *c, const char *pfx, int len, uint32_t seq)
{
	char buf[40], tmp[12];
	int n = 0;
	ssize_t r;

	memcpy(buf, pfx, (size_t)len);
	do {
		tmp[n++] = (char)('0' + seq % 10);
		seq /= 10;
	} while (seq);
	while (n)
		buf[len++] = tmp[--n];
	buf[len++] = '\n';
	r = write(c->marker_fd, buf, (size_t)len);
	(void)r;
}

void rplat_capture_mark(struct rplat_capture *c, uint32_t seq)
{
	mark(c, "rplat seq=", 10, seq);
}

void rplat_capture_mark_rx(struct rplat_capture *c, uint32_t seq)
{
	mark(c, "rplat rx seq=", 13, seq);
}

void rplat_capture_freeze(struct rplat_capture *c)
{
	if (c->on_fd >= 0)
		tracefs_trace_off_fd(c->on_fd);
}

static void read_cpu_stats(struct rplat_capture *c, struct cpu_reader *r)
{
	char file[64], *text, *line;

	snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", r->cpu);
	text = tracefs_instance_file_read(c->inst, file, NULL);
	if (!text)
		return;
	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long long v;

		if (sscanf(line, "overrun: %llu", &v) == 1)
			r->st.overrun = v;
		else if (sscanf(line, "commit overrun: %llu", &v) == 1)
			r->st.commit_overrun = v;
		else if (sscanf(line, "dropped events: %llu", &v) == 1)
			r->st.dropped = v;
	}
	free(text);
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

static int write_capture_json(struct rplat_capture *c, const struct rplat_capture_stats *st)
{
	char path[4200], tmp[4210];
	struct rplat_jw jw;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/capture.json", c->out_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	rplat_jw_init(&jw, f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_jw_str(&jw, "format", "rplat-trace-capture");
	rplat_jw_int(&jw, "format_version", 1);
	rplat_jw_str(&jw, "tool", "rplat " RPLAT_VERSION);
	rplat_jw_str(&jw, "source", "tracefs");
	rplat_jw_str(&jw, "instance", c->name);
	rplat_jw_str(&jw, "trace_clock", "mono");
	rplat_jw_str(&jw, "time_unit", "ns, CLOCK_MONOTONIC (the clock of samples.tsv)");
	rplat_jw_uint(&jw, "buffer_kb", c->o.buffer_kb ? c->o.buffer_kb : RPLAT_CAPTURE_DEFAULT_KB);
	rplat_jw_int(&jw, "subbuf_size", c->subbuf);
	rplat_jw_int(&jw, "ncpus", c->ncpus);
	rplat_jw_arr_begin(&jw, "pids");
	for (i = 0; i < c->o.npids; i++)
		rplat_jw_int(&jw, NULL, c->o.pids[i]);
	rplat_jw_arr_end(&jw);
	rplat_jw_int(&jw, "remote_pid", c->o.remote_pid);
	rplat_jw_int(&jw, "reader_tid", atomic_load(&c->reader_tid));
	rplat_jw_int(&jw, "marker_fd", c->marker_fd);
	rplat_sysenv_json(&jw, "system", &c->env);
	json_list(&jw, "events", c->events);
	rplat_jw_arr_begin(&jw, "uprobes");
	for (i = 0; i < c->ndyn; i++) {
		if (strcmp(c->dyn_name[i], "send") && strcmp(c->dyn_name[i], "recv"))
			continue;
		rplat_jw_obj_begin(&jw, NULL);
		rplat_jw_str(&jw, "event", !strcmp(c->dyn_name[i], "send") ? "rplat:send" : "rplat:recv");
		rplat_jw_str(&jw, "at", !strcmp(c->dyn_name[i], "send") ? "rplat_link_send entry"
									: "rplat_link_recv return");
		rplat_jw_str(&jw, "file", c->exe);
		rplat_jw_uint(&jw, "offset", c->up_off[!strcmp(c->dyn_name[i], "send") ? 0 : 1]);
		rplat_jw_obj_end(&jw);
	}
	rplat_jw_arr_end(&jw);
	rplat_jw_obj_begin(&jw, "kprobes");
	rplat_jw_bool(&jw, "available", c->kprobes_available);
	json_list(&jw, "traced", c->kprobes_traced);
	json_list(&jw, "missing", c->kprobes_missing);
	rplat_jw_obj_end(&jw);
	json_list(&jw, "mailbox_irqs", c->mbox_irqs);
	rplat_jw_arr_begin(&jw, "notes");
	for (i = 0; i < c->nnotes; i++)
		rplat_jw_str(&jw, NULL, c->notes[i]);
	rplat_jw_arr_end(&jw);
	rplat_jw_int(&jw, "start_ns", st->t_start);
	rplat_jw_int(&jw, "stop_ns", st->t_stop);
	rplat_jw_obj_begin(&jw, "stats");
	rplat_jw_uint(&jw, "events", st->events);
	rplat_jw_uint(&jw, "missed", st->missed);
	rplat_jw_uint(&jw, "overrun", st->overrun);
	rplat_jw_uint(&jw, "dropped", st->dropped);
	rplat_jw_bool(&jw, "aborted", st->aborted);
	rplat_jw_double(&jw, "reader_cpu_s", (double)c->reader_cpu_ns / 1e9);
	rplat_jw_arr_begin(&jw, "cpus");
	for (i = 0; i < st->ncpus; i++) {
		const struct rplat_capture_cpu_stats *s = &st->cpu[i];

		rplat_jw_obj_begin(&jw, NULL);
		rplat_jw_int(&jw, "cpu", s->cpu);
		rplat_jw_uint(&jw, "events", s->events);
		rplat_jw_uint(&jw, "missed", s->missed);
		rplat_jw_uint(&jw, "overrun", s->overrun);
		rplat_jw_uint(&jw, "dropped", s->dropped);
		rplat_jw_uint(&jw, "commit_overrun", s->commit_overrun);
		rplat_jw_uint(&jw, "bytes", s->bytes);
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

static int write_names(struct rplat_capture *c)
{
	char path[4200], tmp[4210];
	FILE *f;
	int i;

	for (i = 0; i < c->o.npids; i++) {
		char p[64], comm[32] = "";
		FILE *cf;

		snprintf(p, sizeof(p), "/proc/self/task/%d/comm", (int)c->o.pids[i]);
		cf = fopen(p, "r");
		if (cf) {
			if (fgets(comm, sizeof(comm), cf)) {
				char c16[16] = { 0 };

				comm[strcspn(comm, "\n")] = 0;
				memcpy(c16, comm, strnlen(comm, 15));
				if (!rplat_tev_names_find(&c->names, c->o.pids[i]))
					rplat_tev_names_task(&c->names, c->o.pids[i], c16, INT32_MIN);
			}
			fclose(cf);
		}
	}
	rplat_tev_names_sample_policies(&c->names);
	snprintf(path, sizeof(path), "%s/names.tsv", c->out_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	if (rplat_tev_names_write(&c->names, f) | fclose(f)) {
		unlink(tmp);
		return -1;
	}
	return rename(tmp, path);
}

const struct rplat_sysenv *rplat_capture_sysenv(const struct rplat_capture *c)
{
	return &c->env;
}

void rplat_capture_get_stats(const struct rplat_capture *c, struct rplat_capture_stats *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->ncpus = c->ncpus;
	s->cpu = c->cpu_stats;
	s->t_start = c->t_start;
	s->t_stop = c->t_stop;
	s->aborted = atomic_load(&g_abort);
	for (i = 0; c->cpu && i < c->ncpus; i++) {
		c->cpu_stats[i] = c->cpu[i].st;
		s->events += c->cpu[i].st.events;
		s->missed += c->cpu[i].st.missed;
		s->overrun += c->cpu[i].st.overrun;
		s->dropped += c->cpu[i].st.dropped;
	}
}

int rplat_capture_stop(struct rplat_capture *c, char *err, size_t errlen)
{
	struct rplat_capture_stats st;
	int i;

	if (c->stopped)
		return 0;
	c->stopped = 1;
	c->t_stop = rplat_now_ns();
	{
		int64_t steal1 = rplat_sysenv_steal_ns();

		c->env.steal_ns = c->steal0 >= 0 && steal1 >= c->steal0 ? steal1 - c->steal0 : -1;
	}
	if (c->on_fd >= 0)
		tracefs_trace_off_fd(c->on_fd);
	atomic_store(&c->phase, 1);
	if (c->thread_running) {
		pthread_join(c->thread, NULL);
		c->thread_running = 0;
	}
	for (i = 0; i < c->ncpus; i++)
		if (c->cpu[i].tcpu)
			read_cpu_stats(c, &c->cpu[i]);
	close_readers(c, 1);
	rplat_capture_get_stats(c, &st);
	if (st.aborted)
		note(c, "reader stopped by a second signal: events still in the ring buffer were not saved");
	if (st.missed || st.overrun || st.dropped)
		note(c, "events lost: %llu missed by the reader, %llu overwritten, %llu dropped (a larger --buffer-kb "
			"helps)", (unsigned long long)st.missed, (unsigned long long)st.overrun,
		     (unsigned long long)st.dropped);
	if (c->write_failed)
		return rplat_fail(err, errlen, "%s: writing the events failed: %s", c->out_dir,
				  strerror(c->write_failed));
	if (write_names(c))
		return rplat_fail(err, errlen, "%s/names.tsv: %s", c->out_dir, strerror(errno));
	if (write_capture_json(c, &st))
		return rplat_fail(err, errlen, "%s/capture.json: %s", c->out_dir, strerror(errno));
	return 0;
}

void rplat_capture_destroy(struct rplat_capture *c)
{
	int i;

	if (!c)
		return;
	c->destroying = 1;
	c->nnotes = 0;
	if (c->on_fd >= 0)
		tracefs_trace_off_fd(c->on_fd);
	if (c->thread_running) {
		atomic_store(&g_abort, 1);
		pthread_join(c->thread, NULL);
		c->thread_running = 0;
	}
	close_readers(c, 0);
	if (c->marker_fd >= 0)
		close(c->marker_fd);
	if (c->on_fd >= 0)
		close(c->on_fd);
	c->marker_fd = c->on_fd = -1;
	g_em.nfds = 0;
	if (c->inst) {
		settings_restore(c);
		if (c->created && tracefs_instance_destroy(c->inst))
			note(c, "could not remove the instance %s: %s", c->inst_dir ? c->inst_dir : c->name,
			     strerror(errno));
		tracefs_instance_free(c->inst);
		c->inst = NULL;
	}
	g_em.inst_dir[0] = g_em.tracing_on[0] = g_em.events_enable[0] = 0;
	for (i = c->ndyn - 1; i >= 0; i--) {
		if (rplat_dynevent_remove(c->dyn[i]))
			note(c, "could not remove the dynamic event %s/%s: %s", RPLAT_TDEC_PROBE_GROUP, c->dyn_name[i],
			     strerror(errno));
		tracefs_dynevent_free(c->dyn[i]);
	}
	c->ndyn = 0;
	g_em.ndyn = 0;
	g_em.armed = 0;
	restore_signals(c);
	if (c->kbuf)
		kbuffer_free(c->kbuf);
	rplat_tdec_free(c->dec);
	if (c->tep)
		tep_free(c->tep);
	free(c->page);
	free(c->cpu);
	free(c->cpu_stats);
	free(c->inst_dir);
	rplat_tev_names_free(&c->names);
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	if (g_cap == c)
		g_cap = NULL;
	free(c);
}

size_t rplat_capture_nnotes(const struct rplat_capture *c)
{
	return (size_t)c->nnotes;
}

const char *rplat_capture_note(const struct rplat_capture *c, size_t i)
{
	return i < (size_t)c->nnotes ? c->notes[i] : NULL;
}
