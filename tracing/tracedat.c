/* trace.dat through libtracecmd. See tracedat.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <trace-cmd.h>

#include "rplat/util.h"
#include "decode.h"
#include "tracedat.h"

int rplat_tracedat_is(const char *path)
{
	static const unsigned char magic[10] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	unsigned char buf[10];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)sizeof(buf) && !memcmp(buf, magic, sizeof(buf));
}

struct load_ctx {
	struct rplat_tdec *dec;
	struct rplat_tev_set *ev;
	struct tep_handle *tep;
	int failed;
};

static int on_record(struct tracecmd_input *h, struct tep_record *r, int cpu, void *data)
{
	struct load_ctx *x = data;
	struct rplat_tev e;

	(void)h;
	if (r->missed_events) {
		memset(&e, 0, sizeof(e));
		e.ts = (int64_t)r->ts;
		e.type = RPLAT_TEV_LOST;
		e.cpu = (uint16_t)cpu;
		e.pid = -1;
		e.c = r->missed_events > 0 ? r->missed_events : -1;
		if (rplat_tev_set_push(x->ev, &e))
			x->failed = 1;
	}
	if (rplat_tdec_event(x->dec, r->data, r->size, (int64_t)r->ts, (unsigned)cpu, &e, &x->ev->names) == 1 &&
	    rplat_tev_set_push(x->ev, &e))
		x->failed = 1;
	return x->failed ? -1 : 0;
}

static int load_handle(struct tracecmd_input *h, struct rplat_tev_set *ev, const char *file, char *err,
		       size_t errlen)
{
	struct load_ctx x = { .ev = ev };

	x.tep = tracecmd_get_tep(h);
	if (!x.tep)
		return rplat_fail(err, errlen, "%s: no event formats in the file", file);
	x.dec = rplat_tdec_alloc(x.tep);
	if (!x.dec)
		return rplat_fail(err, errlen, "%s: out of memory", file);
	tracecmd_iterate_events(h, NULL, 0, on_record, &x);
	rplat_tdec_free(x.dec);
	if (x.failed)
		return rplat_fail(err, errlen, "%s: out of memory", file);
	return 0;
}

/* Names the sched events did not give: from the file's saved cmdlines. */
static void fill_comms(struct rplat_tev_set *ev, struct tep_handle *tep)
{
	size_t i;

	for (i = 0; i < ev->n; i++) {
		int32_t pid = ev->ev[i].pid;
		const char *c;
		char comm[16] = { 0 };

		if (pid <= 0 || rplat_tev_names_find(&ev->names, pid))
			continue;
		c = tep_data_comm_from_pid(tep, pid);
		if (!c || !strcmp(c, "<...>"))
			continue;
		memcpy(comm, c, strnlen(c, 15));
		rplat_tev_names_task(&ev->names, pid, comm, INT32_MIN);
	}
}

int rplat_tracedat_load(const char *file, struct rplat_tev_set *ev, char *err, size_t errlen)
{
	struct tracecmd_input *h;
	int i, n, rc = 0;

	if (!rplat_tracedat_is(file))
		return rplat_fail(err, errlen, "%s: not a trace-cmd trace.dat file (no 0x17 0x08 0x44 \"tracing\" magic)",
				  file);
	tracecmd_set_loglevel(TEP_LOG_NONE);
	h = tracecmd_open(file, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (!h)
		return rplat_fail(err, errlen, "%s: libtracecmd cannot read it (corrupt, truncated or an unsupported "
				  "version): %s", file, strerror(errno ? errno : EINVAL));
	rc = load_handle(h, ev, file, err, errlen);
	n = tracecmd_buffer_instances(h);
	for (i = 0; !rc && i < n; i++) {
		struct tracecmd_input *ih = tracecmd_buffer_instance_handle(h, i);

		if (!ih)
			continue;
		rc = load_handle(ih, ev, file, err, errlen);
		tracecmd_close(ih);
	}
	if (!rc) {
		rplat_tev_set_sort(ev);
		fill_comms(ev, tracecmd_get_tep(h));
	}
	tracecmd_close(h);
	return rc;
}
