/* System readiness checks (host-tools/lib/sysck.c) on fixture trees (tests/fixtures/system) and on
 * small trees written here; then once on the live system, which must simply run. */
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

#include "rplat/sysck.h"
#include "suite_tmpdir.h"

static char fixdir[1024];
static char tmpdir[256];
static char fired[64][48];
static int nfired;

static void note_fired(const struct rplat_findings *fs)
{
	size_t i;
	int k;

	for (i = 0; i < fs->n; i++) {
		for (k = 0; k < nfired; k++)
			if (!strcmp(fired[k], fs->item[i].rule))
				break;
		if (k == nfired && nfired < 64)
			snprintf(fired[nfired++], sizeof(fired[0]), "%s", fs->item[i].rule);
	}
}

static int setup(void **state)
{
	const char *top = getenv("TOP");

	(void)state;
	snprintf(fixdir, sizeof(fixdir), "%s/tests/fixtures/system", top ? top : ".");
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rplat-sysck-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void run_root(const char *root, struct rplat_findings *fs)
{
	struct rplat_sysck_roots r;

	assert_int_equal(rplat_sysck_roots_init(&r, root), 0);
	rplat_findings_init(fs);
	assert_int_equal(rplat_sysck_run(&r, fs), 0);
	note_fired(fs);
	if (getenv("SYSCK_TEST_DUMP")) {
		fprintf(stderr, "== %s\n", root ? root : "/");
		rplat_findings_write_text(stderr, fs, RPLAT_SEV_INFO);
	}
}

static void expect_rules(const struct rplat_findings *fs, const char *const *ids)
{
	int bad = 0;

	for (; *ids; ids++)
		if (!rplat_findings_find(fs, *ids)) {
			fprintf(stderr, "expected %s\n", *ids);
			bad++;
		}
	if (bad)
		rplat_findings_write_text(stderr, fs, RPLAT_SEV_INFO);
	assert_int_equal(bad, 0);
}

static void test_rt_ready(void **state)
{
	static const char *const want[] = { "sys.preempt_rt", "sys.governor", "sys.idle", "sys.cpu_dma_latency",
					    "sys.isolation", "sys.mbox_irq", "sys.rt_throttling", "sys.memlock",
					    "sys.clocksource", "sys.tracefs", "sys.remoteproc", "sys.rpmsg", NULL };
	struct rplat_findings fs;
	char root[1200];
	const struct rplat_finding *f;

	(void)state;
	snprintf(root, sizeof(root), "%s/rt-ready", fixdir);
	run_root(root, &fs);
	expect_rules(&fs, want);
	assert_int_equal(fs.count[RPLAT_SEV_WARNING] + fs.count[RPLAT_SEV_ERROR], 0);
	assert_int_equal(rplat_findings_exit_code(&fs), RPLAT_CHECK_EXIT_CLEAN);
	f = rplat_findings_find(&fs, "sys.mbox_irq");
	assert_non_null(strstr(f->value, "29000000.mailbox"));
	assert_non_null(strstr(f->value, "SCHED_FIFO 90"));
	assert_non_null(strstr(f->value, "affinity 0-2"));
	assert_non_null(strstr(rplat_findings_find(&fs, "sys.cpu_dma_latency")->value, "2000000000"));
	/* every finding names the file it read */
	assert_non_null(strstr(rplat_findings_find(&fs, "sys.clocksource")->source, "current_clocksource"));
	rplat_findings_free(&fs);
}

static void test_mainline_bench(void **state)
{
	static const char *const want[] = { "sys.not_rt", "sys.governor_scaling", "sys.idle_deep",
					    "sys.no_cpu_dma_latency", "sys.isolation_partial", "sys.mbox_irq_thread",
					    "sys.rt_throttling_on", "sys.memlock_low", "sys.clocksource_slow",
					    "sys.no_tracefs", "sys.remoteproc_crashed", "sys.no_rpmsg", NULL };
	struct rplat_findings fs;
	char root[1200];

	(void)state;
	snprintf(root, sizeof(root), "%s/mainline-bench", fixdir);
	run_root(root, &fs);
	expect_rules(&fs, want);
	assert_string_equal(rplat_findings_find(&fs, "sys.not_rt")->value, "PREEMPT_DYNAMIC (voluntary)");
	assert_string_equal(rplat_findings_find(&fs, "sys.governor_scaling")->value, "schedutil on CPU 1-3");
	assert_non_null(strstr(rplat_findings_find(&fs, "sys.idle_deep")->value, "cpu-sleep-0 (exit latency 250 us)"));
	assert_non_null(strstr(rplat_findings_find(&fs, "sys.mbox_irq_thread")->value, "SCHED_OTHER"));
	assert_int_equal(rplat_findings_exit_code(&fs), RPLAT_CHECK_EXIT_ERROR);
	rplat_findings_free(&fs);
}

static void put(const char *rel, const char *text)
{
	assert_int_equal(suite_put_file(tmpdir, rel, text), 0);
}

/* An empty root: everything is missing, nothing crashes, each check says so. */
static void test_empty_root(void **state)
{
	static const char *const want[] = { "sys.unreadable", "sys.no_cpufreq", "sys.no_cpuidle",
					    "sys.no_cpu_dma_latency", "sys.no_remoteproc", NULL };
	struct rplat_findings fs;
	char root[512];

	(void)state;
	snprintf(root, sizeof(root), "%s/empty", tmpdir);
	assert_int_equal(mkdir(root, 0755), 0);
	run_root(root, &fs);
	expect_rules(&fs, want);
	rplat_findings_free(&fs);
}

/* Small trees for the remaining outcomes. */
static void test_small_trees(void **state)
{
	static const char *const want[] = { "sys.no_isolation", "sys.no_mbox_irq", "sys.no_rpmsg_char",
					    "sys.memlock", NULL };
	struct rplat_findings fs;
	char root[512];
	const struct rplat_finding *f;

	(void)state;
	put("t1/proc/cmdline", "quiet splash\n");
	put("t1/proc/interrupts", "           CPU0\n  1:   5   IO-APIC  1-edge  i8042\n");
	put("t1/proc/self/limits", "Max locked memory         8388608              8388608              bytes\n");
	put("t1/proc/self/status", "CapEff:\t0000000000004000\n"); /* CAP_IPC_LOCK only */
	put("t1/sys/bus/rpmsg/devices/virtio0.rpmsg-raw.-1.1024/name", "rpmsg-raw\n");
	put("t1/dev/null", "");
	snprintf(root, sizeof(root), "%s/t1", tmpdir);
	run_root(root, &fs);
	expect_rules(&fs, want);
	assert_non_null(strstr(rplat_findings_find(&fs, "sys.memlock")->value, "CAP_IPC_LOCK"));
	rplat_findings_free(&fs);

	/* a mailbox interrupt that is not threaded; text cpu_dma_latency held at 0 */
	put("t2/proc/interrupts", "           CPU0       CPU1\n 40:   7   9   GICv3 77 Level  mu@30aa0000 imx_mu\n");
	put("t2/dev/cpu_dma_latency", "0\n");
	snprintf(root, sizeof(root), "%s/t2", tmpdir);
	run_root(root, &fs);
	f = rplat_findings_find(&fs, "sys.mbox_irq");
	assert_non_null(f);
	assert_non_null(strstr(f->value, "16 interrupts"));
	assert_non_null(strstr(f->value, "not threaded"));
	assert_non_null(strstr(rplat_findings_find(&fs, "sys.cpu_dma_latency")->value, "held by someone"));
	rplat_findings_free(&fs);
}

/* The isolation parameters read from the command line as the kernel reads them (rplat/cmdline.h): the
 * first isolcpus= and nohz_full= (a later, different one is refused), the last rcu_nocbs=, '-' as '_' in
 * names, nothing inside another parameter's quoted value, nothing after "--", no prefix matches. */
static void test_isolation_cmdline(void **state)
{
	static const struct {
		const char *cmdline, *rule, *value;
	} cases[] = {
		{ "isolcpus=2-3 nohz-full=2-3 rcu_nocbs=1 isolcpus=1 rcu_nocbs=2-3\n", "sys.isolation",
		  "isolcpus=2-3 nohz_full=2-3 rcu_nocbs=2-3" },
		{ "quiet dyndbg=\"file x.c isolcpus=1\" -- isolcpus=2 nohz_full=2\n", "sys.no_isolation", "none" },
		{ "isolcpus_x=1 xnohz_full=1 quiet\n", "sys.no_isolation", "none" },
		{ "nohz_full=\"1,3\" isolcpus rcu_nocbs\n", "sys.isolation_partial",
		  "isolcpus=- nohz_full=1,3 rcu_nocbs=-" },
	};
	struct rplat_findings fs;
	char root[512], rel[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rplat_finding *f;

		snprintf(rel, sizeof(rel), "iso%zu/proc/cmdline", i);
		put(rel, cases[i].cmdline);
		snprintf(root, sizeof(root), "%s/iso%zu", tmpdir, i);
		run_root(root, &fs);
		f = rplat_findings_find(&fs, cases[i].rule);
		if (!f || strcmp(f->value, cases[i].value))
			fail_msg("%s: wanted %s '%s', got '%s'", cases[i].cmdline, cases[i].rule, cases[i].value,
				 f ? f->value : "(no such finding)");
		rplat_findings_free(&fs);
	}
}

/* The live system: the checks run, report something for each area, and never fail. */
static void test_live(void **state)
{
	struct rplat_findings fs;

	(void)state;
	run_root(NULL, &fs);
	assert_true(fs.n >= 10);
	assert_int_equal(fs.oom, 0);
	rplat_findings_free(&fs);
}

static void test_every_rule_fired(void **state)
{
	const struct rplat_rule *rules;
	size_t n, i;
	int k, missing = 0;

	(void)state;
	rules = rplat_sysck_rules(&n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < nfired; k++)
			if (!strcmp(fired[k], rules[i].id))
				break;
		if (k == nfired) {
			fprintf(stderr, "system rule %s never fired\n", rules[i].id);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rt_ready),
		cmocka_unit_test(test_mainline_bench),
		cmocka_unit_test(test_empty_root),
		cmocka_unit_test(test_small_trees),
		cmocka_unit_test(test_isolation_cmdline),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_every_rule_fired),
	};

	return cmocka_run_group_tests_name("sysck", tests, setup, teardown);
}
