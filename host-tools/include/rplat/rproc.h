/* Remote processors through the remoteproc sysfs interface and the debugfs trace buffers.
 *
 *   SYS/class/remoteproc/remoteprocN/{name,state,firmware}     (state: offline, running, crashed, ...)
 *   SYS/kernel/debug/remoteproc/remoteprocN/traceK              (the firmware's trace buffer K)
 *   ROOT/lib/firmware/NAME                                      (what 'firmware' names)
 *
 * Stop and firmware changes are written as asked and the kernel's own answer is reported: its errno
 * (name and text) with what it means (stopping an offline core: EINVAL; changing the firmware of a
 * running one: EBUSY). Only a start of a core that is already powered is refused before the write: the
 * kernel would not refuse it but take another power reference. The roots are overridable so that tests
 * run on fixture trees. */
#ifndef RPLAT_RPROC_H
#define RPLAT_RPROC_H

#include <limits.h>
#include <stddef.h>

struct rplat_rproc_roots {
	char sys[PATH_MAX];    /* /sys */
	char debug[PATH_MAX];  /* /sys/kernel/debug */
	char fw[PATH_MAX];     /* /lib/firmware */
};

/* root NULL, "" or "/": the live system; else ROOT/sys, ROOT/sys/kernel/debug, ROOT/lib/firmware.
 * Returns 0, or -1 with errno ENAMETOOLONG. */
int rplat_rproc_roots_init(struct rplat_rproc_roots *r, const char *root);

struct rplat_rproc {
	char id[32];          /* "remoteproc0" */
	char name[128];       /* its 'name' attribute, "5000000.m4fss" */
	char state[32];       /* "offline", "running", "crashed", "attached", "detached", "suspended", ... */
	char firmware[256];   /* its 'firmware' attribute */
	char recovery[32];    /* "enabled", "disabled", "" when absent */
	int ntrace;           /* trace buffers in debugfs (-1: debugfs not mounted or not readable) */
	char dir[PATH_MAX];   /* its sysfs directory */
};

/**
 * rplat_rproc_list - every remote processor, sorted by number
 * @r: roots
 * @list: where to store the malloc'd array (free() it); NULL when there is none
 * @n: its length
 *
 * Returns 0 (also when remoteproc is absent: n = 0), or -1 with a message.
 */
int rplat_rproc_list(const struct rplat_rproc_roots *r, struct rplat_rproc **list, size_t *n, char *err,
		     size_t errlen);

/* Find one by class entry ("remoteproc0", or just "0") or by name; NULL picks the only one. Returns 0,
 * or -1 with a message (none, several and no name given, no such one). */
int rplat_rproc_find(const struct rplat_rproc_roots *r, const char *which, struct rplat_rproc *out, char *err,
		     size_t errlen);

/* Start or stop it. Returns 0, or -1 with a message: the kernel's errno explained (rplat_rproc_explain()),
 * for start also a powered core (not written), for stop also a core still up after the write. */
int rplat_rproc_start(const struct rplat_rproc_roots *r, const struct rplat_rproc *p, char *err, size_t errlen);
int rplat_rproc_stop(const struct rplat_rproc_roots *r, const struct rplat_rproc *p, char *err, size_t errlen);

/**
 * rplat_rproc_firmware_path - resolve what 'load' was given
 * @r: roots
 * @fw: a name relative to the firmware directory, or a path to a file inside it
 * @name: the name to write to sysfs
 * @path: the file it names
 *
 * Returns 0, or -1 with a message (missing file, or a file outside the firmware directory, which the
 * kernel cannot load).
 */
int rplat_rproc_firmware_path(const struct rplat_rproc_roots *r, const char *fw, char *name, size_t namelen,
			      char *path, size_t pathlen, char *err, size_t errlen);

/* Set the firmware name (the kernel allows it only while offline). Returns 0, or -1 with the kernel's
 * errno explained. */
int rplat_rproc_set_firmware(const struct rplat_rproc_roots *r, const struct rplat_rproc *p, const char *name,
			     char *err, size_t errlen);

/* Read trace buffer 'idx' up to its first NUL. *buf is malloc'd and NUL-terminated. Returns 0, or -1 with
 * a message (debugfs not mounted, no such buffer). */
int rplat_rproc_read_trace(const struct rplat_rproc_roots *r, const struct rplat_rproc *p, int idx, char **buf,
			   size_t *len, char *err, size_t errlen);

/**
 * rplat_rproc_explain - the message for a sysfs write the kernel refused
 * @p: the processor, as read before the write
 * @attr_name: "state" or "firmware"
 * @val: what was written ("stop", "start", a firmware name)
 * @e: the errno of the write
 * @err: the message: id, name, state, the errno's name and text, and what it means for that write
 *
 * Returns -1 (for `return rplat_rproc_explain(...)`).
 */
int rplat_rproc_explain(const struct rplat_rproc *p, const char *attr_name, const char *val, int e, char *err,
			size_t errlen);

#endif
