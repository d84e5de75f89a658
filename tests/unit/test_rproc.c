/* remoteproc control (host-tools/lib/rproc.c) on a copy of tests/fixtures/rproc/root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rplat/rproc.h"

static char tmpdir[256];
static char root[512];
static struct rplat_rproc_roots roots;

static int setup(void **state)
{
	const char *top = getenv("TOP");
	char cmd[2048];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rplat-rproc-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(cmd, sizeof(cmd), "cp -r '%s/tests/fixtures/rproc/root' '%s/'", top ? top : ".", tmpdir);
	if (system(cmd) != 0)
		return -1;
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	return rplat_rproc_roots_init(&roots, root);
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void read_attr(const char *id, const char *name, char *buf, size_t size)
{
	char path[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/sys/class/remoteproc/%s/%s", root, id, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static void set_state(const char *id, const char *state)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/class/remoteproc/%s/state", root, id);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", state);
	fclose(f);
}

static void test_list(void **state)
{
	struct rplat_rproc *v;
	char err[512];
	size_t n;

	(void)state;
	assert_int_equal(rplat_rproc_list(&roots, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].id, "remoteproc0");
	assert_string_equal(v[0].name, "5000000.m4fss");
	assert_string_equal(v[0].state, "offline");
	assert_string_equal(v[0].firmware, "am62-mcu-m4f0_0-fw");
	assert_string_equal(v[0].recovery, "enabled");
	assert_int_equal(v[0].ntrace, -1); /* no debugfs directory for an offline core */
	assert_string_equal(v[1].state, "running");
	assert_int_equal(v[1].ntrace, 1);
	assert_string_equal(v[2].state, "crashed");
	free(v);
}

static void test_find(void **state)
{
	struct rplat_rproc p;
	struct rplat_rproc_roots none;
	char err[512];

	(void)state;
	assert_int_equal(rplat_rproc_find(&roots, "remoteproc1", &p, err, sizeof(err)), 0);
	assert_string_equal(p.name, "78000000.r5f");
	assert_int_equal(rplat_rproc_find(&roots, "2", &p, err, sizeof(err)), 0);
	assert_string_equal(p.id, "remoteproc2");
	assert_int_equal(rplat_rproc_find(&roots, "5000000.m4fss", &p, err, sizeof(err)), 0);
	assert_string_equal(p.id, "remoteproc0");
	assert_int_equal(rplat_rproc_find(&roots, NULL, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pick one with -r"));
	assert_int_equal(rplat_rproc_find(&roots, "nope", &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'nope'"));
	/* no remoteproc at all */
	rplat_rproc_roots_init(&none, tmpdir);
	assert_int_equal(rplat_rproc_find(&none, NULL, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no remote processor"));
}

static void test_start_stop_states(void **state)
{
	struct rplat_rproc p;
	char err[512], buf[64];

	(void)state;
	/* start a running core: not written (the kernel would take another power reference, not refuse) */
	assert_int_equal(rplat_rproc_find(&roots, "remoteproc1", &p, err, sizeof(err)), 0);
	assert_int_equal(rplat_rproc_start(&roots, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already running"));
	assert_non_null(strstr(err, "power reference"));
	assert_null(strstr(err, "EBUSY"));
	read_attr("remoteproc1", "state", buf, sizeof(buf));
	assert_string_equal(buf, "running");

	/* stop an offline core: written, for the kernel to answer (a fixture file takes it) */
	assert_int_equal(rplat_rproc_find(&roots, "remoteproc0", &p, err, sizeof(err)), 0);
	assert_int_equal(rplat_rproc_stop(&roots, &p, err, sizeof(err)), 0);
	read_attr("remoteproc0", "state", buf, sizeof(buf));
	assert_string_equal(buf, "stop");
	set_state("remoteproc0", "offline");
	/* what the kernel answers there (EINVAL), explained */
	assert_int_equal(rplat_rproc_explain(&p, "state", "stop", EINVAL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is offline"));
	assert_non_null(strstr(err, "EINVAL: Invalid argument"));
	assert_non_null(strstr(err, "rproc_shutdown()"));

	/* start a crashed core: refused with advice */
	assert_int_equal(rplat_rproc_find(&roots, "remoteproc2", &p, err, sizeof(err)), 0);
	assert_int_equal(rplat_rproc_start(&roots, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "crashed"));

	/* start the offline one: the write reaches the state file */
	assert_int_equal(rplat_rproc_find(&roots, "remoteproc0", &p, err, sizeof(err)), 0);
	assert_int_equal(rplat_rproc_start(&roots, &p, err, sizeof(err)), 0);
	read_attr("remoteproc0", "state", buf, sizeof(buf));
	assert_string_equal(buf, "start");

	/* stop the running one */
	assert_int_equal(rplat_rproc_find(&roots, "remoteproc1", &p, err, sizeof(err)), 0);
	assert_int_equal(rplat_rproc_stop(&roots, &p, err, sizeof(err)), 0);
	read_attr("remoteproc1", "state", buf, sizeof(buf));
	assert_string_equal(buf, "stop");
	set_state("remoteproc0", "offline");
	set_state("remoteproc1", "running");

	/* an unwritable state file: the error names the file */
	{
		char path[1024];

		snprintf(path, sizeof(path), "%s/sys/class/remoteproc/remoteproc0/state", root);
		assert_int_equal(chmod(path, 0444), 0);
		assert_int_equal(rplat_rproc_find(&roots, "remoteproc0", &p, err, sizeof(err)), 0);
		if (geteuid() != 0) { /* root writes anyway */
			assert_int_equal(rplat_rproc_start(&roots, &p, err, sizeof(err)), -1);
			assert_non_null(strstr(err, "remoteproc0/state"));
		}
		assert_int_equal(chmod(path, 0644), 0);
		set_state("remoteproc0", "offline");
	}
}

static void test_firmware(void **state)
{
	struct rplat_rproc p;
	char err[512], name[256], path[1024], buf[1024], outside[512];
	FILE *f;

	(void)state;
	/* by name */
	assert_int_equal(rplat_rproc_firmware_path(&roots, "am62-mcu-m4f0_0-fw", name, sizeof(name), path,
						   sizeof(path), err, sizeof(err)), 0);
	assert_string_equal(name, "am62-mcu-m4f0_0-fw");
	/* by a path inside the firmware directory */
	snprintf(buf, sizeof(buf), "%s/lib/firmware/broken-ver-fw", root);
	assert_int_equal(rplat_rproc_firmware_path(&roots, buf, name, sizeof(name), path, sizeof(path), err,
						   sizeof(err)), 0);
	assert_string_equal(name, "broken-ver-fw");
	/* missing */
	assert_int_equal(rplat_rproc_firmware_path(&roots, "nope-fw", name, sizeof(name), path, sizeof(path), err,
						   sizeof(err)), -1);
	assert_non_null(strstr(err, "nope-fw"));
	/* outside the firmware directory */
	snprintf(outside, sizeof(outside), "%s/elsewhere.elf", tmpdir);
	f = fopen(outside, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(rplat_rproc_firmware_path(&roots, outside, name, sizeof(name), path, sizeof(path), err,
						   sizeof(err)), -1);
	assert_non_null(strstr(err, "outside"));

	/* loading while running is written too, for the kernel to answer (EBUSY, explained below); a
	 * fixture file takes it */
	assert_int_equal(rplat_rproc_find(&roots, "remoteproc1", &p, err, sizeof(err)), 0);
	assert_int_equal(rplat_rproc_set_firmware(&roots, &p, "x-fw", err, sizeof(err)), 0);
	read_attr("remoteproc1", "firmware", buf, sizeof(buf));
	assert_string_equal(buf, "x-fw");
	assert_int_equal(rplat_rproc_explain(&p, "firmware", "x-fw", EBUSY, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is running"));
	assert_non_null(strstr(err, "EBUSY: Device or resource busy"));
	assert_non_null(strstr(err, "stop it first"));
	/* a write error that is not a permission one is passed on with its name and text (here EISDIR,
	 * from an attribute that is a directory) */
	{
		char fpath[1024], saved[1100];

		snprintf(fpath, sizeof(fpath), "%s/sys/class/remoteproc/remoteproc1/firmware", root);
		snprintf(saved, sizeof(saved), "%s.saved", fpath);
		assert_int_equal(rename(fpath, saved), 0);
		assert_int_equal(mkdir(fpath, 0755), 0);
		assert_int_equal(rplat_rproc_set_firmware(&roots, &p, "y-fw", err, sizeof(err)), -1);
		assert_non_null(strstr(err, "EISDIR: Is a directory"));
		assert_int_equal(rmdir(fpath), 0);
		assert_int_equal(rename(saved, fpath), 0);
		f = fopen(fpath, "w");
		assert_non_null(f);
		fputs("am62-wkup-r5f0_0-fw\n", f);
		fclose(f);
	}
	assert_int_equal(rplat_rproc_find(&roots, "remoteproc0", &p, err, sizeof(err)), 0);
	assert_int_equal(rplat_rproc_set_firmware(&roots, &p, "broken-ver-fw", err, sizeof(err)), 0);
	read_attr("remoteproc0", "firmware", buf, sizeof(buf));
	assert_string_equal(buf, "broken-ver-fw");
}

static void test_trace(void **state)
{
	struct rplat_rproc p;
	struct rplat_rproc_roots nodebug;
	char err[512], *buf;
	size_t len;

	(void)state;
	assert_int_equal(rplat_rproc_find(&roots, "remoteproc1", &p, err, sizeof(err)), 0);
	assert_int_equal(rplat_rproc_read_trace(&roots, &p, 0, &buf, &len, err, sizeof(err)), 0);
	assert_non_null(strstr(buf, "waiting for messages"));
	assert_null(strstr(buf, "stale")); /* stops at the first NUL */
	assert_int_equal(len, strlen(buf));
	free(buf);
	assert_int_equal(rplat_rproc_read_trace(&roots, &p, 3, &buf, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "trace3"));
	/* no debugfs */
	nodebug = roots;
	snprintf(nodebug.debug, sizeof(nodebug.debug), "%s/nodebugfs", tmpdir);
	assert_int_equal(rplat_rproc_read_trace(&nodebug, &p, 0, &buf, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "debugfs"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_start_stop_states),
		cmocka_unit_test(test_firmware),
		cmocka_unit_test(test_trace),
	};

	return cmocka_run_group_tests_name("rproc", tests, setup, teardown);
}
