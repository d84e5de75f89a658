/* trace.dat through libtracecmd (tracing/tracedat.c): this test writes a trace-cmd version 6 file itself,
 * from the documented format (trace-cmd.dat.v6(5)) and this kernel's event formats (tests/fixtures/
 * trace/formats), with ring-buffer pages built from a synthetic capture; then it reads the file back
 * through rplat_tracedat_load() and checks that the events, the matching and the verdicts survive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include <event-parse.h>

#include "analyze.h"
#include "synth.h"
#include "tev.h"
#include "tracedat.h"

#define FIX "tests/fixtures/trace/formats/"
#define PAGE 4096

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s%s", FIX, name);
	f = fopen(path, "rb");
	if (!f && getenv("TOP")) {
		snprintf(path, sizeof(path), "%s/%s%s", getenv("TOP"), FIX, name);
		f = fopen(path, "rb");
	}
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The formats the file carries: system, event, fixture file. */
static const struct { const char *sys, *ev, *file; } fmts[] = {
	{ "sched", "sched_switch", "sched_sched_switch.format" },
	{ "sched", "sched_waking", "sched_sched_waking.format" },
	{ "sched", "sched_wakeup", "sched_sched_wakeup.format" },
	{ "sched", "sched_migrate_task", "sched_sched_migrate_task.format" },
	{ "irq", "irq_handler_entry", "irq_irq_handler_entry.format" },
	{ "irq", "irq_handler_exit", "irq_irq_handler_exit.format" },
	{ "irq", "softirq_entry", "irq_softirq_entry.format" },
	{ "irq", "softirq_exit", "irq_softirq_exit.format" },
	{ "ipi", "ipi_send_cpu", "ipi_ipi_send_cpu.format" },
	{ "syscalls", "sys_enter_write", "syscalls_sys_enter_write.format" },
	{ "syscalls", "sys_exit_write", "syscalls_sys_exit_write.format" },
	{ "syscalls", "sys_enter_read", "syscalls_sys_enter_read.format" },
	{ "syscalls", "sys_exit_read", "syscalls_sys_exit_read.format" },
	{ "syscalls", "sys_enter_poll", "syscalls_sys_enter_poll.format" },
	{ "syscalls", "sys_exit_poll", "syscalls_sys_exit_poll.format" },
};
#define NFMT (sizeof(fmts) / sizeof(fmts[0]))

/* ---- encoding rplat_tev back into raw records, with the formats' offsets ---- */

struct enc {
	struct tep_handle *tep;
	const struct rplat_tev_names *names;
};

static void set_num(struct tep_event *ev, uint8_t *rec, const char *field, int64_t v)
{
	struct tep_format_field *f = tep_find_any_field(ev, field);

	assert_non_null(f);
	memcpy(rec + f->offset, &v, (size_t)f->size); /* little-endian host */
}

static void set_comm(struct tep_event *ev, uint8_t *rec, const char *field, const struct enc *x, int32_t pid)
{
	struct tep_format_field *f = tep_find_any_field(ev, field);
	const struct rplat_tev_task *t = rplat_tev_names_find(x->names, pid);

	assert_non_null(f);
	memset(rec + f->offset, 0, (size_t)f->size);
	if (t)
		memcpy(rec + f->offset, t->comm, strlen(t->comm));
}

static struct tep_event *find(const struct enc *x, const char *sys, const char *name)
{
	struct tep_event *ev = tep_find_event_by_name(x->tep, sys, name);

	assert_non_null(ev);
	return ev;
}

/* Returns the record size (a multiple of 4), 0 for an event this test does not encode. */
static int encode(const struct enc *x, const struct rplat_tev *e, uint8_t *rec)
{
	static const char *const sysn[] = { "write", "read", "poll" };
	struct tep_event *ev = NULL;
	char name[64];
	int size = 0;

	memset(rec, 0, 256);
	switch (e->type) {
	case RPLAT_TEV_SWITCH:
		ev = find(x, "sched", "sched_switch");
		set_comm(ev, rec, "prev_comm", x, e->a);
		set_num(ev, rec, "prev_pid", e->a);
		set_num(ev, rec, "prev_prio", rplat_tev_prev_prio(e));
		set_num(ev, rec, "prev_state", rplat_tev_prev_state(e));
		set_comm(ev, rec, "next_comm", x, e->b);
		set_num(ev, rec, "next_pid", e->b);
		set_num(ev, rec, "next_prio", rplat_tev_next_prio(e));
		break;
	case RPLAT_TEV_WAKING:
	case RPLAT_TEV_WAKEUP:
		ev = find(x, "sched", e->type == RPLAT_TEV_WAKING ? "sched_waking" : "sched_wakeup");
		set_comm(ev, rec, "comm", x, e->a);
		set_num(ev, rec, "pid", e->a);
		set_num(ev, rec, "prio", e->c);
		set_num(ev, rec, "target_cpu", e->b);
		break;
	case RPLAT_TEV_IRQ_ENTRY: {
		const char *n = rplat_tev_names_irq_name(x->names, e->a);
		struct tep_format_field *f;
		size_t len = strlen(n ? n : "") + 1;

		ev = find(x, "irq", "irq_handler_entry");
		set_num(ev, rec, "irq", e->a);
		f = tep_find_any_field(ev, "name");
		size = f->offset + 4;
		memcpy(rec + size, n ? n : "", len);
		set_num(ev, rec, "name", (int64_t)((uint32_t)size | (uint32_t)len << 16));
		size += (int)len;
		break;
	}
	case RPLAT_TEV_IRQ_EXIT:
		ev = find(x, "irq", "irq_handler_exit");
		set_num(ev, rec, "irq", e->a);
		set_num(ev, rec, "ret", e->b);
		break;
	case RPLAT_TEV_SOFTIRQ_ENTRY:
	case RPLAT_TEV_SOFTIRQ_EXIT:
		ev = find(x, "irq", e->type == RPLAT_TEV_SOFTIRQ_ENTRY ? "softirq_entry" : "softirq_exit");
		set_num(ev, rec, "vec", e->a);
		break;
	case RPLAT_TEV_IPI_SEND:
		ev = find(x, "ipi", "ipi_send_cpu");
		set_num(ev, rec, "cpu", e->a);
		break;
	case RPLAT_TEV_SYS_ENTER:
	case RPLAT_TEV_SYS_EXIT:
		if (e->a > RPLAT_SYS_POLL)
			return 0;
		snprintf(name, sizeof(name), "sys_%s_%s", e->type == RPLAT_TEV_SYS_ENTER ? "enter" : "exit",
			 sysn[e->a]);
		ev = find(x, "syscalls", name);
		set_num(ev, rec, "__syscall_nr", e->a);
		if (e->type == RPLAT_TEV_SYS_EXIT)
			set_num(ev, rec, "ret", e->c);
		else
			set_num(ev, rec, tep_find_any_field(ev, "__syscall_nr")->next->name, e->b); /* 1st argument */
		break;
	case RPLAT_TEV_MARKER: {
		char text[48];
		int n = snprintf(text, sizeof(text), "rplat seq=%lld\n", (long long)e->c);

		ev = find(x, "ftrace", "print");
		memcpy(rec + 16, text, (size_t)n + 1);
		size = 16 + n + 1;
		break;
	}
	default:
		return 0;
	}
	{
		uint16_t id = (uint16_t)ev->id;
		int32_t pid = e->pid;

		memcpy(rec, &id, 2);
		memcpy(rec + 4, &pid, 4);
	}
	if (!size) {
		struct tep_format_field *f;

		for (f = ev->format.fields; f; f = f->next)
			if (f->offset + f->size > size)
				size = f->offset + f->size;
	}
	return (size + 3) & ~3;
}

/* ---- ring-buffer pages ---- */

struct cpubuf {
	uint8_t *data;
	size_t len, cap;
	size_t page;      /* offset of the current page */
	size_t used;      /* bytes of data in the current page */
	int64_t last_ts;
	int open;
};

static void cb_grow(struct cpubuf *b, size_t want)
{
	if (b->len + want <= b->cap)
		return;
	b->cap = (b->len + want) * 2;
	b->data = realloc(b->data, b->cap);
	assert_non_null(b->data);
}

static void page_new(struct cpubuf *b, int64_t ts)
{
	uint64_t t = (uint64_t)ts, zero = 0;

	cb_grow(b, PAGE);
	b->page = b->len;
	memset(b->data + b->len, 0, PAGE);
	memcpy(b->data + b->page, &t, 8);
	memcpy(b->data + b->page + 8, &zero, 8);
	b->len += PAGE;
	b->used = 0;
	b->last_ts = ts;
	b->open = 1;
}

static void page_put(struct cpubuf *b, const void *p, size_t n)
{
	uint64_t commit;

	memcpy(b->data + b->page + 16 + b->used, p, n);
	b->used += n;
	commit = b->used;
	memcpy(b->data + b->page + 8, &commit, 8);
}

static void put_event(struct cpubuf *b, int64_t ts, const uint8_t *rec, int size)
{
	int64_t delta;
	uint32_t hdr;

	if (!b->open || b->used + (size_t)size + 12 > PAGE - 16)
		page_new(b, ts);
	delta = ts - b->last_ts;
	assert_true(delta >= 0);
	if (delta >= (1 << 27)) {
		uint32_t ext[2] = { 30u | (uint32_t)(delta & ((1 << 27) - 1)) << 5, (uint32_t)(delta >> 27) };

		page_put(b, ext, 8);
		delta = 0;
	}
	assert_true(size <= 112);
	hdr = (uint32_t)(size / 4) | (uint32_t)delta << 5;
	page_put(b, &hdr, 4);
	page_put(b, rec, (size_t)size);
	b->last_ts = ts;
}

/* ---- the file ---- */

static void w(FILE *f, const void *p, size_t n)
{
	assert_int_equal(fwrite(p, 1, n, f), n);
}

static void w64(FILE *f, uint64_t v)
{
	w(f, &v, 8);
}

static void w32(FILE *f, uint32_t v)
{
	w(f, &v, 4);
}

static void write_tracedat(const char *path, const struct rplat_tev_set *ev, struct tep_handle *tep)
{
	static const unsigned char magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', '6', 0 };
	struct enc x = { tep, &ev->names };
	struct cpubuf cpu[2];
	const char *systems[] = { "sched", "irq", "ipi", "syscalls" };
	FILE *f = fopen(path, "wb");
	char *buf;
	size_t len, i, s, k;
	long pos, data;
	uint8_t rec[256];

	assert_non_null(f);
	memset(cpu, 0, sizeof(cpu));
	for (i = 0; i < ev->n; i++) {
		int size = encode(&x, &ev->ev[i], rec);

		assert_true(ev->ev[i].cpu < 2);
		if (size)
			put_event(&cpu[ev->ev[i].cpu], ev->ev[i].ts, rec, size);
	}
	w(f, magic, sizeof(magic));
	w(f, "\0\x08", 2); /* little endian, 8-byte longs */
	w32(f, PAGE);
	buf = slurp("header_page", &len);
	w(f, "header_page", 12);
	w64(f, len);
	w(f, buf, len);
	free(buf);
	buf = slurp("header_event", &len);
	w(f, "header_event", 13);
	w64(f, len);
	w(f, buf, len);
	free(buf);
	/* ftrace formats: the marker's print event */
	w32(f, 1);
	buf = slurp("ftrace_print.format", &len);
	w64(f, len);
	w(f, buf, len);
	free(buf);
	w32(f, sizeof(systems) / sizeof(systems[0]));
	for (s = 0; s < sizeof(systems) / sizeof(systems[0]); s++) {
		uint32_t n = 0;

		for (k = 0; k < NFMT; k++)
			n += !strcmp(fmts[k].sys, systems[s]);
		w(f, systems[s], strlen(systems[s]) + 1);
		w32(f, n);
		for (k = 0; k < NFMT; k++) {
			if (strcmp(fmts[k].sys, systems[s]))
				continue;
			buf = slurp(fmts[k].file, &len);
			w64(f, len);
			w(f, buf, len);
			free(buf);
		}
	}
	w32(f, 0); /* kallsyms */
	w32(f, 0); /* printk formats */
	{
		const char cmdlines[] = "1000 rplat\n1001 rplat-sim-probe\n";

		w64(f, sizeof(cmdlines) - 1);
		w(f, cmdlines, sizeof(cmdlines) - 1);
	}
	w32(f, 2);
	w(f, "flyrecord", 10);
	pos = ftell(f) + 2 * 16;
	data = (pos + PAGE - 1) / PAGE * PAGE;
	for (k = 0; k < 2; k++) {
		w64(f, (uint64_t)data);
		w64(f, cpu[k].len);
		data += (long)cpu[k].len;
	}
	while (ftell(f) % PAGE)
		fputc(0, f);
	for (k = 0; k < 2; k++) {
		w(f, cpu[k].data, cpu[k].len);
		free(cpu[k].data);
	}
	assert_int_equal(fclose(f), 0);
}

static struct tep_handle *formats_tep(void)
{
	struct tep_handle *tep = tep_alloc();
	char *buf;
	size_t len, k;

	assert_non_null(tep);
	buf = slurp("ftrace_print.format", &len);
	assert_int_equal(tep_parse_event(tep, buf, len, "ftrace"), 0);
	free(buf);
	for (k = 0; k < NFMT; k++) {
		buf = slurp(fmts[k].file, &len);
		assert_int_equal(tep_parse_event(tep, buf, len, fmts[k].sys), 0);
		free(buf);
	}
	return tep;
}

static void test_tracedat_round_trip(void **state)
{
	static const struct rplat_synth_glitch g[] = {
		{ .seq = 12, .kind = RPLAT_GLITCH_WAKE_DELAY, .ns = 300000, .pid = 777, .name = "stress-ng", .prio = 120 },
	};
	struct rplat_synth_opts so;
	struct rplat_tev_set ev, back;
	struct rplat_ana_sample *samples;
	struct rplat_ana_input in = { .marker_fd = -1, .clock_err_ns = -1 };
	struct rplat_ana_opts ao;
	struct rplat_analysis a;
	struct tep_handle *tep;
	char path[] = "/tmp/rplat-test-tracedat-XXXXXX", err[512] = "";
	size_t i, j, n = 0;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	rplat_synth_opts_init(&so);
	so.nmsg = 60;
	so.interval_ns = 200000000; /* 200 ms apart: time extends in the pages */
	so.noise_per_msg = 8;
	so.glitch = g;
	so.nglitch = 1;
	rplat_tev_set_init(&ev);
	assert_int_equal(rplat_synth(&so, &ev, &samples), 0);
	tep = formats_tep();
	write_tracedat(path, &ev, tep);
	tep_free(tep);
	assert_true(rplat_tracedat_is(path));

	rplat_tev_set_init(&back);
	if (rplat_tracedat_load(path, &back, err, sizeof(err)))
		fail_msg("load: %s", err);
	/* every event the test encoded comes back, in order, with its fields */
	for (i = 0; i < ev.n; i++)
		if (ev.ev[i].type != RPLAT_TEV_LOST)
			n++;
	assert_int_equal(back.n, n);
	for (i = 0, j = 0; i < ev.n; i++) {
		const struct rplat_tev *a0 = &ev.ev[i], *b0 = &back.ev[j++];

		assert_int_equal(a0->ts, b0->ts);
		assert_int_equal(a0->type, b0->type);
		assert_int_equal(a0->cpu, b0->cpu);
		assert_int_equal(a0->pid, b0->pid);
		assert_int_equal(a0->a, b0->a);
		if (a0->type != RPLAT_TEV_IPI_SEND && a0->type != RPLAT_TEV_SYS_ENTER)
			assert_int_equal(a0->c, b0->c);
	}
	assert_string_equal(rplat_tev_names_find(&back.names, 777)->comm, "stress-ng");
	assert_string_equal(rplat_tev_names_irq_name(&back.names, 24), "timer");

	/* analysis without samples: markers and syscalls alone */
	rplat_ana_opts_init(&ao);
	ao.worst = 1;
	assert_int_equal(rplat_analyze(&back, &in, &ao, &a, err, sizeof(err)), 0);
	assert_int_equal(a.nmsg, 60);
	assert_int_equal(a.matched, 60);
	assert_int_equal(a.nout, 1);
	assert_int_equal(a.msg[a.out[0].msg].seq, 12);
	assert_string_equal(rplat_stage_ids[a.out[0].dominant], "wakeup_to_run");
	assert_non_null(strstr(a.out[0].verdict, "`stress-ng`"));
	assert_non_null(strstr(a.out[0].verdict, "SCHED_OTHER"));
	rplat_analysis_free(&a);
	rplat_tev_set_free(&back);
	rplat_tev_set_free(&ev);
	free(samples);
	unlink(path);
}

static void test_tracedat_bad_files(void **state)
{
	struct rplat_tev_set ev;
	char path[] = "/tmp/rplat-test-tracedat-XXXXXX", err[512] = "";
	int fd;

	(void)state;
	rplat_tev_set_init(&ev);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a trace", 11), 11);
	close(fd);
	assert_false(rplat_tracedat_is(path));
	assert_int_equal(rplat_tracedat_load(path, &ev, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a trace-cmd trace.dat"));
	assert_non_null(strstr(err, path));
	/* the right magic, then garbage */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x17\x08\x44tracing6\0\0\x08garbage", 22), 22);
	close(fd);
	assert_int_equal(rplat_tracedat_load(path, &ev, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "libtracecmd cannot read it"));
	assert_int_equal(rplat_tracedat_load("/nonexistent/trace.dat", &ev, err, sizeof(err)), -1);
	rplat_tev_set_free(&ev);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracedat_round_trip),
		cmocka_unit_test(test_tracedat_bad_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
