/* Writing run directories: every file goes to NAME.tmp and is renamed when complete, so a file that
 * exists in a run is whole. */
#ifndef RPLAT_RUNFILE_H
#define RPLAT_RUNFILE_H

#include <stdio.h>

#include "rplat/hist.h"
#include "rplat/json.h"

struct rplat_runfile {
	FILE *f;
	char path[4096];
	char tmp[4096 + 8];
};

/* Open DIR/NAME for writing (through DIR/NAME.tmp). Returns 0, or -1 with errno. */
int rplat_runfile_open(struct rplat_runfile *rf, const char *dir, const char *name);
/* Flush, fsync, close and rename into place. On any earlier write error nothing is renamed and the
 * temporary is removed. Returns 0, or -1 with errno. */
int rplat_runfile_commit(struct rplat_runfile *rf);
/* Abandon: close and remove the temporary. */
void rplat_runfile_abort(struct rplat_runfile *rf);

/* Create DIR (and DIR/hist). Refuses a directory that already holds a run.json. Returns 0, or -1 with a
 * message in err. */
int rplat_run_mkdir(const char *dir, char *err, size_t errlen);
/* rplat_run_mkdir, telling whether DIR itself was created (*created = 1) or already existed. */
int rplat_run_create(const char *dir, int *created, char *err, size_t errlen);
/* Undo a run directory after a setup error, so that nothing half-made is left: all of DIR when
 * 'created', else only what rplat puts in one (hist/, trace/, load/, the spill, *.tmp). */
void rplat_run_discard(const char *dir, int created);

/* Write 'h' summary statistics as the object 'key' ({"unit":"ns","count",...}); err_bound_ns < 0 omits
 * the error bound. */
void rplat_stats_json(struct rplat_jw *jw, const char *key, const struct rplat_hist *h, double err_bound_ns);
/* Write DIR/hist/NAME.hist. Returns 0 or -1 with errno. */
int rplat_run_write_hist(const char *dir, const char *name, const struct rplat_hist *h);

#endif
