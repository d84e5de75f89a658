/* Tracing around a ping run. See trace_hooks.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rplat/link.h"
#include "rplat/runfile.h"
#include "rplat/util.h"
#include "analyze.h"
#include "capture.h"
#include "sysenv.h"
#include "trace_hooks.h"

static struct {
	struct rplat_trace_opts o;
	struct rplat_ping_hooks hooks;
	struct rplat_capture *cap;
	char run_dir[4096];
	int started, saved;
	int64_t hit_seq;
	uint64_t hits;
	uint64_t lost;            /* events the capture counted as lost (max(missed, overrun) + dropped) */
	int stopped;              /* a --break or --on-threshold hit ended the run early: 1 break, 2 threshold */
	int warned_signal;
	uint64_t settled;         /* messages settled when it stopped */
	int aborted;
} g;

void rplat_trace_opts_init(struct rplat_trace_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->uprobes = 0; /* they cost ~10 us per trap on a VM, and rplat's own stamps make them redundant */
	o->worst = 10;
	o->analyze = 1;
	o->action_signal = SIGUSR1;
	o->reader_cpu = -1;
}

void rplat_trace_usage(FILE *f)
{
	fprintf(f,
		"trace options:\n"
		"  --buffer-kb N           per-CPU ring buffer in KiB (default %u)\n"
		"  --worst N               explain the N worst round trips (default 10)\n"
		"  --threshold US          explain every round trip above US microseconds\n"
		"  --break US              stop at the first round trip above US, keep the events around it and\n"
		"                          analyse it at once\n"
		"  --on-threshold ACTION   when a round trip exceeds --threshold: trace (keep the events and stop),\n"
		"                          signal[,SIG] (send SIG, default USR1, to the parent process), shell,CMD\n"
		"                          (run CMD with RPLAT_SEQ, RPLAT_RTT_US, RPLAT_RUN set); rtla's forms\n"
		"                          signal,num=N,pid=parent|PID and shell,command=CMD too; add ',continue'\n"
		"                          to go on after a hit; may be given more than once\n"
		"  --uprobes               also place uprobes on rplat_link_send / rplat_link_recv (costly: a trap\n"
		"                          per call; the samples' own stamps usually make them redundant)\n"
		"  --no-analysis           capture only (analyse later with 'rplat trace analyze RUN')\n"
		"  --reader-cpu N          pin the trace reader thread to CPU N\n",
		RPLAT_CAPTURE_DEFAULT_KB);
}

static int parse_sig(const char *s)
{
	static const struct { const char *n; int v; } sigs[] = {
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "INT", SIGINT }, { "TERM", SIGTERM }, { "HUP", SIGHUP },
		{ "ALRM", SIGALRM }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "KILL", SIGKILL },
	};
	size_t i;
	char *end;
	long v;

	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(s, sigs[i].n))
			return sigs[i].v;
	v = strtol(s, &end, 10);
	return *s && !*end && v > 0 && v < 65 ? (int)v : -1;
}

int rplat_trace_parse_action(struct rplat_trace_opts *o, const char *s, char *err, size_t errlen)
{
	char buf[600], *p;
	size_t len;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return rplat_fail(err, errlen, "--on-threshold: too long");
	len = strlen(buf);
	if (len >= 9 && !strcmp(buf + len - 9, ",continue")) {
		o->action_continue = 1;
		buf[len - 9] = 0;
	} else if (!strcmp(buf, "continue")) {
		o->action_continue = 1;
		return 0;
	}
	if (!strcmp(buf, "trace")) {
		o->actions |= RPLAT_ACT_TRACE;
	} else if (!strncmp(buf, "trace,", 6)) {
		return rplat_fail(err, errlen, "--on-threshold '%s': rplat keeps the capture in RUN/trace (no file=; "
				  "'rplat trace export RUN --text FILE' writes a listing)", s);
	} else if (!strncmp(buf, "signal", 6) && (buf[6] == 0 || buf[6] == ',')) {
		char *save = NULL, *tok;
		int sig_given = 0;

		o->actions |= RPLAT_ACT_SIGNAL;
		for (tok = buf[6] ? strtok_r(buf + 7, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
			if (!strncmp(tok, "pid=", 4)) { /* rtla: pid=parent or a pid */
				char *end;
				long v;

				if (!strcmp(tok + 4, "parent")) {
					o->action_pid = 0;
					continue;
				}
				v = strtol(tok + 4, &end, 10);
				if (!tok[4] || *end || v <= 0 || v > 4194304)
					return rplat_fail(err, errlen, "--on-threshold signal,%s: pid= takes 'parent' or a "
							  "process id", tok);
				o->action_pid = (int)v;
				continue;
			}
			/* num=N (rtla) or a bare name / number (rplat) */
			int sig = parse_sig(!strncmp(tok, "num=", 4) ? tok + 4 : tok);

			if (sig < 0 || sig_given)
				return rplat_fail(err, errlen, "--on-threshold signal,%s: %s", tok, sig < 0 ?
						  "not a signal name or number (num=N, pid=parent|PID)" : "a second signal");
			o->action_signal = sig;
			sig_given = 1;
		}
	} else if (!strncmp(buf, "shell,", 6)) {
		p = buf + 6;
		if (!strncmp(p, "command=", 8)) /* rtla's form */
			p += 8;
		if (!*p)
			return rplat_fail(err, errlen, "--on-threshold shell,CMD: the command is empty");
		if (strlen(p) >= sizeof(o->action_shell))
			return rplat_fail(err, errlen, "--on-threshold shell,CMD: the command is longer than %zu bytes",
					  sizeof(o->action_shell) - 1);
		o->actions |= RPLAT_ACT_SHELL;
		memcpy(o->action_shell, p, strlen(p) + 1);
	} else {
		return rplat_fail(err, errlen, "--on-threshold '%s': expected trace, signal[,SIG | ,num=N[,pid=parent|PID]] "
				  "or shell,CMD | shell,command=CMD (optionally followed by ,continue)", s);
	}
	return 0;
}

static int need_value(int argc, char **argv, int i, char *err, size_t errlen)
{
	if (i + 1 >= argc)
		return rplat_fail(err, errlen, "%s needs a value", argv[i]);
	return 0;
}

int rplat_trace_parse_opt(struct rplat_trace_opts *o, int argc, char **argv, int i, char *err, size_t errlen)
{
	const char *a = argv[i];
	uint64_t v;

	if (!strcmp(a, "--no-uprobes") || !strcmp(a, "--uprobes")) {
		o->uprobes = !strcmp(a, "--uprobes");
		return 1;
	}
	if (!strcmp(a, "--no-analysis")) {
		o->analyze = 0;
		return 1;
	}
	if (!strcmp(a, "--buffer-kb") || !strcmp(a, "--worst") || !strcmp(a, "--reader-cpu")) {
		char cpus[96];

		if (need_value(argc, argv, i, err, errlen))
			return -1;
		if (rplat_parse_u64(argv[i + 1], &v) || v > 4u << 20 || (!strcmp(a, "--buffer-kb") && v < 4))
			return rplat_fail(err, errlen, "%s '%s': not a number in range", a, argv[i + 1]);
		if (!strcmp(a, "--buffer-kb"))
			o->buffer_kb = (unsigned)v;
		else if (!strcmp(a, "--worst"))
			o->worst = (int)v;
		else if (!rplat_cpu_usable((long)v, cpus, sizeof(cpus)))
			return rplat_fail(err, errlen, "--reader-cpu %llu: not a CPU rplat may run on (CPUs %s)",
					  (unsigned long long)v, cpus);
		else
			o->reader_cpu = (int)v;
		return 2;
	}
	if (!strcmp(a, "--threshold") || !strcmp(a, "--break")) {
		int64_t ns;

		if (need_value(argc, argv, i, err, errlen))
			return -1;
		if (rplat_parse_time_us(argv[i + 1], &ns) || ns <= 0)
			return rplat_fail(err, errlen, "%s '%s': not a positive time (microseconds by default)", a,
					  argv[i + 1]);
		if (!strcmp(a, "--threshold"))
			o->threshold_ns = ns;
		else
			o->break_ns = ns;
		return 2;
	}
	if (!strcmp(a, "--on-threshold")) {
		if (need_value(argc, argv, i, err, errlen) || rplat_trace_parse_action(o, argv[i + 1], err, errlen))
			return -1;
		return 2;
	}
	return 0;
}

/* ---- the hooks ---- */

static void warn(const char *msg)
{
	fprintf(stderr, "rplat trace: %s\n", msg);
}

static int hook_start(void *ctx, const char *run_dir, struct rplat_link *link)
{
	struct rplat_capture_opts co;
	char dir[4200], err[512];
	size_t i;

	(void)ctx;
	rplat_capture_opts_init(&co);
	co.buffer_kb = g.o.buffer_kb;
	co.uprobes = g.o.uprobes;
	co.reader_cpu = g.o.reader_cpu;
	co.warn = warn;
	co.pids[co.npids++] = (pid_t)syscall(SYS_gettid);
	if (getpid() != co.pids[0])
		co.pids[co.npids++] = getpid();
	co.remote_pid = link ? link->child : 0;
	snprintf(g.run_dir, sizeof(g.run_dir), "%s", run_dir);
	snprintf(dir, sizeof(dir), "%s/trace", run_dir);
	g.cap = rplat_capture_create(&co, dir, err, sizeof(err));
	if (!g.cap) {
		fprintf(stderr, "rplat trace: %s\n", err);
		return 1;
	}
	if (!g.o.quiet)
		for (i = 0; i < rplat_capture_nnotes(g.cap); i++)
			fprintf(stderr, "# trace: %s\n", rplat_capture_note(g.cap, i));
	if (rplat_capture_start(g.cap)) {
		fprintf(stderr, "rplat trace: cannot turn tracing on: %s\n", strerror(errno));
		rplat_capture_destroy(g.cap);
		g.cap = NULL;
		return 1;
	}
	g.started = 1;
	return 0;
}

static void hook_before_send(void *ctx, uint32_t seq)
{
	(void)ctx;
	if (g.cap)
		rplat_capture_mark(g.cap, seq);
}

static void hook_after_recv(void *ctx, uint32_t seq)
{
	(void)ctx;
	if (g.cap)
		rplat_capture_mark_rx(g.cap, seq);
}

static void run_shell(const struct rplat_ping_sample *s, int64_t rtt)
{
	char seq[16], us[32];
	pid_t pid;
	int st;

	snprintf(seq, sizeof(seq), "%u", s->seq);
	snprintf(us, sizeof(us), "%.3f", rtt == INT64_MAX ? -1.0 : (double)rtt / 1000.0);
	pid = fork();
	if (pid == 0) {
		setenv("RPLAT_SEQ", seq, 1);
		setenv("RPLAT_RTT_US", us, 1);
		setenv("RPLAT_RUN", g.run_dir, 1);
		execl("/bin/sh", "sh", "-c", g.o.action_shell, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "rplat trace: --on-threshold shell: cannot run '%s': %s\n", g.o.action_shell,
			strerror(errno));
		return;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) /* said even with -q: the user's action did not do its job */
		fprintf(stderr, "rplat trace: --on-threshold shell: '%s' %s %d (seq %u)\n", g.o.action_shell,
			WIFEXITED(st) ? "exited" : "was killed by signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
			s->seq);
}

static int hook_sample(void *ctx, const struct rplat_ping_sample *s)
{
	int64_t rtt;

	(void)ctx;
	if (s->status == RPLAT_S_OK || s->status == RPLAT_S_LATE) /* late: read after --timeout, timed */
		rtt = s->t_recv - s->t_send;
	else if (s->status == RPLAT_S_LOST)
		rtt = INT64_MAX; /* no reply: longer than any threshold */
	else
		return 0;
	g.settled++;
	if (g.o.break_ns && rtt > g.o.break_ns) {
		if (g.cap)
			rplat_capture_freeze(g.cap);
		g.hit_seq = s->seq;
		g.hits++;
		g.stopped = 1;
		/* even with -q: a run that stopped early must not pass for a complete one */
		fprintf(stderr, "%srplat trace: seq %u %s --break %.1f us: the run stops early, after %llu messages "
			"(ended_by \"break\")\n", g.o.quiet ? "" : "\n", s->seq,
			rtt == INT64_MAX ? "was lost, beyond" : "exceeded", (double)g.o.break_ns / 1000.0,
			(unsigned long long)g.settled);
		return 1;
	}
	if (g.o.actions && g.o.threshold_ns && rtt > g.o.threshold_ns) {
		g.hits++;
		if (g.hit_seq < 0)
			g.hit_seq = s->seq;
		if ((g.o.actions & RPLAT_ACT_SIGNAL) &&
		    kill(g.o.action_pid > 0 ? g.o.action_pid : getppid(), g.o.action_signal) && !g.warned_signal) {
			g.warned_signal = 1;
			fprintf(stderr, "rplat trace: --on-threshold signal %d to pid %d: %s\n", g.o.action_signal,
				g.o.action_pid > 0 ? g.o.action_pid : (int)getppid(), strerror(errno));
		}
		if (g.o.actions & RPLAT_ACT_SHELL)
			run_shell(s, rtt);
		if (!g.o.action_continue) {
			if (g.cap)
				rplat_capture_freeze(g.cap);
			g.stopped = 2;
			fprintf(stderr, "%srplat trace: seq %u %s --threshold %.1f us: the run stops early, after %llu "
				"messages (ended_by \"break\"; add ',continue' to go on)\n", g.o.quiet ? "" : "\n", s->seq,
				rtt == INT64_MAX ? "was lost, beyond" : "exceeded", (double)g.o.threshold_ns / 1000.0,
				(unsigned long long)g.settled);
			return 1;
		}
	}
	return 0;
}

static int stop_capture(struct rplat_jw *jw)
{
	struct rplat_capture_stats st;
	char err[512];
	int rc = 0;

	if (!g.cap)
		return 0;
	if (rplat_capture_stop(g.cap, err, sizeof(err))) {
		fprintf(stderr, "rplat trace: %s\n", err);
		rc = -1;
	} else {
		g.saved = 1;
	}
	rplat_capture_get_stats(g.cap, &st);
	g.lost = (st.missed > st.overrun ? st.missed : st.overrun) + st.dropped;
	g.aborted = st.aborted;
	if (jw) {
		rplat_jw_str(jw, "dir", "trace");
		rplat_jw_bool(jw, "saved", g.saved);
		rplat_jw_uint(jw, "events", st.events);
		rplat_jw_uint(jw, "missed", st.missed);
		rplat_jw_uint(jw, "overrun", st.overrun);
		rplat_jw_uint(jw, "dropped", st.dropped);
		rplat_jw_bool(jw, "reader_aborted", st.aborted);
		rplat_jw_uint(jw, "lost_events", g.lost);
		/* the preemption model in force, a VM, cpuidle, steal: what the verdicts' wording rests on */
		rplat_sysenv_json(jw, "system", rplat_capture_sysenv(g.cap));
		rplat_jw_uint(jw, "threshold_hits", g.hits);
		if (g.hit_seq >= 0)
			rplat_jw_int(jw, "first_hit_seq", g.hit_seq);
		else
			rplat_jw_null(jw, "first_hit_seq");
		/* which option ended the run early (null: it was not a trace option) */
		rplat_jw_str(jw, "stopped_by", g.stopped == 1 ? "--break" : g.stopped == 2 ? "--on-threshold" : NULL);
	}
	if (!g.o.quiet)
		fprintf(stderr, "# trace: %llu events saved in %s/trace (lost: %llu missed, %llu overwritten, %llu "
			"dropped)\n", (unsigned long long)st.events, g.run_dir, (unsigned long long)st.missed,
			(unsigned long long)st.overrun, (unsigned long long)st.dropped);
	rplat_capture_destroy(g.cap);
	g.cap = NULL;
	return rc;
}

static int hook_stop(void *ctx, const char *run_dir, struct rplat_jw *jw)
{
	(void)ctx;
	(void)run_dir;
	return stop_capture(jw);
}

const struct rplat_ping_hooks *rplat_trace_hooks(const struct rplat_trace_opts *o)
{
	memset(&g, 0, sizeof(g));
	if (o)
		g.o = *o;
	else
		rplat_trace_opts_init(&g.o);
	g.hit_seq = -1;
	g.hooks.ctx = &g;
	g.hooks.start = hook_start;
	g.hooks.before_send = hook_before_send;
	g.hooks.after_recv = hook_after_recv;
	g.hooks.sample = hook_sample;
	g.hooks.stop = hook_stop;
	return &g.hooks;
}

/* Add the analysis' evidence to run.json's "trace" object (written before the analysis ran) and, when the
 * evidence makes the run a finding (exit 1), its return_code. run.json is rewritten through a temporary. */
static int patch_run_json(const char *dir, const char *members, int finding)
{
	static const char key[] = "\n  \"trace\": {\n", rck[] = "\n  \"return_code\": 0\n",
			  ebk[] = "\n  \"ended_by\": \"completed\","; /* no final \n: it starts rck */
	struct rplat_runfile rf;
	char path[4200], *buf = NULL, *at, *rc, *eb;
	size_t n = 0, cap = 0, got;
	FILE *f;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	do {
		if (n + 4096 + 1 > cap) {
			char *p = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!p) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
		}
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got);
	fclose(f);
	buf[n] = 0;
	at = strstr(buf, key);
	if (!at || rplat_runfile_open(&rf, dir, "run.json")) {
		free(buf);
		return -1;
	}
	at += sizeof(key) - 1;
	rc = finding ? strstr(at, rck) : NULL;
	eb = g.stopped ? strstr(at, ebk) : NULL;
	if (eb && rc && eb > rc)
		eb = NULL; /* run.json writes ended_by before return_code */
	fwrite(buf, 1, (size_t)(at - buf), rf.f);
	fputs(members, rf.f);
	if (eb) { /* a stopping hit is a break, whether or not the measurement loop says so itself */
		fwrite(at, 1, (size_t)(eb - at), rf.f);
		fputs("\n  \"ended_by\": \"break\",", rf.f);
		at = eb + sizeof(ebk) - 1;
	}
	if (rc) {
		fwrite(at, 1, (size_t)(rc - at), rf.f);
		fputs("\n  \"return_code\": 1\n", rf.f);
		fputs(rc + sizeof(rck) - 1, rf.f);
	} else {
		fputs(at, rf.f);
	}
	free(buf);
	return rplat_runfile_commit(&rf);
}

/* A JSON string's body (quotes and backslashes escaped; the texts here have no control characters). */
static void json_body(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s && n + 3 < len; s++) {
		if (*s == '"' || *s == '\\')
			out[n++] = '\\';
		out[n++] = (unsigned char)*s < 0x20 ? ' ' : *s;
	}
	out[n] = 0;
}

int rplat_trace_finish(void)
{
	struct rplat_ana_opts ao;
	struct rplat_ana_evidence e;
	char err[512], txt[1024], esc[1100], members[2048];
	int finding;

	if (g.cap) /* the run ended before its stop hook: save and restore now */
		stop_capture(NULL);
	if (!g.started || !g.saved)
		return g.stopped ? 1 : 0;
	if (!g.o.analyze) {
		/* no analysis: the capture's own counts are all there is; a lossy capture is still said so */
		if (!g.lost && !g.aborted) {
			if (g.stopped && patch_run_json(g.run_dir, "", 1))
				fprintf(stderr, "rplat trace: %s/run.json: could not record the break\n", g.run_dir);
			return g.stopped ? 1 : 0;
		}
		fprintf(stderr, "rplat trace: WARNING: the capture is incomplete: %llu events lost%s (a larger "
			"--buffer-kb or --reader-cpu helps); verdicts from it will be withheld where it lost them\n",
			(unsigned long long)g.lost, g.aborted ? ", the reader was stopped before it drained" : "");
		snprintf(members, sizeof(members), "    \"evidence\": {\"complete\": false, \"lost_events\": %llu, "
			 "\"analysed\": false},\n", (unsigned long long)g.lost);
		if (patch_run_json(g.run_dir, members, 1))
			fprintf(stderr, "rplat trace: %s/run.json: could not add the trace evidence\n", g.run_dir);
		return 1;
	}
	rplat_ana_opts_init(&ao);
	ao.worst = g.o.worst;
	ao.threshold_ns = g.o.threshold_ns ? g.o.threshold_ns : g.o.break_ns;
	ao.break_seq = g.hit_seq;
	if (rplat_analyze_run(g.run_dir, &ao, g.o.quiet ? NULL : stdout, &e, err, sizeof(err))) {
		fprintf(stderr, "rplat trace: analysis: %s\n", err);
		return 1;
	}
	if (!g.o.quiet)
		fprintf(stderr, "# trace analysis: %s/trace/analysis.txt, analysis.json, stages.tsv, hist/\n",
			g.run_dir);
	rplat_ana_evidence_text(&e, txt, sizeof(txt));
	/* said even with -q: a lossy capture must not pass for a complete one */
	if (txt[0])
		fprintf(stderr, "rplat trace: WARNING: %s\n", txt);
	finding = !e.complete || g.stopped; /* a stopping threshold hit is a finding too (exit 1) */
	json_body(txt, esc, sizeof(esc));
	snprintf(members, sizeof(members),
		 "    \"evidence\": {\"complete\": %s, \"lost_events\": %llu, \"unlocated_lost_events\": %llu, "
		 "\"chain_breaks\": %llu, \"answered\": %zu, \"matched\": %zu, \"match_rate\": %.6f, "
		 "\"min_match_rate\": %.2f, \"windows_lost\": %zu, \"windows_broken\": %zu, \"outliers\": %zu, "
		 "\"verdicts_withheld\": %zu, \"summary\": %s%s%s},\n",
		 e.complete ? "true" : "false", (unsigned long long)e.lost_events, (unsigned long long)e.unlocated_lost,
		 (unsigned long long)e.chain_breaks, e.answered, e.matched, e.match_rate, RPLAT_ANA_MIN_MATCH,
		 e.windows_lost, e.windows_broken, e.outliers, e.withheld, txt[0] ? "\"" : "", txt[0] ? esc : "null",
		 txt[0] ? "\"" : "");
	if (patch_run_json(g.run_dir, members, finding))
		fprintf(stderr, "rplat trace: %s/run.json: could not add the trace evidence\n", g.run_dir);
	return finding;
}
