/* Unit tests for the timeline exports (tracing/export.c), issue 10 item 18: no track holds overlapping
 * slices, a message slice's name gives its own span, flow points lie strictly inside their slices, the
 * process is not named "rplat rplat"; the text listing names CPU N's idle task swapper/N and does not
 * show poll's pointer argument as an fd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rplat/json.h"
#include "analyze.h"
#include "export.h"
#include "synth.h"
#include "tev.h"

struct fx {
	struct rplat_tev_set ev;
	struct rplat_ana_sample *samples;
	struct rplat_analysis a;
	int32_t tid;
};

static void build(struct fx *f)
{
	struct rplat_synth_opts so;
	struct rplat_ana_opts ao;
	struct rplat_ana_input in;
	char err[256];

	memset(f, 0, sizeof(*f));
	rplat_synth_opts_init(&so);
	so.nmsg = 20;
	so.noise_per_msg = 4;
	rplat_tev_set_init(&f->ev);
	assert_int_equal(rplat_synth(&so, &f->ev, &f->samples), 0);
	/* the idle task's name as the capture last saw it: another CPU's */
	rplat_tev_names_task(&f->ev.names, 0, "swapper/1", 120);
	memset(&in, 0, sizeof(in));
	f->tid = so.tid;
	in.samples = f->samples;
	in.nsamples = so.nmsg;
	in.tids = &f->tid;
	in.ntids = 1;
	in.remote_pid = so.remote_pid;
	in.marker_fd = so.marker_fd;
	in.clock_err_ns = 500;
	rplat_ana_opts_init(&ao);
	assert_int_equal(rplat_analyze(&f->ev, &in, &ao, &f->a, err, sizeof(err)), 0);
	/* message 5 starts before message 4 ends (as a stream's queued messages do) */
	f->a.msg[5].b[RPLAT_B_SEND] = f->a.msg[4].b[RPLAT_B_SEND] + 1000;
}

static char *export_to_string(struct fx *f, int text)
{
	struct rplat_export_opts eo;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	rplat_export_opts_init(&eo);
	if (text)
		assert_int_equal(rplat_export_text(&f->ev, &f->a, &eo, m), 0);
	else
		assert_int_equal(rplat_export_perfetto(&f->ev, &f->a, &eo, m), 0);
	fclose(m);
	return buf;
}

static void test_perfetto_is_well_formed(void **state)
{
	struct fx f;
	struct rplat_json *j;
	const struct rplat_json *evs;
	char *out, err[256];
	size_t i, k, nmsg = 0, nflow = 0;

	(void)state;
	build(&f);
	out = export_to_string(&f, 0);
	j = rplat_json_parse(out, strlen(out), err, sizeof(err));
	if (!j)
		fail_msg("not JSON: %s", err);
	evs = rplat_json_member(j, "traceEvents");
	assert_non_null(evs);
	for (i = 0; i < evs->n; i++) {
		const struct rplat_json *e = &evs->child[i];
		const char *ph = rplat_json_str(rplat_json_member(e, "ph"));
		const char *name = rplat_json_str(rplat_json_member(e, "name"));
		double pid, tid, ts, dur;

		rplat_json_num(rplat_json_member(e, "pid"), &pid);
		rplat_json_num(rplat_json_member(e, "tid"), &tid);
		if (!strcmp(ph, "M")) {
			const char *n = rplat_json_str(rplat_json_get(e, "args.name"));

			assert_null(strstr(n, "rplat rplat"));
			continue;
		}
		rplat_json_num(rplat_json_member(e, "ts"), &ts);
		if (!strcmp(ph, "X")) {
			const char *cat = rplat_json_str(rplat_json_member(e, "cat"));

			rplat_json_num(rplat_json_member(e, "dur"), &dur);
			if (!strcmp(cat, "message")) {
				double us;

				nmsg++;
				assert_int_equal(sscanf(strchr(name, '(') + 1, "%lf", &us), 1);
				assert_true(us >= dur - 0.051 && us <= dur + 0.051); /* the name is the span, to 0.1 us */
			}
			/* no other slice of the same track overlaps it, unless nested (the remote's stage slices
			 * inside its message slice) */
			for (k = 0; k < evs->n; k++) {
				const struct rplat_json *o = &evs->child[k];
				const char *ph2 = rplat_json_str(rplat_json_member(o, "ph"));
				double p2, t2, s2, d2;

				if (k == i || strcmp(ph2, "X"))
					continue;
				rplat_json_num(rplat_json_member(o, "pid"), &p2);
				rplat_json_num(rplat_json_member(o, "tid"), &t2);
				if (p2 != pid || t2 != tid)
					continue;
				rplat_json_num(rplat_json_member(o, "ts"), &s2);
				rplat_json_num(rplat_json_member(o, "dur"), &d2);
				if (s2 < ts + dur - 0.0005 && ts < s2 + d2 - 0.0005) { /* touching is fine */
					int nested = (s2 >= ts - 0.0005 && s2 + d2 <= ts + dur + 0.0005) ||
						     (ts >= s2 - 0.0005 && ts + dur <= s2 + d2 + 0.0005);

					if (!nested)
						fail_msg("slices '%s' (%.3f+%.3f) and '%s' (%.3f+%.3f) overlap on track %g/%g",
							 name, ts, dur, rplat_json_str(rplat_json_member(o, "name")), s2, d2,
							 pid, tid);
				}
			}
		} else if (!strcmp(ph, "s") || !strcmp(ph, "t") || !strcmp(ph, "f")) {
			int inside = 0;

			nflow++;
			for (k = 0; k < evs->n && !inside; k++) {
				const struct rplat_json *o = &evs->child[k];
				double p2, t2, s2, d2;

				if (strcmp(rplat_json_str(rplat_json_member(o, "ph")), "X"))
					continue;
				rplat_json_num(rplat_json_member(o, "pid"), &p2);
				rplat_json_num(rplat_json_member(o, "tid"), &t2);
				rplat_json_num(rplat_json_member(o, "ts"), &s2);
				rplat_json_num(rplat_json_member(o, "dur"), &d2);
				inside = p2 == pid && t2 == tid && ts > s2 && ts < s2 + d2;
			}
			if (!inside)
				fail_msg("flow point %s at %.3f on %g/%g is not strictly inside a slice", ph, ts, pid, tid);
		}
	}
	assert_int_equal(nmsg, 20);
	assert_true(nflow >= 40);
	rplat_json_free(j);
	free(out);
	rplat_analysis_free(&f.a);
	rplat_tev_set_free(&f.ev);
	free(f.samples);
}

static void test_text_names(void **state)
{
	struct fx f;
	char *out, *p;

	(void)state;
	build(&f);
	out = export_to_string(&f, 1);
	/* the synthetic host thread runs on CPU1 and the probe on CPU0: CPU0's idle task is swapper/0 */
	for (p = out; (p = strstr(p, "swapper/")); p++) {
		const char *line = p;

		while (line > out && line[-1] != '\n')
			line--;
		if (!strncmp(line + 19, "  0", 3) || !strncmp(line + 19, "0 ", 2))
			assert_true(p[8] == '0');
	}
	assert_non_null(strstr(out, "swapper/0"));
	assert_non_null(strstr(out, "poll               enter fds pointer"));
	assert_null(strstr(out, "poll               enter fd "));
	free(out);
	rplat_analysis_free(&f.a);
	rplat_tev_set_free(&f.ev);
	free(f.samples);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perfetto_is_well_formed),
		cmocka_unit_test(test_text_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
