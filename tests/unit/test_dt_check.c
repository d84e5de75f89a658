/* Device-tree checks (host-tools/lib/dt_check.c).
 *
 * The fixtures are .dts files in tests/fixtures/dt, compiled here with dtc. Each says in its header which
 * rules it must trip ("expect: ..."), which ones only with the TI firmware table ("expect-with-fw: ..."),
 * which severities it must not produce at all ("expect-none: ...") and which rules must stay quiet
 * ("expect-not: ..."). A live tree (one file per property)
 * is written from the good blob and must check the same. A last test checks that every DT rule fired
 * somewhere in this file. */
#include <dirent.h>
#include <errno.h>
#include <libfdt.h>
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

#include "rplat/dt.h"
#include "rplat/rsc.h"

static char tmpdir[256];
static char fixdir[1024];
static char fired[64][48]; /* rule ids seen in any test */
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
	snprintf(fixdir, sizeof(fixdir), "%s/tests/fixtures/dt", top ? top : ".");
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rplat-dt-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Compile dts text (or a fixture file) to a .dtb in tmpdir; returns the path. */
static const char *compile(const char *name, const char *dts_path, const char *dts_text)
{
	static char out[512];
	char src[512], cmd[2048];
	FILE *f;

	if (dts_text) {
		snprintf(src, sizeof(src), "%s/%s.dts", tmpdir, name);
		f = fopen(src, "w");
		assert_non_null(f);
		fputs(dts_text, f);
		fclose(f);
		dts_path = src;
	}
	snprintf(out, sizeof(out), "%s/%s.dtb", tmpdir, name);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o '%s' '%s'", out, dts_path);
	if (system(cmd) != 0) {
		fprintf(stderr, "dtc failed on %s (is device-tree-compiler installed?)\n", dts_path);
		fail();
	}
	return out;
}

/* The TI MCU+ SDK table (140 bytes), as a raw dump. */
static struct rplat_fw *ti_fw(const char *name, uint32_t vring_num)
{
	struct rplat_rsc_table t = RPLAT_RSC_TABLE_INIT(0x31000, 0x1000, "trace:m4fss0_0");
	struct rplat_fw *fw;

	t.vring0.num = t.vring1.num = vring_num;
	assert_int_equal(rplat_fw_parse(&t, sizeof(t), name, &fw), 0);
	return fw;
}

static void check_file(const char *dtb, const struct rplat_dt_opts *o, struct rplat_dt_report *rep,
		       struct rplat_findings *fs)
{
	struct rplat_dt *dt;
	char err[512];

	assert_int_equal(rplat_dt_load_dtb(dtb, &dt, err, sizeof(err)), 0);
	rplat_findings_init(fs);
	assert_int_equal(rplat_dt_check(dt, o, rep, fs), 0);
	note_fired(fs);
	rplat_dt_free(dt);
}

/* Parse "expect:", "expect-with-fw:" and "expect-none:" lines of a fixture and check against them. */
static void run_fixture(const char *file)
{
	char path[1200], line[512];
	struct rplat_findings plain, withfw;
	struct rplat_dt_opts o = { NULL, NULL, "am62x-m4f" };
	struct rplat_dt_report rep;
	struct rplat_fw *fw = ti_fw("am62-mcu-m4f0_0-fw", 256);
	const char *dtb;
	FILE *f;
	int bad = 0, expectations = 0;

	snprintf(path, sizeof(path), "%s/%s", fixdir, file);
	dtb = compile(file, path, NULL);
	check_file(dtb, &o, &rep, &plain);
	o.fw = fw;
	o.node = NULL;
	check_file(dtb, &o, &rep, &withfw);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "expect"), *tok, *save = NULL;
		int mode;

		if (!p)
			continue;
		if (!strncmp(p, "expect-with-fw:", 15))
			mode = 1, p += 15;
		else if (!strncmp(p, "expect-not:", 11))
			mode = 3, p += 11;
		else if (!strncmp(p, "expect-none:", 12))
			mode = 2, p += 12;
		else if (!strncmp(p, "expect:", 7))
			mode = 0, p += 7;
		else
			continue;
		for (tok = strtok_r(p, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			expectations++;
			if (mode == 3) {
				if (rplat_findings_find(&plain, tok) || rplat_findings_find(&withfw, tok)) {
					fprintf(stderr, "%s: expected no %s\n", file, tok);
					bad++;
				}
			} else if (mode == 2) {
				int sev = !strcmp(tok, "error") ? RPLAT_SEV_ERROR : RPLAT_SEV_WARNING;

				if (plain.count[sev] || withfw.count[sev]) {
					fprintf(stderr, "%s: expected no %s\n", file, tok);
					bad++;
				}
			} else if (!rplat_findings_find(mode ? &withfw : &plain, tok)) {
				fprintf(stderr, "%s: expected %s%s\n", file, tok, mode ? " (with --fw)" : "");
				bad++;
			}
		}
	}
	fclose(f);
	if (bad || getenv("DT_TEST_DUMP")) {
		fprintf(stderr, "== %s without firmware\n", file);
		rplat_findings_write_text(stderr, &plain, RPLAT_SEV_INFO);
		fprintf(stderr, "== %s with firmware\n", file);
		rplat_findings_write_text(stderr, &withfw, RPLAT_SEV_INFO);
	}
	assert_true(expectations > 0);
	assert_int_equal(bad, 0);
	rplat_findings_free(&plain);
	rplat_findings_free(&withfw);
	rplat_fw_free(fw);
}

static void test_fixtures(void **state)
{
	static const char *const files[] = { "am62x-good.dts", "am62x-broken-memory.dts", "am62x-broken-mbox.dts",
					     "broken-cells.dts", "misc-broken.dts", "stm32-imx-broken.dts" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		run_fixture(files[i]);
}

/* The good tree: what the report says, and the pool arithmetic. */
static void test_good_report(void **state)
{
	struct rplat_dt_opts o = { NULL, NULL, "am62x-m4f" };
	struct rplat_dt_report rep;
	struct rplat_findings fs;
	char path[1200];
	const char *dtb;

	(void)state;
	snprintf(path, sizeof(path), "%s/am62x-good.dts", fixdir);
	dtb = compile("good", path, NULL);
	o.fw = ti_fw("/lib/firmware/am62-mcu-m4f0_0-fw", 256);
	check_file(dtb, &o, &rep, &fs);
	assert_int_equal(rep.nregion, 2);
	assert_int_equal(rep.region[0].base, 0x9cb00000);
	assert_int_equal(rep.region[0].size, 0x100000);
	assert_true(rep.region[0].no_map && rep.region[0].dma_pool);
	assert_int_equal(rep.nrproc, 1);
	assert_int_equal(rep.chosen, 0);
	assert_string_equal(rep.rproc[0].firmware, "am62-mcu-m4f0_0-fw");
	assert_int_equal(rep.rproc[0].pool, 0);
	assert_int_equal(rep.rproc[0].nmbox, 1);
	assert_non_null(strstr(rep.rproc[0].mbox[0], "mbox-m4-0"));
	/* vrings: 2 x 16 KiB runs (12 KiB rounded to a power of two); buffers: 512 x 512 B = 256 KiB, aligned
	 * to 256 KiB, so the pool's high-water mark is 512 KiB */
	assert_int_equal(rep.pool_need, 512 * 1024);
	assert_non_null(rplat_findings_find(&fs, "dt.pool_usage"));
	assert_null(rplat_findings_find(&fs, "dt.fw_name_mismatch"));
	rplat_findings_free(&fs);
	rplat_fw_free((struct rplat_fw *)o.fw);

	/* a vring of 32768 entries cannot fit in 1 MiB */
	o.fw = ti_fw("am62-mcu-m4f0_0-fw", 32768);
	check_file(dtb, &o, &rep, &fs);
	assert_non_null(rplat_findings_find(&fs, "dt.pool_too_small"));
	assert_int_equal(rplat_findings_exit_code(&fs), RPLAT_CHECK_EXIT_ERROR);
	rplat_findings_free(&fs);
	rplat_fw_free((struct rplat_fw *)o.fw);

	/* another firmware file than firmware-name */
	o.fw = ti_fw("other-fw", 256);
	check_file(dtb, &o, &rep, &fs);
	assert_non_null(rplat_findings_find(&fs, "dt.fw_name_mismatch"));
	rplat_findings_free(&fs);
	rplat_fw_free((struct rplat_fw *)o.fw);
}

/* A fixed vring address outside the pool, and a trace buffer outside every region: the resource-table
 * rules fire under the memory map taken from this tree. */
static void test_fw_against_tree(void **state)
{
	struct rplat_dt_opts o = { NULL, NULL, "am62x-m4f" };
	struct rplat_findings fs;
	struct rplat_rsc_table t;
	struct rplat_fw *fw;
	char path[1200];
	const char *dtb;

	(void)state;
	snprintf(path, sizeof(path), "%s/am62x-good.dts", fixdir);
	dtb = compile("good2", path, NULL);
	t = (struct rplat_rsc_table)RPLAT_RSC_TABLE_INIT(0xa0000000, 0x1000, ""); /* a trace in no region */
	t.vring0.da = 0x9cc00000; /* firmware memory, not the pool */
	assert_int_equal(rplat_fw_parse(&t, sizeof(t), "am62-mcu-m4f0_0-fw", &fw), 0);
	o.fw = fw;
	check_file(dtb, &o, NULL, &fs);
	assert_non_null(rplat_findings_find(&fs, "rsc.vring_da_pool"));
	assert_non_null(rplat_findings_find(&fs, "rsc.outside_memory"));
	rplat_findings_free(&fs);
	rplat_fw_free(fw);
}

static void test_node_selection(void **state)
{
	struct rplat_dt_opts o = { NULL, NULL, "am62x-m4f" };
	struct rplat_dt_report rep;
	struct rplat_findings fs;
	char path[1200];
	const char *dtb;

	(void)state;
	snprintf(path, sizeof(path), "%s/am62x-broken-mbox.dts", fixdir);
	dtb = compile("mbox", path, NULL);

	/* three enabled cores, a firmware named after none of them */
	o.fw = ti_fw("unrelated.elf", 256);
	check_file(dtb, &o, &rep, &fs);
	assert_int_equal(rep.chosen, -1);
	assert_non_null(rplat_findings_find(&fs, "dt.rproc_ambiguous"));
	rplat_findings_free(&fs);

	/* picked by firmware-name */
	rplat_fw_free((struct rplat_fw *)o.fw);
	o.fw = ti_fw("am62-wkup-r5f0_0-fw", 256);
	check_file(dtb, &o, &rep, &fs);
	assert_true(rep.chosen >= 0);
	assert_string_equal(rep.rproc[rep.chosen].firmware, "am62-wkup-r5f0_0-fw");
	rplat_findings_free(&fs);

	/* picked by node name, with and without unit address, and by path */
	o.node = "m4fss";
	check_file(dtb, &o, &rep, &fs);
	assert_non_null(strstr(rep.rproc[rep.chosen].path, "m4fss@5000000"));
	rplat_findings_free(&fs);
	o.node = "/r5fss@78000000/r5f@78000000";
	check_file(dtb, &o, &rep, &fs);
	assert_non_null(strstr(rep.rproc[rep.chosen].path, "r5f@78000000"));
	rplat_findings_free(&fs);
	o.node = "nope";
	check_file(dtb, &o, &rep, &fs);
	assert_int_equal(rep.chosen, -1);
	assert_non_null(rplat_findings_find(&fs, "dt.rproc_not_found"));
	rplat_findings_free(&fs);
	rplat_fw_free((struct rplat_fw *)o.fw);
}

static void test_small_trees(void **state)
{
	struct rplat_findings fs;
	struct rplat_dt *dt;
	char text[16384];
	size_t n = 0;
	int i;

	(void)state;
	/* empty tree: no remote core, so no reserved memory is needed (imx8mm-evk has none) */
	check_file(compile("empty", NULL, "/dts-v1/;\n/ { };\n"), NULL, NULL, &fs);
	assert_null(rplat_findings_find(&fs, "dt.no_reserved_memory"));
	assert_non_null(rplat_findings_find(&fs, "dt.no_rproc"));
	assert_int_equal(rplat_findings_exit_code(&fs), 0);
	rplat_findings_free(&fs);

	/* a remote core and no /reserved-memory */
	check_file(compile("nores", NULL, "/dts-v1/;\n/ { m4f { compatible = \"ti,am64-m4fss\"; }; };\n"), NULL,
		   NULL, &fs);
	assert_non_null(rplat_findings_find(&fs, "dt.no_reserved_memory"));
	rplat_findings_free(&fs);

	/* a node with firmware-name that no remoteproc driver binds is no remote core (imx8mn-evk's EASRC) */
	check_file(compile("easrc", NULL, "/dts-v1/;\n/ { easrc { compatible = \"fsl,imx8mn-easrc\"; "
			   "firmware-name = \"imx/easrc/easrc-imx8mn.bin\"; }; };\n"), NULL, NULL, &fs);
	assert_non_null(rplat_findings_find(&fs, "dt.no_rproc"));
	assert_int_equal(rplat_findings_exit_code(&fs), 0);
	rplat_findings_free(&fs);

	/* more regions than the report holds */
	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
			      " reserved-memory { #address-cells = <1>; #size-cells = <1>;\n");
	for (i = 0; i < RPLAT_DT_MAX_REGIONS + 2; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "  r%d@%x { reg = <0x%x 0x1000>; no-map; };\n", i,
				      0x90000000 + i * 0x1000, 0x90000000 + i * 0x1000);
	snprintf(text + n, sizeof(text) - n, " };\n};\n");
	check_file(compile("many", NULL, text), NULL, NULL, &fs);
	assert_non_null(rplat_findings_find(&fs, "dt.too_many"));
	assert_null(rplat_findings_find(&fs, "dt.region_overlap"));
	rplat_findings_free(&fs);

	/* not a blob at all: an error naming the file and the field */
	assert_int_equal(rplat_dt_load_blob("/dts-v1/; / { };", 17, "notadtb.dtb", &dt), 0);
	rplat_findings_init(&fs);
	assert_int_equal(rplat_dt_check(dt, NULL, NULL, &fs), 0);
	note_fired(&fs);
	assert_non_null(rplat_findings_find(&fs, "dt.blob"));
	assert_string_equal(rplat_findings_find(&fs, "dt.blob")->source, "notadtb.dtb");
	assert_string_equal(rplat_findings_find(&fs, "dt.blob")->field, "header.magic");
	rplat_findings_free(&fs);
	rplat_dt_free(dt);

	/* a file that does not exist */
	{
		char err[256];

		assert_int_equal(rplat_dt_load_dtb("/nonexistent.dtb", &dt, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "/nonexistent.dtb"));
		assert_int_equal(rplat_dt_load_tree("/nonexistent-tree", &dt, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "/nonexistent-tree"));
	}
}

/* Write a blob out as a live tree: one directory per node, one file per property. */
static void write_tree(const void *fdt, int node, const char *dir)
{
	int prop, sub;

	assert_int_equal(mkdir(dir, 0755) == 0 || errno == EEXIST, 1);
	fdt_for_each_property_offset(prop, fdt, node) {
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(fdt, prop, &name, &len);
		char path[1024];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		f = fopen(path, "wb");
		assert_non_null(f);
		if (len)
			assert_int_equal(fwrite(val, 1, (size_t)len, f), (size_t)len);
		fclose(f);
	}
	/* the kernel's legacy 'name' file, which the loader must skip */
	{
		char path[1024];
		FILE *f;

		snprintf(path, sizeof(path), "%s/name", dir);
		f = fopen(path, "wb");
		assert_non_null(f);
		fputs("x", f);
		fclose(f);
	}
	fdt_for_each_subnode(sub, fdt, node) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s", dir, fdt_get_name(fdt, sub, NULL));
		write_tree(fdt, sub, path);
	}
}

static void test_live_tree(void **state)
{
	struct rplat_dt_opts o = { NULL, NULL, "am62x-m4f" };
	struct rplat_dt_report rep_blob, rep_tree;
	struct rplat_findings fs_blob, fs_tree;
	struct rplat_dt *blob, *tree;
	char path[1200], err[512], dir[512];
	const void *fdt;
	size_t len, i;

	(void)state;
	snprintf(path, sizeof(path), "%s/am62x-good.dts", fixdir);
	assert_int_equal(rplat_dt_load_dtb(compile("live", path, NULL), &blob, err, sizeof(err)), 0);
	fdt = rplat_dt_blob(blob, &len);
	snprintf(dir, sizeof(dir), "%s/base", tmpdir);
	write_tree(fdt, 0, dir);
	assert_int_equal(rplat_dt_load_tree(dir, &tree, err, sizeof(err)), 0);
	assert_string_equal(rplat_dt_name(tree), dir);

	o.fw = ti_fw("am62-mcu-m4f0_0-fw", 256);
	rplat_findings_init(&fs_blob);
	rplat_findings_init(&fs_tree);
	assert_int_equal(rplat_dt_check(blob, &o, &rep_blob, &fs_blob), 0);
	assert_int_equal(rplat_dt_check(tree, &o, &rep_tree, &fs_tree), 0);
	assert_int_equal(fs_blob.n, fs_tree.n);
	for (i = 0; i < fs_blob.n; i++) {
		assert_string_equal(fs_blob.item[i].rule, fs_tree.item[i].rule);
		assert_string_equal(fs_blob.item[i].field, fs_tree.item[i].field);
	}
	assert_int_equal(rep_tree.nregion, 2);
	assert_int_equal(rep_tree.nrproc, 1);
	assert_int_equal(rep_tree.pool_need, rep_blob.pool_need);
	rplat_findings_free(&fs_blob);
	rplat_findings_free(&fs_tree);
	rplat_fw_free((struct rplat_fw *)o.fw);
	rplat_dt_free(blob);
	rplat_dt_free(tree);
}

/* Replay the DT fuzzer's corpus and regressions through the library. */
static void test_fuzz_replay(void **state)
{
	const char *top = getenv("TOP");
	const char *sub[] = { "tests/fuzz/corpus/dt", "tests/fuzz/regress/dt" };
	size_t k;

	(void)state;
	for (k = 0; k < 2; k++) {
		char dir[1024];
		struct dirent *d;
		DIR *dp;

		snprintf(dir, sizeof(dir), "%s/%s", top ? top : ".", sub[k]);
		dp = opendir(dir);
		if (!dp)
			continue;
		while ((d = readdir(dp))) {
			struct rplat_dt_opts o = { NULL, NULL, "am62x-m4f" };
			struct rplat_findings fs;
			struct rplat_dt *dt;
			char path[1300], err[256];

			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			if (rplat_dt_load_dtb(path, &dt, err, sizeof(err)) < 0)
				continue;
			o.fw = ti_fw("fw", 256);
			rplat_findings_init(&fs);
			rplat_dt_check(dt, &o, NULL, &fs);
			rplat_findings_free(&fs);
			rplat_fw_free((struct rplat_fw *)o.fw);
			rplat_dt_free(dt);
		}
		closedir(dp);
	}
}

static void test_every_rule_fired(void **state)
{
	const struct rplat_rule *rules;
	size_t n, i;
	int k, missing = 0;

	(void)state;
	rules = rplat_dt_rules(&n);
	for (i = 0; i < n; i++) {
		assert_non_null(rules[i].kernel); /* the kernel function, in the table of README */
		for (k = 0; k < nfired; k++)
			if (!strcmp(fired[k], rules[i].id))
				break;
		if (k == nfired) {
			fprintf(stderr, "DT rule %s never fired\n", rules[i].id);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_good_report),
		cmocka_unit_test(test_fw_against_tree),
		cmocka_unit_test(test_node_selection),
		cmocka_unit_test(test_small_trees),
		cmocka_unit_test(test_live_tree),
		cmocka_unit_test(test_fuzz_replay),
		cmocka_unit_test(test_every_rule_fired),
	};

	return cmocka_run_group_tests_name("dt_check", tests, setup, teardown);
}
