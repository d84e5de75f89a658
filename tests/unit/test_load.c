/* Unit tests for the load profiles (host-tools/lib/load.c): the profile language and its errors, the
 * resolved command lines, and the process model with a harmless exec tool: started, recorded, stopped
 * (its whole process group), nothing left behind. The real tools are exercised by
 * tests/integration/test_load_cleanup.sh. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "suite_tmpdir.h"

#include "rplat/json.h"
#include "rplat/load.h"

static char top[256];

static const char *profile(const char *name, const char *text)
{
	static char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", top, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static void expect_error(const char *text, const char *where, const char *what)
{
	const char *p = profile("bad.load", text);
	char err[512] = "", want[600];

	assert_int_equal(rplat_load_check(p, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s%s", p, where);
	if (strncmp(err, want, strlen(want)) || !strstr(err, what))
		fail_msg("'%s': got '%s', expected '%s ... %s'", text, err, want, what);
}

static void test_builtin(void **state)
{
	static const char *const names[] = { "none", "cpu", "io", "mixed", "rteval" };
	char err[256];
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	for (i = 0; i < 5; i++)
		assert_int_equal(rplat_load_check(names[i], err, sizeof(err)), 0);
	assert_int_equal(rplat_load_check("nosuchprofile", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown profile 'nosuchprofile'"));
	f = open_memstream(&buf, &len);
	rplat_load_list(f);
	fclose(f);
	assert_non_null(strstr(buf, "rteval:\n"));
	assert_non_null(strstr(buf, "hackbench groups=3*cpus loops=1000 size=1000"));
	free(buf);
}

static void test_show(void **state)
{
	char err[256];
	char *buf = NULL;
	size_t len = 0;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	char want[64];
	FILE *f;

	(void)state;
	if (access("/usr/bin/hackbench", X_OK) || access("/usr/bin/cyclictest", X_OK))
		skip();
	f = open_memstream(&buf, &len);
	assert_int_equal(rplat_load_show("rteval", "0", f, err, sizeof(err)), 0);
	fclose(f);
	snprintf(want, sizeof(want), "hackbench -P -g %ld -l 1000 -s 1000", 3 * n);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "cyclictest -q -m --default-system -p95 -i1000"));
	assert_non_null(strstr(buf, "--histfile=RUN/load/cyclictest.hist"));
	if (n > 1)
		assert_null(strstr(buf, "-a0 ")); /* cyclictest stays off the measurement's CPU 0 */
	free(buf);
}

static void test_profile_errors(void **state)
{
	(void)state;
	assert_int_equal(rplat_load_check(profile("ok.load", "# mine\nname busy\nwarmup 200ms\n"
						   "cyclictest priority=80 interval=500 hist=200 cpus=0\n"
						   "hackbench groups=2*cpus loops=10 mode=thread ipc=pipe\n"
						   "stress-ng cpu=cpus/2 vm=1 vm-bytes=64M\n"
						   "exec restart=yes -- sh -c 'sleep 1'\n"),
					  NULL, 0),
			 0);
	expect_error("cyclictest prio=80\n", ":1:12:", "unknown parameter 'prio'");
	expect_error("\ncyclictest priority=100\n", ":2:12:", "expected 1..99");
	expect_error("hackbench groups=x\n", ":1:11:", "expected a count");
	expect_error("hackbench mode=fork\n", ":1:11:", "process or thread");
	expect_error("foo\n", ":1:1:", "unknown word 'foo'");
	expect_error("stress-ng CPU=1\n", ":1:11:", "not an option name");
	expect_error("stress-ng timeout=5\n", ":1:11:", "set by rplat");
	expect_error("stress-ng cpu\n", ":1:11:", "expected key=value");
	expect_error("stress-ng cpu=\n", ":1:11:", "empty value");
	expect_error("stress-ng cpu=1 cpu=2\n", ":1:17:", "given twice");
	expect_error("cyclictest\ncyclictest\n", ":2:1:", "cyclictest given twice");
	expect_error("exec sleep 1\n", ":1:6:", "expected key=value");
	expect_error("exec --\n", ":1:1:", "expected '-- COMMAND");
	expect_error("exec -- sh -c 'unterminated\n", ":1:15:", "unterminated quote");
	expect_error("warmup forever\n", ":1:8:", "expected a duration");
	expect_error("hackbench -- x\n", ":1:11:", "'--' only follows exec");
	expect_error("exec restart=maybe -- true\n", ":1:6:", "expected yes or no");
}

static void test_none(void **state)
{
	struct rplat_load *l;
	char err[256], dir[400];
	struct stat st;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/none-run", top);
	assert_int_equal(rplat_load_start("none", dir, NULL, &l, err, sizeof(err)), 0);
	assert_string_equal(rplat_load_name(l), "none");
	assert_int_equal(rplat_load_stop(l, err, sizeof(err)), 0);
	rplat_load_free(l);
	assert_int_equal(stat(dir, &st), -1); /* nothing written */
}

static void test_exec_lifecycle(void **state)
{
	struct rplat_load *l;
	struct rplat_json *j;
	char err[512], dir[400], p[1024], pidfile[500];
	const char *prof;
	long child = 0;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/exec-run", top);
	snprintf(pidfile, sizeof(pidfile), "%s/grandchild.pid", top);
	snprintf(p, sizeof(p),
		 "warmup 300ms\n"
		 "exec -- sh -c 'sleep 1000 & echo $! > %s; wait'\n",
		 pidfile);
	prof = profile("exec.load", p);
	assert_int_equal(rplat_load_start(prof, dir, NULL, &l, err, sizeof(err)), 0);
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &child), 1);
	fclose(f);
	assert_int_equal(kill((pid_t)child, 0), 0); /* the grandchild runs */
	assert_int_equal(rplat_load_stop(l, err, sizeof(err)), 0);
	usleep(100000);
	assert_int_equal(kill((pid_t)child, 0), -1); /* and is gone, with its process group */
	rplat_load_free(l);
	snprintf(p, sizeof(p), "%s/load/load.json", dir);
	j = rplat_json_load(p, err, sizeof(err));
	assert_non_null(j);
	assert_string_equal(rplat_json_str(rplat_json_get(j, "profile")), "exec");
	assert_string_equal(rplat_json_str(rplat_json_get(j, "format")), "rplat-load");
	assert_non_null(rplat_json_get(j, "tools"));
	assert_int_equal(rplat_json_get(j, "tools")->n, 1);
	rplat_json_free(j);
	/* a tool that dies during the warmup is an error, and nothing is left */
	prof = profile("dies.load", "warmup 2s\nexec -- sh -c 'echo oops >&2; exit 3'\n");
	assert_int_equal(rplat_load_start(prof, NULL, NULL, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exec stopped during the warmup (exit 3): oops"));
	prof = profile("missing.load", "exec -- /nonexistent/tool\n");
	assert_int_equal(rplat_load_start(prof, NULL, NULL, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/tool not found"));
}

static int setup(void **state)
{
	(void)state;
	return suite_tmpdir_make(top, sizeof(top), "load");
}

static int teardown(void **state)
{
	(void)state;
	return suite_tmpdir_remove(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),        cmocka_unit_test(test_show),
		cmocka_unit_test(test_profile_errors), cmocka_unit_test(test_none),
		cmocka_unit_test(test_exec_lifecycle),
	};

	return cmocka_run_group_tests_name("load", tests, setup, teardown);
}
