/* Writing run directories atomically. See rplat/runfile.h. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rplat/runfile.h"
#include "rplat/util.h"

int rplat_runfile_open(struct rplat_runfile *rf, const char *dir, const char *name)
{
	if ((size_t)snprintf(rf->path, sizeof(rf->path), "%s/%s", dir, name) >= sizeof(rf->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(rf->tmp, sizeof(rf->tmp), "%s.tmp", rf->path);
	rf->f = fopen(rf->tmp, "w");
	return rf->f ? 0 : -1;
}

int rplat_runfile_commit(struct rplat_runfile *rf)
{
	int bad = fflush(rf->f) != 0 || ferror(rf->f);
	int e;

	if (!bad)
		fsync(fileno(rf->f));
	e = errno;
	if (fclose(rf->f))
		bad = 1;
	rf->f = NULL;
	if (bad || rename(rf->tmp, rf->path)) {
		e = errno;
		unlink(rf->tmp);
		errno = e ? e : EIO;
		return -1;
	}
	return 0;
}

void rplat_runfile_abort(struct rplat_runfile *rf)
{
	if (rf->f)
		fclose(rf->f);
	rf->f = NULL;
	unlink(rf->tmp);
}

int rplat_run_mkdir(const char *dir, char *err, size_t errlen)
{
	int created;

	return rplat_run_create(dir, &created, err, errlen);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path), 0;
}

static void rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void rplat_run_discard(const char *dir, int created)
{
	static const char *const ours[] = { "hist", "trace", "load", ".samples.spill" };
	char path[4200];
	size_t i;
	DIR *d;
	struct dirent *e;

	if (created) {
		rm_tree(dir);
		return;
	}
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ours[i]);
		rm_tree(path);
	}
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 4 && !strcmp(e->d_name + n - 4, ".tmp")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	}
	if (d)
		closedir(d);
}

int rplat_run_create(const char *dir, int *created, char *err, size_t errlen)
{
	char path[4096];

	*created = 0;
	if (mkdir(dir, 0755) == 0)
		*created = 1;
	else if (errno != EEXIST)
		return rplat_fail(err, errlen, "cannot create run directory %s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/run.json", dir);
	if (access(path, F_OK) == 0)
		return rplat_fail(err, errlen, "%s already holds a run (remove it or choose another -o)", dir);
	snprintf(path, sizeof(path), "%s/hist", dir);
	if (mkdir(path, 0755) && errno != EEXIST)
		return rplat_fail(err, errlen, "cannot create %s: %s", path, strerror(errno));
	return 0;
}

void rplat_stats_json(struct rplat_jw *jw, const char *key, const struct rplat_hist *h, double err_bound_ns)
{
	struct rplat_stats s;

	rplat_hist_stats(h, &s);
	rplat_jw_obj_begin(jw, key);
	rplat_jw_str(jw, "unit", "ns");
	rplat_jw_uint(jw, "count", s.count);
	if (s.count) {
		rplat_jw_uint(jw, "min", s.min);
		rplat_jw_double(jw, "avg", s.avg);
		rplat_jw_uint(jw, "max", s.max);
		rplat_jw_double(jw, "stddev", s.stddev);
		rplat_jw_uint(jw, "p50", s.p50);
		rplat_jw_uint(jw, "p90", s.p90);
		rplat_jw_uint(jw, "p99", s.p99);
		rplat_jw_uint(jw, "p99.9", s.p999);
		rplat_jw_uint(jw, "p99.99", s.p9999);
	}
	if (h->underflow)
		rplat_jw_uint(jw, "below_zero", h->underflow);
	if (err_bound_ns >= 0)
		rplat_jw_double(jw, "err_bound_ns", err_bound_ns);
	rplat_jw_obj_end(jw);
}

int rplat_run_write_hist(const char *dir, const char *name, const struct rplat_hist *h)
{
	struct rplat_runfile rf;
	char sub[4096], file[256];

	snprintf(sub, sizeof(sub), "%s/hist", dir);
	snprintf(file, sizeof(file), "%s.hist", name);
	if (rplat_runfile_open(&rf, sub, file))
		return -1;
	if (rplat_hist_write(h, name, rf.f)) {
		rplat_runfile_abort(&rf);
		return -1;
	}
	return rplat_runfile_commit(&rf);
}
