/* Decoded trace events: the one record format that the capture writes, trace.dat loading produces, and
 * the analysis and the exports read.
 *
 * A record is 32 bytes, fixed size, host byte order (the file header says which), so a capture of a
 * million events is 32 MB and loads with one read. Each event type gives the generic fields a, b, c
 * a meaning (below). Tasks and IRQs are named in a side table (struct rplat_tev_names), so records
 * stay small.
 *
 * On disk (RUN/trace/, see the README section "rplat trace"):
 *   cpuN.ev     one file per CPU: a 32-byte header, then records in timestamp order
 *   names.tsv   "task<TAB>pid<TAB>comm<TAB>prio<TAB>policy[<TAB>kind]" (kind: user, kthread or -) and
 *               "irq<TAB>nr<TAB>name" lines
 *   capture.json what was captured, how, and what was missing or lost */
#ifndef RPLAT_TEV_H
#define RPLAT_TEV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum rplat_tev_type {
	RPLAT_TEV_NONE = 0,
	RPLAT_TEV_SWITCH,        /* pid = prev; a = prev_pid, b = next_pid,
				    c = prev_state (bits 0..31) | prev_prio << 32 | next_prio << 48 (u16 each) */
	RPLAT_TEV_WAKING,        /* a = woken pid, b = target_cpu, c = prio */
	RPLAT_TEV_WAKEUP,        /* as WAKING */
	RPLAT_TEV_WAKEUP_NEW,    /* as WAKING */
	RPLAT_TEV_MIGRATE,       /* a = pid, b = orig_cpu, c = dest_cpu */
	RPLAT_TEV_IRQ_ENTRY,     /* a = irq (named in names.tsv) */
	RPLAT_TEV_IRQ_EXIT,      /* a = irq, b = ret */
	RPLAT_TEV_SOFTIRQ_ENTRY, /* a = vec (enum in rplat_tev_softirq_name) */
	RPLAT_TEV_SOFTIRQ_EXIT,  /* a = vec */
	RPLAT_TEV_IPI_SEND,      /* a = first target cpu or -1, b = number of targets, c = mask of cpus < 64 */
	RPLAT_TEV_IPI_ENTRY,     /* a = reason index or -1 (architectures with ipi_entry/ipi_exit) */
	RPLAT_TEV_IPI_EXIT,      /* a = reason index or -1 */
	RPLAT_TEV_SYS_ENTER,     /* a = enum rplat_tev_sys, b = first argument (fd), c = second argument */
	RPLAT_TEV_SYS_EXIT,      /* a = enum rplat_tev_sys, c = return value */
	RPLAT_TEV_MARKER,        /* trace marker "rplat seq=N" (b = 0, before a ping's send) or "rplat rx seq=N"
			    (b = 1, after a stream message was read): a = (int32)N, c = N */
	RPLAT_TEV_PROBE,         /* a uprobe or kprobe hit: a = enum rplat_tev_probe */
	RPLAT_TEV_LOST,          /* the ring buffer lost events on this cpu before ts: c = how many, -1 unknown */
	RPLAT_TEV_NTYPES
};

/* sendto/recvfrom: the qemu link's doorbell and its reply socket (a ping's send is a write or a sendto) */
enum rplat_tev_sys { RPLAT_SYS_WRITE, RPLAT_SYS_READ, RPLAT_SYS_POLL, RPLAT_SYS_PPOLL, RPLAT_SYS_IOCTL,
		     RPLAT_SYS_SENDTO, RPLAT_SYS_RECVFROM, RPLAT_SYS_NR };

enum rplat_tev_probe {
	RPLAT_PROBE_SEND,             /* uprobe: rplat_link_send() entry */
	RPLAT_PROBE_RECV_RET,         /* uretprobe: rplat_link_recv() return */
	RPLAT_PROBE_RPROC_VQ_INTERRUPT, /* kprobes, where the kernel has them */
	RPLAT_PROBE_RPMSG_RECV_DONE,
	RPLAT_PROBE_VIRTQUEUE_KICK,
	RPLAT_PROBE_MBOX_SEND_MESSAGE,
	RPLAT_PROBE_NR
};

struct rplat_tev {
	int64_t ts;     /* ns on the capture's trace clock (mono = CLOCK_MONOTONIC for rplat's captures) */
	uint16_t type;  /* enum rplat_tev_type */
	uint16_t cpu;
	int32_t pid;    /* common_pid: the task that was running */
	int32_t a;
	int32_t b;
	int64_t c;
};

_Static_assert(sizeof(struct rplat_tev) == 32, "rplat_tev is 32 bytes on disk");

#define RPLAT_TEV_MAGIC "RPLATEV1"
#define RPLAT_TEV_VERSION 1u

/* The 32-byte header of a cpuN.ev file. */
struct rplat_tev_filehdr {
	char magic[8];        /* RPLAT_TEV_MAGIC */
	uint32_t version;     /* RPLAT_TEV_VERSION */
	uint32_t record_size; /* 32 */
	uint32_t cpu;
	uint32_t endian;      /* 0x01020304 written in the writer's byte order */
	uint64_t reserved;
};

const char *rplat_tev_type_name(unsigned type);
const char *rplat_tev_sys_name(unsigned sys);
const char *rplat_tev_probe_name(unsigned probe);
const char *rplat_tev_softirq_name(unsigned vec);   /* "TIMER", ... or "softirq" */
static inline int rplat_tev_prev_prio(const struct rplat_tev *e) { return (int16_t)((uint64_t)e->c >> 32); }
static inline int rplat_tev_next_prio(const struct rplat_tev *e) { return (int16_t)((uint64_t)e->c >> 48); }
static inline int64_t rplat_tev_prev_state(const struct rplat_tev *e) { return (int64_t)(uint32_t)e->c; }
int64_t rplat_tev_pack_switch(int64_t prev_state, int prev_prio, int next_prio);

/* ---- names of tasks and IRQs ---- */
enum { RPLAT_TASK_UNKNOWN, RPLAT_TASK_USER, RPLAT_TASK_KTHREAD };

struct rplat_tev_task {
	int32_t pid;
	int prio;           /* kernel prio as in sched events: <0 deadline, 0..99 RT (99 - rtprio), 100.. normal */
	char comm[16];
	char policy[16];    /* "SCHED_FIFO", ... when known, else "" */
	int checked;        /* the capture looked its policy up (not saved) */
	int kind;           /* RPLAT_TASK_UNKNOWN, _USER (a user-space task), _KTHREAD (a kernel thread) */
};

struct rplat_tev_names {
	struct rplat_tev_task *task; /* open-addressing hash by pid */
	size_t task_cap, ntasks;
	struct { int32_t irq; char name[32]; } *irq;
	size_t nirq, irq_cap;
};

void rplat_tev_names_init(struct rplat_tev_names *n);
void rplat_tev_names_free(struct rplat_tev_names *n);
/* Set a task's comm (16 bytes, need not be NUL-terminated) and prio (INT32_MIN = leave). Returns 0 or -1
 * (ENOMEM). */
int rplat_tev_names_task(struct rplat_tev_names *n, int32_t pid, const char *comm, int prio);
struct rplat_tev_task *rplat_tev_names_find(const struct rplat_tev_names *n, int32_t pid);
int rplat_tev_names_irq(struct rplat_tev_names *n, int32_t irq, const char *name, size_t len);
const char *rplat_tev_names_irq_name(const struct rplat_tev_names *n, int32_t irq); /* NULL if unknown */
/* The comm of pid, "<idle>" for 0, or "pid N" written into buf. */
const char *rplat_tev_comm(const struct rplat_tev_names *n, int32_t pid, char *buf, size_t len);
/* "SCHED_FIFO 50", "SCHED_OTHER nice 0", "RT prio 50" (class known, policy not), ... written into buf.
 * prio is the kernel prio seen in the trace at the moment that matters (INT32_MIN: the last one seen);
 * the looked-up policy is used only when it agrees with that prio's class. */
const char *rplat_tev_policy_at(const struct rplat_tev_names *n, int32_t pid, int prio, char *buf, size_t len);
const char *rplat_tev_policy(const struct rplat_tev_names *n, int32_t pid, char *buf, size_t len);
/* Look up, in /proc, the scheduling policy and kind (user or kernel thread) of the tasks named so far,
 * while they still exist: once per task, and only if the task still has the comm the trace saw. For the
 * live captures (rplat trace, rplat observe). */
void rplat_tev_names_sample_policies(struct rplat_tev_names *n);
/* names.tsv */
int rplat_tev_names_write(const struct rplat_tev_names *n, FILE *f);
int rplat_tev_names_read(struct rplat_tev_names *n, FILE *f, const char *path, char *err, size_t errlen);

/* ---- writing cpuN.ev ---- */
struct rplat_tev_writer {
	FILE *f;
	char path[4096];    /* final name; data goes to path + ".tmp" until rplat_tev_writer_close() */
	uint64_t count;
	int failed;         /* errno of the first failed write, 0 if none */
};

int rplat_tev_writer_open(struct rplat_tev_writer *w, const char *path, unsigned cpu);
static inline void rplat_tev_writer_put(struct rplat_tev_writer *w, const struct rplat_tev *e)
{
	if (fwrite(e, sizeof(*e), 1, w->f) == 1)
		w->count++;
	else if (!w->failed)
		w->failed = 5; /* EIO */
}
/* Flush, close and rename into place (commit != 0), or remove the temporary file. Returns 0 or -1. */
int rplat_tev_writer_close(struct rplat_tev_writer *w, int commit);

/* ---- a loaded capture: every CPU's events merged in timestamp order ---- */
struct rplat_tev_set {
	struct rplat_tev *ev;
	size_t n, cap;
	unsigned ncpus;        /* highest cpu seen + 1 */
	uint64_t lost;         /* sum of LOST records' counts (unknown counts as 1) */
	struct rplat_tev_names names;
	size_t mapped;         /* ev is an anonymous mapping of this many bytes (large sets), else malloc'd */
};

void rplat_tev_set_init(struct rplat_tev_set *s);
void rplat_tev_set_free(struct rplat_tev_set *s);
int rplat_tev_set_push(struct rplat_tev_set *s, const struct rplat_tev *e);
/* Sort by (ts, cpu), stable; for sets built by push in any order. */
void rplat_tev_set_sort(struct rplat_tev_set *s);
/* Load DIR/cpu*.ev and DIR/names.tsv. Returns 0, or -1 with a message naming the file and field. */
int rplat_tev_set_load(struct rplat_tev_set *s, const char *dir, char *err, size_t errlen);
/* Index of the first event with ts >= t (s->n if none). */
size_t rplat_tev_set_lower(const struct rplat_tev_set *s, int64_t t);

#endif
