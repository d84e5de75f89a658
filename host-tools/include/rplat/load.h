/* Background load for measurements: `rplat ping --load PROFILE` and `rplat load PROFILE -- CMD`.
 *
 * A profile is a short text naming real Debian tools and their parameters, one tool per line:
 *
 *   # comment
 *   name my-load                     the profile's name (default: the file's base name)
 *   warmup 2s                        time between starting the load and the measurement (default 1s)
 *   cyclictest priority=95 interval=1000 hist=1000 cpus=other
 *   hackbench groups=3*cpus loops=1000 size=1000 mode=process     restarted whenever it exits
 *   stress-ng cpu=cpus vm=1 vm-bytes=128M io=1 timer=1 timer-freq=10000
 *   exec restart=yes -- /usr/bin/my-tool --flag
 *
 * Counts accept an integer, "cpus", "K*cpus" or "cpus/K" (the CPUs rplat may run on). Built-in profiles:
 * none, cpu, io, mixed, rteval (rplat load --list shows their text). Any other PROFILE names a file.
 *
 * Process model: rplat forks one supervisor ("rplat-load") in its own process group; the supervisor is a
 * child subreaper and starts every tool in a process group of its own, with SCHED_OTHER, all CPUs and
 * PR_SET_PDEATHSIG. Stopping asks cyclictest to finish (SIGINT, so it writes its histogram), then sends
 * SIGTERM and finally SIGKILL to every tool's process group and reaps everything, grandchildren included.
 * If rplat dies without stopping the load (SIGKILL included), the supervisor sees its control pipe close
 * or gets PR_SET_PDEATHSIG and does the same. rplat_load_start() must therefore be called from the thread
 * that lives as long as the load (the main thread).
 *
 * Results go to RUN/load/: load.json (profile, every tool's command line and parameters, starts and exits,
 * cyclictest's summary per thread), cyclictest.hist (cyclictest's -h text), cyclictest.json (its --json),
 * and NAME.log (each tool's output). The library never prints; messages go to err. */
#ifndef RPLAT_LOAD_H
#define RPLAT_LOAD_H

#include <stddef.h>
#include <stdio.h>

#include "rplat/json.h"

struct rplat_load;

/**
 * rplat_load_start - start a load profile in the background
 * @profile: a built-in name (none, cpu, io, mixed, rteval) or the path of a profile file
 * @run_dir: the run directory; results go to run_dir/load/ (created). NULL: a temporary directory that
 *           rplat_load_free() removes.
 * @avoid_cpus: CPU list the measurement uses ("1", "2-3,5"), which cyclictest's cpus=other leaves free;
 *              NULL or "" for none
 * @out: the running load, owned by the caller (rplat_load_stop + rplat_load_free)
 *
 * Returns after the profile's warmup, once every tool is running. Profile "none" starts nothing (and
 * writes nothing). Returns 0, or -1 with a message in err; on failure nothing is left running.
 */
int rplat_load_start(const char *profile, const char *run_dir, const char *avoid_cpus, struct rplat_load **out,
		     char *err, size_t errlen);

/**
 * rplat_load_stop - stop every process of the load and write run_dir/load/load.json
 *
 * Safe to call twice and on a NULL load. Returns 0, or -1 with a message in err (a tool failed or
 * cyclictest's results could not be read: the load is stopped all the same).
 */
int rplat_load_stop(struct rplat_load *l, char *err, size_t errlen);

/**
 * rplat_load_write_json - write the member "load" of run.json: profile, source, tools, the cyclictest
 * summary (when stopped) and the path of load.json relative to the run. A NULL load writes
 * {"profile": "none"}.
 */
void rplat_load_write_json(const struct rplat_load *l, struct rplat_jw *jw);

/* Stop if still running, then free. NULL is a no-op. */
void rplat_load_free(struct rplat_load *l);

/* Print what ran and cyclictest's summary, for `rplat load` (after rplat_load_stop). */
void rplat_load_print_summary(const struct rplat_load *l, FILE *f);

/* The profile's name ("mixed", or a custom file's name). */
const char *rplat_load_name(const struct rplat_load *l);

/* Print the built-in profiles and their text (rplat load --list). */
void rplat_load_list(FILE *f);

/* Check a profile (built-in name or file) without starting it. Returns 0, or -1 with
 * "FILE:LINE:COL: problem" in err. */
int rplat_load_check(const char *profile, char *err, size_t errlen);

/* Print the resolved command lines a profile would run (rplat load --show). Returns 0 or -1 (err). */
int rplat_load_show(const char *profile, const char *avoid_cpus, FILE *f, char *err, size_t errlen);

#endif
