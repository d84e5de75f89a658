/* rplat check: resource tables, device trees, cache coherency, system readiness.
 *
 * One table of subcommands; each parses its own options, runs a library check that fills a findings list,
 * prints it (text or --json) and returns the exit code of the worst finding:
 *   0 clean or info only, 1 warnings, 2 errors, 3 could not run (unreadable input, bad usage). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "commands.h"
#include "rplat/dt.h"
#include "rplat/findings.h"
#include "rplat/json.h"
#include "rplat/rsc.h"
#include "rplat/sysck.h"
#include "rplat/util.h"

static int check_rsc_main(int argc, char **argv);
static int check_dt_main(int argc, char **argv);
static int check_system_main(int argc, char **argv);

static const struct check_sub {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *args;
	const char *summary;
} subs[] = {
	{ "rsc", check_rsc_main, "FILE [--json] [--memmap MAP]",
	  "firmware ELF or raw resource table: the kernel's rules and field lints" },
	{ "dt", check_dt_main, "[--dtb FILE | --root DIR] [--fw FILE] [--node NODE] [--json]",
	  "device tree: reserved memory, remoteproc nodes, mailboxes; cross-check with the firmware" },
	{ "coherency", check_coherency_main, "--link SPEC [--rounds N] [--json] [-o FILE]",
	  "shared buffers through the probe: stale lines and torn writes (exit 0 clean, 2 mismatches, 3 could not run)" },
	{ "system", check_system_main, "[--json] [--root DIR]",
	  "is this Linux ready for latency work (RT, idle, isolation, IRQs, limits, tracefs, remoteproc)" },
};

#define NSUBS (sizeof(subs) / sizeof(subs[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rplat check SUBCOMMAND [OPTIONS]   (rplat check SUBCOMMAND --help for each)\n\n");
	for (i = 0; i < NSUBS; i++)
		fprintf(f, "  %-10s %s\n  %-10s   %s\n", subs[i].name, subs[i].args, "", subs[i].summary);
	fprintf(f, "\nexit status of rsc, dt, system: 0 clean (or info only), 1 warnings, 2 errors (the worst\n"
		   "finding decides), 3 could not run (unreadable input, bad usage)\n");
}

int cmd_check(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return RPLAT_CHECK_EXIT_INPUT;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < NSUBS; i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].main(argc - 1, argv + 1);
	fprintf(stderr, "rplat check: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return RPLAT_CHECK_EXIT_INPUT;
}

/* ---- shared output ---- */

static void print_rules(const struct rplat_rule *rules, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		printf("%-28s %-7s%s\n    %s\n", rules[i].id, rplat_severity_name(rules[i].sev),
		       (rules[i].flags & RPLAT_FINDING_REFUSED) ? "  (the kernel refuses)" : "", rules[i].why);
		if (rules[i].advice && rules[i].advice[0])
			printf("    advice: %s\n", rules[i].advice);
		if (rules[i].kernel)
			printf("    kernel: %s (Linux %s)\n", rules[i].kernel, RPLAT_KERNEL_VERSION);
	}
}

static void json_head(struct rplat_jw *w, const char *check)
{
	rplat_jw_init(w, stdout);
	rplat_jw_obj_begin(w, NULL);
	rplat_jw_str(w, "tool", "rplat " RPLAT_VERSION);
	rplat_jw_str(w, "check", check);
}

static int json_tail(struct rplat_jw *w, const struct rplat_findings *fs)
{
	rplat_findings_write_json(w, fs);
	rplat_jw_obj_end(w);
	return rplat_jw_finish(w);
}

static int finish(const struct rplat_findings *fs, int write_failed)
{
	if (write_failed || fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "rplat check: writing the report failed\n");
		return RPLAT_CHECK_EXIT_INPUT;
	}
	return rplat_findings_exit_code(fs);
}

/* ---- rsc ---- */

static const char *rsc_type_name(uint32_t t)
{
	switch (t) {
	case RSC_CARVEOUT:
		return "carveout";
	case RSC_DEVMEM:
		return "devmem";
	case RSC_TRACE:
		return "trace";
	case RSC_VDEV:
		return "vdev";
	default:
		return t >= RSC_VENDOR_START && t <= RSC_VENDOR_END ? "vendor" : "unknown";
	}
}

static void fmt_da(char *buf, size_t len, uint32_t da)
{
	if (da == FW_RSC_ADDR_ANY)
		snprintf(buf, len, "ANY");
	else
		snprintf(buf, len, "0x%x", da);
}

static void print_table(const struct rplat_rsc *t)
{
	size_t i;
	unsigned j;
	char da[16];

	if (!t->header_ok) {
		printf("  table: %zu bytes (no header)\n", t->size);
		return;
	}
	printf("  table: ver %u, %u entr%s, %zu bytes", t->ver, t->num, t->num == 1 ? "y" : "ies", t->size);
	if (t->da_known)
		printf(" at 0x%llx", (unsigned long long)t->da);
	printf("\n");
	for (i = 0; i < t->nentry && i < 64; i++) {
		const struct rplat_rsc_entry *e = &t->entry[i];

		printf("  [%zu] @0x%x ", i, e->offset);
		if (!e->hdr_ok) {
			printf("outside the table\n");
			continue;
		}
		printf("%s", rsc_type_name(e->type));
		if (!e->complete && e->need) {
			printf(" (truncated)\n");
			continue;
		}
		switch (e->type) {
		case RSC_CARVEOUT:
		case RSC_DEVMEM:
		case RSC_TRACE:
			fmt_da(da, sizeof(da), e->da);
			printf(" da %s len 0x%x \"%s\"\n", da, e->len, e->name);
			break;
		case RSC_VDEV:
			printf(" id %u%s, dfeatures 0x%x, %u vring%s\n", e->id, e->id == VIRTIO_ID_RPMSG ? " (rpmsg)" : "",
			       e->dfeatures, e->num_of_vrings, e->num_of_vrings == 1 ? "" : "s");
			for (j = 0; j < e->nvring; j++) {
				fmt_da(da, sizeof(da), e->vring[j].da);
				printf("        vring%u: num %u, align %u, da %s, notifyid %u (%llu bytes)\n", j,
				       e->vring[j].num, e->vring[j].align, da, e->vring[j].notifyid,
				       (unsigned long long)rplat_rsc_vring_bytes(e->vring[j].num, e->vring[j].align));
			}
			break;
		default:
			printf(" (type %u)\n", e->type);
			break;
		}
	}
	if (t->nentry > 64)
		printf("  ... %zu more entries\n", t->nentry - 64);
}

static void json_table(struct rplat_jw *w, const struct rplat_rsc *t)
{
	size_t i;
	unsigned j;

	if (!t) {
		rplat_jw_null(w, "table");
		return;
	}
	rplat_jw_obj_begin(w, "table");
	rplat_jw_uint(w, "size", t->size);
	rplat_jw_uint(w, "ver", t->ver);
	rplat_jw_uint(w, "num", t->num);
	if (t->da_known)
		rplat_jw_uint(w, "da", t->da);
	else
		rplat_jw_null(w, "da");
	rplat_jw_arr_begin(w, "entries");
	for (i = 0; i < t->nentry; i++) {
		const struct rplat_rsc_entry *e = &t->entry[i];

		rplat_jw_obj_begin(w, NULL);
		rplat_jw_uint(w, "index", i);
		rplat_jw_uint(w, "offset", e->offset);
		rplat_jw_bool(w, "inside", e->hdr_ok);
		if (e->hdr_ok) {
			rplat_jw_uint(w, "type", e->type);
			rplat_jw_str(w, "type_name", rsc_type_name(e->type));
			rplat_jw_bool(w, "complete", e->complete);
		}
		if (e->hdr_ok && e->complete && (e->type == RSC_CARVEOUT || e->type == RSC_DEVMEM || e->type == RSC_TRACE)) {
			rplat_jw_uint(w, "da", e->da);
			if (e->type != RSC_TRACE)
				rplat_jw_uint(w, "pa", e->pa);
			rplat_jw_uint(w, "len", e->len);
			rplat_jw_str(w, "name", e->name); /* escaped by the writer */
		}
		if (e->hdr_ok && e->complete && e->type == RSC_VDEV) {
			rplat_jw_uint(w, "id", e->id);
			rplat_jw_uint(w, "notifyid", e->notifyid);
			rplat_jw_uint(w, "dfeatures", e->dfeatures);
			rplat_jw_uint(w, "config_len", e->config_len);
			rplat_jw_uint(w, "status", e->status);
			rplat_jw_arr_begin(w, "vrings");
			for (j = 0; j < e->nvring; j++) {
				rplat_jw_obj_begin(w, NULL);
				rplat_jw_uint(w, "da", e->vring[j].da);
				rplat_jw_uint(w, "align", e->vring[j].align);
				rplat_jw_uint(w, "num", e->vring[j].num);
				rplat_jw_uint(w, "notifyid", e->vring[j].notifyid);
				rplat_jw_obj_end(w);
			}
			rplat_jw_arr_end(w);
		}
		rplat_jw_obj_end(w);
	}
	rplat_jw_arr_end(w);
	rplat_jw_obj_end(w);
}

static void rsc_usage(FILE *f)
{
	fprintf(f, "usage: rplat check rsc FILE [--json] [--memmap MAP] [-q] [--rules]\n"
		   "  FILE          firmware ELF, or a raw resource-table dump (told apart by the ELF magic; a file\n"
		   "                that is neither, a .dtb say, is refused as such)\n"
		   "  --memmap MAP  the target: its memory map, its driver's needs, its data cache (default\n"
		   "                am62x-m4f; also stm32mp1-m4, imx8mp-cm7; vboard: the virtual board's\n"
		   "                rproc_ivshmem, 0x21000000 + 16 MiB, needs a table; none: nothing known)\n"
		   "  --json        one JSON document on stdout\n"
		   "  -q, --quiet   hide info findings in the text report\n"
		   "  --rules       list every rule with its severity and reason\n"
		   "exit status: 0 clean/info, 1 warnings, 2 errors, 3 could not read FILE or bad usage\n");
}

static int check_rsc_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },   { "memmap", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },  { "rules", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },   { NULL, 0, NULL, 0 },
	};
	const char *memmap = "am62x-m4f", *file;
	struct rplat_findings fs;
	struct rplat_memmap mm;
	struct rplat_fw *fw;
	int c, json = 0, quiet = 0, ret, wfail = 0;
	char err[512], desc[256];

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'm':
			memmap = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'R': {
			size_t n;
			const struct rplat_rule *r = rplat_rsc_rules(&n);

			print_rules(r, n);
			return 0;
		}
		case 'h':
			rsc_usage(stdout);
			return 0;
		default:
			rsc_usage(stderr);
			return RPLAT_CHECK_EXIT_INPUT;
		}
	}
	if (argc - optind != 1) {
		rsc_usage(stderr);
		return RPLAT_CHECK_EXIT_INPUT;
	}
	file = argv[optind];
	if (rplat_memmap_get(memmap, &mm) < 0) {
		fprintf(stderr, "rplat check rsc: unknown memory map '%s' (am62x-m4f, stm32mp1-m4, imx8mp-cm7, vboard, none)\n",
			memmap);
		return RPLAT_CHECK_EXIT_INPUT;
	}
	if (rplat_fw_load(file, &fw, err, sizeof(err)) < 0) {
		fprintf(stderr, "rplat check rsc: %s\n", err);
		return RPLAT_CHECK_EXIT_INPUT;
	}
	rplat_findings_init(&fs);
	if (rplat_fw_check(fw, &mm, &fs) < 0)
		fprintf(stderr, "rplat check rsc: out of memory: some findings are only counted\n");
	rplat_fw_describe(fw, desc, sizeof(desc));
	if (json) {
		struct rplat_jw w;

		json_head(&w, "rsc");
		rplat_jw_str(&w, "file", file);
		rplat_jw_str(&w, "image", desc);
		rplat_jw_str(&w, "memmap", mm.name);
		json_table(&w, rplat_fw_rsc(fw));
		wfail = json_tail(&w, &fs) < 0;
	} else {
		printf("rplat check rsc: %s\n  %s\n  memory map: %s\n", file, desc, mm.name);
		if (rplat_fw_rsc(fw))
			print_table(rplat_fw_rsc(fw));
		printf("\n");
		wfail = rplat_findings_write_text(stdout, &fs, quiet ? RPLAT_SEV_WARNING : RPLAT_SEV_INFO) < 0;
	}
	ret = finish(&fs, wfail);
	rplat_findings_free(&fs);
	rplat_fw_free(fw);
	return ret;
}

/* ---- dt ---- */

static void dt_usage(FILE *f)
{
	fprintf(f, "usage: rplat check dt [--dtb FILE | --root DIR] [--fw FILE] [--node NODE] [--memmap MAP]\n"
		   "                      [--json] [-q] [--rules]\n"
		   "  --dtb FILE    a compiled device tree (default: the live tree)\n"
		   "  --root DIR    read the live tree from DIR%s (default /)\n"
		   "  --fw FILE     cross-check this firmware (ELF or raw table) against the remoteproc node\n"
		   "  --node NODE   the remoteproc node to cross-check (path or name; default: the only one, or\n"
		   "                the one whose firmware-name is FILE's name)\n"
		   "  --memmap MAP  the core's internal memories (default: the map made for the node's compatible,\n"
		   "                am62x-m4f, stm32mp1-m4 or imx8mp-cm7; DDR comes from the tree)\n"
		   "exit status: 0 clean/info, 1 warnings, 2 errors, 3 could not read the tree or FILE\n",
		RPLAT_DT_LIVE_DIR);
}

static void print_dt_report(const struct rplat_dt_report *rep, const char *fwname)
{
	size_t i;
	int k;

	printf("reserved memory:%s\n", rep->nregion ? "" : " none");
	for (i = 0; i < rep->nregion; i++) {
		const struct rplat_dt_region *r = &rep->region[i];

		if (r->has_reg)
			printf("  %-48s 0x%08llx + 0x%-8llx", r->path, (unsigned long long)r->base,
			       (unsigned long long)r->size);
		else
			printf("  %-48s (placed at boot)            ", r->path);
		printf("%s%s%s", r->no_map ? " no-map" : "", r->dma_pool ? " shared-dma-pool" : "",
		       r->reusable ? " reusable" : "");
		if (r->users)
			printf("  (%d user%s)", r->users, r->users == 1 ? "" : "s");
		printf("\n");
	}
	printf("remote processors:%s\n", rep->nrproc ? "" : " none");
	for (i = 0; i < rep->nrproc; i++) {
		const struct rplat_dt_rproc *p = &rep->rproc[i];

		printf("  %s  %s (%s)%s\n", p->path, p->compatible, p->driver, p->enabled ? "" : "  (disabled)");
		if (!p->enabled)
			continue;
		printf("      firmware-name %s, %s\n", p->firmware[0] ? p->firmware : "(none)",
		       p->dma_coherent ? "dma-coherent" : "not coherent");
		printf("      DMA pool %s\n", p->pool >= 0 ? rep->region[p->pool].path : "(none)");
		for (k = 0; k < p->nmbox; k++)
			printf("      mailbox %s\n", p->mbox[k]);
	}
	if (rep->chosen >= 0 && fwname) {
		printf("cross-check: %s with %s", rep->rproc[rep->chosen].path, fwname);
		if (rep->pool_size)
			printf(": DMA pool %llu KiB of %llu KiB used", (unsigned long long)rep->pool_need / 1024,
			       (unsigned long long)rep->pool_size / 1024);
		printf("\n");
	}
}

static void json_dt_report(struct rplat_jw *w, const struct rplat_dt_report *rep)
{
	size_t i;
	int k;

	rplat_jw_arr_begin(w, "reserved_memory");
	for (i = 0; i < rep->nregion; i++) {
		const struct rplat_dt_region *r = &rep->region[i];

		rplat_jw_obj_begin(w, NULL);
		rplat_jw_str(w, "path", r->path);
		if (r->has_reg) {
			rplat_jw_uint(w, "base", r->base);
			rplat_jw_uint(w, "size", r->size);
		} else {
			rplat_jw_null(w, "base");
			rplat_jw_null(w, "size");
		}
		rplat_jw_bool(w, "no_map", r->no_map);
		rplat_jw_bool(w, "shared_dma_pool", r->dma_pool);
		rplat_jw_bool(w, "reusable", r->reusable);
		rplat_jw_int(w, "users", r->users);
		rplat_jw_obj_end(w);
	}
	rplat_jw_arr_end(w);
	rplat_jw_arr_begin(w, "remoteprocs");
	for (i = 0; i < rep->nrproc; i++) {
		const struct rplat_dt_rproc *p = &rep->rproc[i];

		rplat_jw_obj_begin(w, NULL);
		rplat_jw_str(w, "path", p->path);
		rplat_jw_str(w, "compatible", p->compatible);
		rplat_jw_str(w, "driver", p->driver);
		rplat_jw_str(w, "firmware_name", p->firmware[0] ? p->firmware : NULL);
		rplat_jw_bool(w, "enabled", p->enabled);
		rplat_jw_bool(w, "dma_coherent", p->dma_coherent);
		rplat_jw_arr_begin(w, "memory_regions");
		for (k = 0; k < p->nmem; k++)
			rplat_jw_str(w, NULL, p->mem[k] >= 0 ? rep->region[p->mem[k]].path : NULL);
		rplat_jw_arr_end(w);
		rplat_jw_str(w, "dma_pool", p->pool >= 0 ? rep->region[p->pool].path : NULL);
		rplat_jw_arr_begin(w, "mboxes");
		for (k = 0; k < p->nmbox; k++)
			rplat_jw_str(w, NULL, p->mbox[k]);
		rplat_jw_arr_end(w);
		rplat_jw_obj_end(w);
	}
	rplat_jw_arr_end(w);
	if (rep->chosen >= 0) {
		rplat_jw_obj_begin(w, "cross_check");
		rplat_jw_str(w, "node", rep->rproc[rep->chosen].path);
		rplat_jw_str(w, "memmap", rep->memmap[0] ? rep->memmap : NULL);
		rplat_jw_uint(w, "pool_need", rep->pool_need);
		rplat_jw_uint(w, "pool_size", rep->pool_size);
		rplat_jw_obj_end(w);
	} else {
		rplat_jw_null(w, "cross_check");
	}
}

static int check_dt_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dtb", required_argument, NULL, 'd' },  { "root", required_argument, NULL, 'r' },
		{ "fw", required_argument, NULL, 'f' },   { "node", required_argument, NULL, 'n' },
		{ "memmap", required_argument, NULL, 'm' }, { "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },      { "rules", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
	};
	const char *dtb = NULL, *root = NULL, *fwfile = NULL;
	struct rplat_dt_opts o = { NULL, NULL, NULL };
	struct rplat_dt_report *rep = NULL;
	struct rplat_findings fs;
	struct rplat_memmap mm;
	struct rplat_fw *fw = NULL;
	struct rplat_dt *dt = NULL;
	int c, json = 0, quiet = 0, ret = RPLAT_CHECK_EXIT_INPUT, wfail = 0;
	char err[1024], dir[4096];

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dtb = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		case 'f':
			fwfile = optarg;
			break;
		case 'n':
			o.node = optarg;
			break;
		case 'm':
			o.memmap = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'R': {
			size_t n;
			const struct rplat_rule *r = rplat_dt_rules(&n);

			print_rules(r, n);
			return 0;
		}
		case 'h':
			dt_usage(stdout);
			return 0;
		default:
			dt_usage(stderr);
			return RPLAT_CHECK_EXIT_INPUT;
		}
	}
	if (optind != argc || (dtb && root)) {
		dt_usage(stderr);
		return RPLAT_CHECK_EXIT_INPUT;
	}
	if (o.memmap && rplat_memmap_get(o.memmap, &mm) < 0) {
		fprintf(stderr, "rplat check dt: unknown memory map '%s' (am62x-m4f, stm32mp1-m4, imx8mp-cm7, vboard, none)\n",
			o.memmap);
		return RPLAT_CHECK_EXIT_INPUT;
	}
	rplat_findings_init(&fs);
	if (fwfile && rplat_fw_load(fwfile, &fw, err, sizeof(err)) < 0) {
		fprintf(stderr, "rplat check dt: %s\n", err);
		goto out;
	}
	o.fw = fw;
	if (dtb) {
		if (rplat_dt_load_dtb(dtb, &dt, err, sizeof(err)) < 0) {
			fprintf(stderr, "rplat check dt: %s\n", err);
			goto out;
		}
	} else {
		snprintf(dir, sizeof(dir), "%s%s", root && strcmp(root, "/") ? root : "", RPLAT_DT_LIVE_DIR);
		if (rplat_dt_load_tree(dir, &dt, err, sizeof(err)) < 0) {
			fprintf(stderr, "rplat check dt: %s\n%s", err,
				root ? "" : "(no device tree on this system: check a compiled tree with --dtb FILE)\n");
			goto out;
		}
	}
	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		fprintf(stderr, "rplat check dt: out of memory\n");
		goto out;
	}
	if (rplat_dt_check(dt, &o, rep, &fs) < 0)
		fprintf(stderr, "rplat check dt: out of memory: some findings are only counted\n");
	if (json) {
		struct rplat_jw w;

		json_head(&w, "dt");
		rplat_jw_str(&w, "source", rplat_dt_name(dt));
		rplat_jw_str(&w, "firmware", fwfile);
		rplat_jw_str(&w, "memmap", o.memmap);
		json_dt_report(&w, rep);
		wfail = json_tail(&w, &fs) < 0;
	} else {
		printf("rplat check dt: %s%s%s\n", rplat_dt_name(dt), fwfile ? " with firmware " : "",
		       fwfile ? fwfile : "");
		print_dt_report(rep, fwfile);
		printf("\n");
		wfail = rplat_findings_write_text(stdout, &fs, quiet ? RPLAT_SEV_WARNING : RPLAT_SEV_INFO) < 0;
	}
	ret = finish(&fs, wfail);
out:
	free(rep);
	rplat_findings_free(&fs);
	rplat_dt_free(dt);
	rplat_fw_free(fw);
	return ret;
}

/* ---- system ---- */

static void system_usage(FILE *f)
{
	fprintf(f, "usage: rplat check system [--json] [-q] [--root DIR] [--proc DIR] [--sys DIR] [--dev DIR] [--rules]\n"
		   "  --root DIR    read DIR/proc, DIR/sys and DIR/dev instead of the live system\n"
		   "  --proc/--sys/--dev DIR   move one root only\n"
		   "exit status: 0 ready (info only), 1 warnings, 2 errors, 3 bad usage\n");
}

static int set_dir(char *dst, size_t size, const char *src, const char *what)
{
	if ((size_t)snprintf(dst, size, "%s", src) < size)
		return 0;
	fprintf(stderr, "rplat check system: --%s: path too long\n", what);
	return -1;
}

static int check_system_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },       { "root", required_argument, NULL, 'r' },
		{ "proc", required_argument, NULL, 'P' }, { "sys", required_argument, NULL, 'S' },
		{ "dev", required_argument, NULL, 'D' },  { "quiet", no_argument, NULL, 'q' },
		{ "rules", no_argument, NULL, 'R' },      { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL, *proc = NULL, *sys = NULL, *dev = NULL;
	struct rplat_sysck_roots roots;
	struct rplat_findings fs;
	int c, json = 0, quiet = 0, ret, wfail = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'r':
			root = optarg;
			break;
		case 'P':
			proc = optarg;
			break;
		case 'S':
			sys = optarg;
			break;
		case 'D':
			dev = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'R': {
			size_t n;
			const struct rplat_rule *r = rplat_sysck_rules(&n);

			print_rules(r, n);
			return 0;
		}
		case 'h':
			system_usage(stdout);
			return 0;
		default:
			system_usage(stderr);
			return RPLAT_CHECK_EXIT_INPUT;
		}
	}
	if (optind != argc) {
		system_usage(stderr);
		return RPLAT_CHECK_EXIT_INPUT;
	}
	if (rplat_sysck_roots_init(&roots, root) < 0) {
		fprintf(stderr, "rplat check system: --root: path too long\n");
		return RPLAT_CHECK_EXIT_INPUT;
	}
	if ((proc && set_dir(roots.proc, sizeof(roots.proc), proc, "proc") < 0) ||
	    (sys && set_dir(roots.sys, sizeof(roots.sys), sys, "sys") < 0) ||
	    (dev && set_dir(roots.dev, sizeof(roots.dev), dev, "dev") < 0))
		return RPLAT_CHECK_EXIT_INPUT;
	rplat_findings_init(&fs);
	if (rplat_sysck_run(&roots, &fs) < 0)
		fprintf(stderr, "rplat check system: out of memory: some findings are only counted\n");
	if (json) {
		struct rplat_jw w;

		json_head(&w, "system");
		rplat_jw_obj_begin(&w, "roots");
		rplat_jw_str(&w, "proc", roots.proc);
		rplat_jw_str(&w, "sys", roots.sys);
		rplat_jw_str(&w, "dev", roots.dev);
		rplat_jw_obj_end(&w);
		wfail = json_tail(&w, &fs) < 0;
	} else {
		printf("rplat check system: %s, %s, %s\n\n", roots.proc, roots.sys, roots.dev);
		wfail = rplat_findings_write_text(stdout, &fs, quiet ? RPLAT_SEV_WARNING : RPLAT_SEV_INFO) < 0;
	}
	ret = finish(&fs, wfail);
	rplat_findings_free(&fs);
	return ret;
}
