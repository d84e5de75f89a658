/* Raw ftrace events -> struct rplat_tev. See decode.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "decode.h"

struct field {
	int off, size; /* size 0: absent */
	int is_signed;
	int dynamic;   /* __data_loc: a u32 holding offset | len << 16 */
};

enum kind { K_NONE, K_SWITCH, K_WAKE, K_MIGRATE, K_IRQ_ENTRY, K_IRQ_EXIT, K_SOFTIRQ, K_IPI_CPU, K_IPI_MASK,
	    K_IPI_RAISE, K_IPI_REASON, K_SYS_ENTER, K_SYS_EXIT, K_PRINT, K_PROBE };

struct evinfo {
	enum kind kind;
	uint16_t type;   /* enum rplat_tev_type to emit */
	int sub;         /* syscall or probe number */
	struct field f[7];
};

#define MAX_INFO 256

struct rplat_tdec {
	struct field common_type, common_pid;
	int swap;
	int ninfo;
	uint8_t *map; /* event id -> index + 1 into info, 0 = unknown (65536 entries) */
	struct evinfo info[MAX_INFO];
};

static void get_field(struct tep_event *ev, const char *name, struct field *f)
{
	struct tep_format_field *tf = tep_find_any_field(ev, name);

	memset(f, 0, sizeof(*f));
	if (!tf)
		return;
	f->off = tf->offset;
	f->size = tf->size;
	f->is_signed = !!(tf->flags & TEP_FIELD_IS_SIGNED);
	f->dynamic = !!(tf->flags & TEP_FIELD_IS_DYNAMIC);
	if (f->dynamic)
		f->size = 4;
}

static int64_t rd(const struct rplat_tdec *d, const uint8_t *data, int size, const struct field *f)
{
	uint64_t v = 0;

	if (!f->size || f->off + f->size > size)
		return 0;
	switch (f->size) {
	case 1: return f->is_signed ? (int64_t)(int8_t)data[f->off] : (int64_t)data[f->off];
	case 2: {
		uint16_t x;

		memcpy(&x, data + f->off, 2);
		if (d->swap)
			x = __builtin_bswap16(x);
		return f->is_signed ? (int64_t)(int16_t)x : (int64_t)x;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, data + f->off, 4);
		if (d->swap)
			x = __builtin_bswap32(x);
		return f->is_signed ? (int64_t)(int32_t)x : (int64_t)x;
	}
	case 8:
		memcpy(&v, data + f->off, 8);
		if (d->swap)
			v = __builtin_bswap64(v);
		return (int64_t)v;
	}
	return 0;
}

/* A string field: fixed char[N] or __data_loc. Returns its start and length (up to the first NUL). */
static const char *rd_str(const struct rplat_tdec *d, const uint8_t *data, int size, const struct field *f,
			  size_t *len)
{
	const char *s;
	size_t max, n;

	*len = 0;
	if (!f->size && !f->off)
		return "";
	if (f->dynamic) {
		uint32_t loc = (uint32_t)rd(d, data, size, f);
		unsigned off = loc & 0xffff, l = loc >> 16;

		if (off + l > (unsigned)size)
			return "";
		s = (const char *)data + off;
		max = l;
	} else if (f->size == 0) { /* char buf[]: to the end of the record */
		if (f->off >= size)
			return "";
		s = (const char *)data + f->off;
		max = (size_t)(size - f->off);
	} else {
		if (f->off + f->size > size)
			return "";
		s = (const char *)data + f->off;
		max = (size_t)f->size;
	}
	for (n = 0; n < max && s[n]; n++)
		;
	*len = n;
	return s;
}

static struct evinfo *add(struct rplat_tdec *d, struct tep_event *ev, enum kind k, uint16_t type, int sub)
{
	struct evinfo *in;

	if (d->ninfo == MAX_INFO || ev->id < 0 || ev->id > 65535)
		return NULL;
	in = &d->info[d->ninfo++];
	memset(in, 0, sizeof(*in));
	in->kind = k;
	in->type = type;
	in->sub = sub;
	d->map[ev->id] = (uint8_t)d->ninfo;
	return in;
}

static const struct { const char *name; int sys; int enter; } sys_events[] = {
	{ "sys_enter_write", RPLAT_SYS_WRITE, 1 }, { "sys_exit_write", RPLAT_SYS_WRITE, 0 },
	{ "sys_enter_read", RPLAT_SYS_READ, 1 },   { "sys_exit_read", RPLAT_SYS_READ, 0 },
	{ "sys_enter_poll", RPLAT_SYS_POLL, 1 },   { "sys_exit_poll", RPLAT_SYS_POLL, 0 },
	{ "sys_enter_ppoll", RPLAT_SYS_PPOLL, 1 }, { "sys_exit_ppoll", RPLAT_SYS_PPOLL, 0 },
	{ "sys_enter_ioctl", RPLAT_SYS_IOCTL, 1 }, { "sys_exit_ioctl", RPLAT_SYS_IOCTL, 0 },
	{ "sys_enter_sendto", RPLAT_SYS_SENDTO, 1 }, { "sys_exit_sendto", RPLAT_SYS_SENDTO, 0 },
	{ "sys_enter_recvfrom", RPLAT_SYS_RECVFROM, 1 }, { "sys_exit_recvfrom", RPLAT_SYS_RECVFROM, 0 },
};

static const struct { const char *name; int probe; } probe_events[] = {
	{ "send", RPLAT_PROBE_SEND },
	{ "recv", RPLAT_PROBE_RECV_RET },
	{ "rproc_vq_interrupt", RPLAT_PROBE_RPROC_VQ_INTERRUPT },
	{ "rpmsg_recv_done", RPLAT_PROBE_RPMSG_RECV_DONE },
	{ "virtqueue_kick", RPLAT_PROBE_VIRTQUEUE_KICK },
	{ "mbox_send_message", RPLAT_PROBE_MBOX_SEND_MESSAGE },
};

static void classify(struct rplat_tdec *d, struct tep_event *ev)
{
	const char *sys = ev->system, *name = ev->name;
	struct evinfo *in = NULL;
	size_t i;

	if (!sys || !name)
		return;
	if (!strcmp(sys, "sched")) {
		if (!strcmp(name, "sched_switch")) {
			if ((in = add(d, ev, K_SWITCH, RPLAT_TEV_SWITCH, 0))) {
				get_field(ev, "prev_pid", &in->f[0]);
				get_field(ev, "next_pid", &in->f[1]);
				get_field(ev, "prev_state", &in->f[2]);
				get_field(ev, "prev_prio", &in->f[3]);
				get_field(ev, "next_prio", &in->f[4]);
				get_field(ev, "prev_comm", &in->f[5]);
				get_field(ev, "next_comm", &in->f[6]);
			}
		} else if (!strcmp(name, "sched_waking") || !strcmp(name, "sched_wakeup") ||
			   !strcmp(name, "sched_wakeup_new")) {
			uint16_t t = !strcmp(name, "sched_waking") ? RPLAT_TEV_WAKING :
				     !strcmp(name, "sched_wakeup") ? RPLAT_TEV_WAKEUP : RPLAT_TEV_WAKEUP_NEW;

			if ((in = add(d, ev, K_WAKE, t, 0))) {
				get_field(ev, "pid", &in->f[0]);
				get_field(ev, "target_cpu", &in->f[1]);
				get_field(ev, "prio", &in->f[2]);
				get_field(ev, "comm", &in->f[3]);
			}
		} else if (!strcmp(name, "sched_migrate_task")) {
			if ((in = add(d, ev, K_MIGRATE, RPLAT_TEV_MIGRATE, 0))) {
				get_field(ev, "pid", &in->f[0]);
				get_field(ev, "orig_cpu", &in->f[1]);
				get_field(ev, "dest_cpu", &in->f[2]);
				get_field(ev, "comm", &in->f[3]);
				get_field(ev, "prio", &in->f[4]);
			}
		}
	} else if (!strcmp(sys, "irq")) {
		if (!strcmp(name, "irq_handler_entry")) {
			if ((in = add(d, ev, K_IRQ_ENTRY, RPLAT_TEV_IRQ_ENTRY, 0))) {
				get_field(ev, "irq", &in->f[0]);
				get_field(ev, "name", &in->f[1]);
			}
		} else if (!strcmp(name, "irq_handler_exit")) {
			if ((in = add(d, ev, K_IRQ_EXIT, RPLAT_TEV_IRQ_EXIT, 0))) {
				get_field(ev, "irq", &in->f[0]);
				get_field(ev, "ret", &in->f[1]);
			}
		} else if (!strcmp(name, "softirq_entry") || !strcmp(name, "softirq_exit")) {
			if ((in = add(d, ev, K_SOFTIRQ, name[8] == 'e' && name[9] == 'n' ?
				      RPLAT_TEV_SOFTIRQ_ENTRY : RPLAT_TEV_SOFTIRQ_EXIT, 0)))
				get_field(ev, "vec", &in->f[0]);
		}
	} else if (!strcmp(sys, "ipi")) {
		if (!strcmp(name, "ipi_send_cpu")) {
			if ((in = add(d, ev, K_IPI_CPU, RPLAT_TEV_IPI_SEND, 0)))
				get_field(ev, "cpu", &in->f[0]);
		} else if (!strcmp(name, "ipi_send_cpumask")) {
			if ((in = add(d, ev, K_IPI_MASK, RPLAT_TEV_IPI_SEND, 0)))
				get_field(ev, "cpumask", &in->f[0]);
		} else if (!strcmp(name, "ipi_raise")) {
			if ((in = add(d, ev, K_IPI_RAISE, RPLAT_TEV_IPI_SEND, 0)))
				get_field(ev, "target_cpus", &in->f[0]);
		} else if (!strcmp(name, "ipi_entry") || !strcmp(name, "ipi_exit")) {
			add(d, ev, K_IPI_REASON, !strcmp(name, "ipi_entry") ? RPLAT_TEV_IPI_ENTRY : RPLAT_TEV_IPI_EXIT,
			    0);
		}
	} else if (!strcmp(sys, "syscalls")) {
		for (i = 0; i < sizeof(sys_events) / sizeof(sys_events[0]); i++)
			if (!strcmp(name, sys_events[i].name)) {
				if (sys_events[i].enter) {
					if ((in = add(d, ev, K_SYS_ENTER, RPLAT_TEV_SYS_ENTER, sys_events[i].sys))) {
						struct tep_format_field *a = ev->format.fields;

						/* the first two arguments, whatever their names */
						while (a && strcmp(a->name, "__syscall_nr"))
							a = a->next;
						if (a && a->next) {
							get_field(ev, a->next->name, &in->f[0]);
							if (a->next->next)
								get_field(ev, a->next->next->name, &in->f[1]);
						}
					}
				} else if ((in = add(d, ev, K_SYS_EXIT, RPLAT_TEV_SYS_EXIT, sys_events[i].sys))) {
					get_field(ev, "ret", &in->f[0]);
				}
			}
	} else if (!strcmp(sys, "ftrace") && !strcmp(name, "print")) {
		if ((in = add(d, ev, K_PRINT, RPLAT_TEV_MARKER, 0)))
			get_field(ev, "buf", &in->f[0]);
	} else if (!strcmp(sys, RPLAT_TDEC_PROBE_GROUP)) {
		for (i = 0; i < sizeof(probe_events) / sizeof(probe_events[0]); i++)
			if (!strcmp(name, probe_events[i].name))
				add(d, ev, K_PROBE, RPLAT_TEV_PROBE, probe_events[i].probe);
	}
}

struct rplat_tdec *rplat_tdec_alloc(struct tep_handle *tep)
{
	struct rplat_tdec *d = calloc(1, sizeof(*d));
	int i, n = tep_get_events_count(tep);

	if (!d)
		return NULL;
	d->map = calloc(65536, 1);
	if (!d->map) {
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	d->swap = tep_is_file_bigendian(tep) != tep_is_local_bigendian(tep);
	d->common_type = (struct field){ .off = 0, .size = 2 };
	d->common_pid = (struct field){ .off = 4, .size = 4, .is_signed = 1 };
	for (i = 0; i < n; i++) {
		struct tep_event *ev = tep_get_event(tep, i);

		if (!ev)
			continue;
		if (i == 0) {
			struct tep_format_field *f = tep_find_common_field(ev, "common_type");

			if (f)
				d->common_type = (struct field){ .off = f->offset, .size = f->size };
			f = tep_find_common_field(ev, "common_pid");
			if (f)
				d->common_pid = (struct field){ .off = f->offset, .size = f->size, .is_signed = 1 };
		}
		classify(d, ev);
	}
	return d;
}

void rplat_tdec_free(struct rplat_tdec *d)
{
	if (!d)
		return;
	free(d->map);
	free(d);
}

int rplat_tdec_known(const struct rplat_tdec *d)
{
	return d->ninfo;
}

/* "rplat seq=N" (ping: written before the send) -> 0, "rplat rx seq=N" (stream: written after the read) ->
 * 1; anything else -> -1. */
static int parse_marker(const char *s, size_t len, int64_t *seq)
{
	static const char pfx[] = "rplat ", rx[] = "rx ", key[] = "seq=";
	uint64_t v = 0;
	size_t i = sizeof(pfx) - 1, start;
	int kind = 0;

	if (len < i || memcmp(s, pfx, i))
		return -1;
	if (len >= i + sizeof(rx) - 1 && !memcmp(s + i, rx, sizeof(rx) - 1)) {
		kind = 1;
		i += sizeof(rx) - 1;
	}
	if (len < i + sizeof(key) - 1 || memcmp(s + i, key, sizeof(key) - 1))
		return -1;
	i += sizeof(key) - 1;
	for (start = i; i < len && s[i] >= '0' && s[i] <= '9' && i - start < 19; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i == start)
		return -1;
	*seq = (int64_t)v;
	return kind;
}

int rplat_tdec_event(struct rplat_tdec *d, const void *data, int size, int64_t ts, unsigned cpu,
		     struct rplat_tev *e, struct rplat_tev_names *names)
{
	const uint8_t *p = data;
	const struct evinfo *in;
	unsigned idx;
	size_t len;
	const char *s;

	if (size < 8)
		return -1;
	idx = d->map[(uint16_t)rd(d, p, size, &d->common_type)];
	if (!idx)
		return 0;
	in = &d->info[idx - 1];
	memset(e, 0, sizeof(*e));
	e->ts = ts;
	e->cpu = (uint16_t)cpu;
	e->type = in->type;
	e->pid = (int32_t)rd(d, p, size, &d->common_pid);
	switch (in->kind) {
	case K_SWITCH: {
		int prev_prio = (int)rd(d, p, size, &in->f[3]), next_prio = (int)rd(d, p, size, &in->f[4]);

		e->a = (int32_t)rd(d, p, size, &in->f[0]);
		e->b = (int32_t)rd(d, p, size, &in->f[1]);
		e->c = rplat_tev_pack_switch(rd(d, p, size, &in->f[2]), prev_prio, next_prio);
		if (names) {
			s = rd_str(d, p, size, &in->f[5], &len);
			if (len) {
				char comm[16] = { 0 };
				struct rplat_tev_task *t = rplat_tev_names_find(names, e->a);

				memcpy(comm, s, len < 15 ? len : 15);
				if (!t || t->prio != prev_prio || memcmp(t->comm, comm, 16))
					rplat_tev_names_task(names, e->a, comm, prev_prio);
			}
			s = rd_str(d, p, size, &in->f[6], &len);
			if (len) {
				char comm[16] = { 0 };
				struct rplat_tev_task *t = rplat_tev_names_find(names, e->b);

				memcpy(comm, s, len < 15 ? len : 15);
				if (!t || t->prio != next_prio || memcmp(t->comm, comm, 16))
					rplat_tev_names_task(names, e->b, comm, next_prio);
			}
		}
		break;
	}
	case K_WAKE:
		e->a = (int32_t)rd(d, p, size, &in->f[0]);
		e->b = (int32_t)rd(d, p, size, &in->f[1]);
		e->c = rd(d, p, size, &in->f[2]);
		if (names && !rplat_tev_names_find(names, e->a)) {
			char comm[16] = { 0 };

			s = rd_str(d, p, size, &in->f[3], &len);
			memcpy(comm, s, len < 15 ? len : 15);
			rplat_tev_names_task(names, e->a, comm, (int)e->c);
		}
		break;
	case K_MIGRATE:
		e->a = (int32_t)rd(d, p, size, &in->f[0]);
		e->b = (int32_t)rd(d, p, size, &in->f[1]);
		e->c = rd(d, p, size, &in->f[2]);
		break;
	case K_IRQ_ENTRY:
		e->a = (int32_t)rd(d, p, size, &in->f[0]);
		if (names) {
			const char *old = rplat_tev_names_irq_name(names, e->a);

			s = rd_str(d, p, size, &in->f[1], &len);
			if (len && (!old || strlen(old) != (len < 31 ? len : 31) || memcmp(old, s, strlen(old))))
				rplat_tev_names_irq(names, e->a, s, len);
		}
		break;
	case K_IRQ_EXIT:
		e->a = (int32_t)rd(d, p, size, &in->f[0]);
		e->b = (int32_t)rd(d, p, size, &in->f[1]);
		break;
	case K_SOFTIRQ:
		e->a = (int32_t)rd(d, p, size, &in->f[0]);
		break;
	case K_IPI_CPU:
		e->a = (int32_t)rd(d, p, size, &in->f[0]);
		e->b = 1;
		e->c = e->a >= 0 && e->a < 64 ? (int64_t)(1ull << e->a) : 0;
		break;
	case K_IPI_MASK:
	case K_IPI_RAISE: {
		/* a cpumask (__data_loc or __bitmask): longs, bit i = cpu i */
		uint32_t loc = (uint32_t)rd(d, p, size, &in->f[0]);
		unsigned off = loc & 0xffff, l = loc >> 16, i;
		uint64_t mask = 0;
		int first = -1, count = 0;

		if (in->f[0].dynamic && off + l <= (unsigned)size) {
			for (i = 0; i < l * 8; i++)
				if (p[off + i / 8] >> (i % 8) & 1) {
					/* little-endian longs: byte i/8 holds cpus i..; swapped files are rare here */
					if (first < 0)
						first = (int)i;
					if (i < 64)
						mask |= 1ull << i;
					count++;
				}
		}
		e->a = first;
		e->b = count;
		e->c = (int64_t)mask;
		break;
	}
	case K_IPI_REASON:
		e->a = -1;
		break;
	case K_SYS_ENTER:
		e->a = in->sub;
		e->b = (int32_t)rd(d, p, size, &in->f[0]);
		e->c = rd(d, p, size, &in->f[1]);
		break;
	case K_SYS_EXIT:
		e->a = in->sub;
		e->c = rd(d, p, size, &in->f[0]);
		break;
	case K_PRINT: {
		int64_t seq;
		int kind;

		s = rd_str(d, p, size, &in->f[0], &len);
		kind = parse_marker(s, len, &seq);
		if (kind < 0)
			return 0;
		e->a = (int32_t)seq;
		e->b = kind;
		e->c = seq;
		break;
	}
	case K_PROBE:
		e->a = in->sub;
		break;
	case K_NONE:
		return 0;
	}
	return 1;
}
