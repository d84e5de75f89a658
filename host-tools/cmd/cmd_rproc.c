/* rplat rproc: remoteproc control through sysfs, and the firmware's debugfs trace buffer.
 *
 *   rplat rproc [--root DIR] [-r NAME] [--json] list | status | start | stop | load FW [--start] | trace [-t N]
 *
 * Exit status: 0 done, 1 refused or failed (the state does not allow it, the kernel said no, the firmware
 * would be refused), 2 bad usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "rplat/json.h"
#include "rplat/rproc.h"
#include "rplat/rsc.h"
#include "rplat/util.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 2

struct rproc_opts {
	const char *root;
	const char *which;
	int json;
	int start_after_load;
	int force;
	int trace_idx;
	struct rplat_rproc_roots roots;
};

static int do_list(struct rproc_opts *o, int argc, char **argv);
static int do_status(struct rproc_opts *o, int argc, char **argv);
static int do_start(struct rproc_opts *o, int argc, char **argv);
static int do_stop(struct rproc_opts *o, int argc, char **argv);
static int do_load(struct rproc_opts *o, int argc, char **argv);
static int do_trace(struct rproc_opts *o, int argc, char **argv);

static const struct rproc_verb {
	const char *name;
	int nargs;
	int (*fn)(struct rproc_opts *o, int argc, char **argv);
	const char *summary;
} verbs[] = {
	{ "list", 0, do_list, "every remote processor: name, state, firmware" },
	{ "status", 0, do_status, "one processor in detail, with a check of its firmware file" },
	{ "start", 0, do_start, "boot an offline processor" },
	{ "stop", 0, do_stop, "shut down a running processor" },
	{ "load", 1, do_load, "FW: set the firmware of an offline processor (checked first; --start boots it)" },
	{ "trace", 0, do_trace, "print its trace buffer (debugfs trace0, or -t N)" },
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rplat rproc [--root DIR] [-r NAME] [--json] COMMAND\n\n");
	for (i = 0; i < NVERBS; i++)
		fprintf(f, "  %-7s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\n  -r, --rproc NAME   remoteprocN, N, or its name (default: the only one)\n"
		   "  --root DIR         read DIR/sys, DIR/sys/kernel/debug, DIR/lib/firmware instead of /\n"
		   "  --json             list and status as JSON\n"
		   "  --start            (load) start the processor after setting its firmware\n"
		   "  --force            (load) set the firmware even if the kernel would refuse it\n"
		   "  -t, --trace N      (trace) trace buffer N (default 0)\n"
		   "exit status: 0 done, 1 refused or failed, 2 bad usage\n");
}

int cmd_rproc(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'R' }, { "rproc", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },       { "start", no_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },      { "trace", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
	};
	struct rproc_opts o;
	size_t i;
	int c;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			o.root = optarg;
			break;
		case 'r':
			o.which = optarg;
			break;
		case 'j':
			o.json = 1;
			break;
		case 's':
			o.start_after_load = 1;
			break;
		case 'f':
			o.force = 1;
			break;
		case 't': {
			uint64_t v;

			if (rplat_parse_u64(optarg, &v) < 0 || v > 1000) {
				fprintf(stderr, "rplat rproc: -t: '%s' is not a trace buffer number\n", optarg);
				return EXIT_USAGE;
			}
			o.trace_idx = (int)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (rplat_rproc_roots_init(&o.roots, o.root) < 0) {
		fprintf(stderr, "rplat rproc: --root: path too long\n");
		return EXIT_USAGE;
	}
	for (i = 0; i < NVERBS; i++) {
		if (strcmp(argv[optind], verbs[i].name))
			continue;
		if (argc - optind - 1 != verbs[i].nargs) {
			fprintf(stderr, "rplat rproc %s: expected %d argument%s\n", verbs[i].name, verbs[i].nargs,
				verbs[i].nargs == 1 ? "" : "s");
			usage(stderr);
			return EXIT_USAGE;
		}
		return verbs[i].fn(&o, argc - optind - 1, argv + optind + 1);
	}
	fprintf(stderr, "rplat rproc: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}

static void json_rproc(struct rplat_jw *w, const struct rplat_rproc *p)
{
	rplat_jw_str(w, "id", p->id);
	rplat_jw_str(w, "name", p->name);
	rplat_jw_str(w, "state", p->state);
	rplat_jw_str(w, "firmware", p->firmware);
	rplat_jw_str(w, "recovery", p->recovery[0] ? p->recovery : NULL);
	if (p->ntrace >= 0)
		rplat_jw_int(w, "traces", p->ntrace);
	else
		rplat_jw_null(w, "traces");
}

static int do_list(struct rproc_opts *o, int argc, char **argv)
{
	struct rplat_rproc *v;
	char err[512];
	size_t n, i;

	(void)argc;
	(void)argv;
	if (rplat_rproc_list(&o->roots, &v, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "rplat rproc list: %s\n", err);
		return EXIT_REFUSED;
	}
	if (o->json) {
		struct rplat_jw w;

		rplat_jw_init(&w, stdout);
		rplat_jw_obj_begin(&w, NULL);
		rplat_jw_arr_begin(&w, "remoteprocs");
		for (i = 0; i < n; i++) {
			rplat_jw_obj_begin(&w, NULL);
			json_rproc(&w, &v[i]);
			rplat_jw_obj_end(&w);
		}
		rplat_jw_arr_end(&w);
		rplat_jw_obj_end(&w);
		rplat_jw_finish(&w);
	} else if (!n) {
		printf("no remote processor (%s/class/remoteproc)\n", o->roots.sys);
	} else {
		printf("%-13s %-20s %-10s %s\n", "ID", "NAME", "STATE", "FIRMWARE");
		for (i = 0; i < n; i++)
			printf("%-13s %-20s %-10s %s\n", v[i].id, v[i].name, v[i].state, v[i].firmware);
	}
	free(v);
	return 0;
}

static int find(struct rproc_opts *o, const char *verb, struct rplat_rproc *p)
{
	char err[512];

	if (rplat_rproc_find(&o->roots, o->which, p, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "rplat rproc %s: %s\n", verb, err);
	return -1;
}

/* Check a firmware file as the kernel would load it (target-independent rules only). Returns the
 * number of findings that make the kernel refuse it, or -1 if the file cannot be read. */
static int firmware_refusals(const char *path, struct rplat_findings *fs, char *err, size_t errlen)
{
	struct rplat_memmap mm;
	struct rplat_fw *fw;
	int n;

	if (rplat_fw_load(path, &fw, err, errlen) < 0)
		return -1;
	rplat_memmap_get("none", &mm);
	rplat_fw_check(fw, &mm, fs);
	n = (int)fs->refused;
	if (!rplat_fw_is_elf(fw)) {
		struct rplat_finding *f = rplat_findings_add(fs, RPLAT_SEV_ERROR, RPLAT_FINDING_REFUSED, "rproc.not_elf",
							     path, -1);

		rplat_finding_set(f, RPLAT_FINDING_FIELD, "file");
		rplat_finding_set(f, RPLAT_FINDING_VALUE, "not an ELF image");
		rplat_finding_set(f, RPLAT_FINDING_WHY, "remoteproc's ELF loader refuses anything else (\"Image is "
				  "corrupted (bad magic)\").");
		n++;
	}
	rplat_fw_free(fw);
	return n;
}

static int do_status(struct rproc_opts *o, int argc, char **argv)
{
	struct rplat_findings fs;
	struct rplat_rproc p;
	char name[256], path[4096], err[1024];
	int refusals = -2;

	(void)argc;
	(void)argv;
	if (find(o, "status", &p) < 0)
		return EXIT_REFUSED;
	rplat_findings_init(&fs);
	if (p.firmware[0] && rplat_rproc_firmware_path(&o->roots, p.firmware, name, sizeof(name), path, sizeof(path),
						       err, sizeof(err)) == 0)
		refusals = firmware_refusals(path, &fs, err, sizeof(err));
	if (o->json) {
		struct rplat_jw w;

		rplat_jw_init(&w, stdout);
		rplat_jw_obj_begin(&w, NULL);
		json_rproc(&w, &p);
		rplat_jw_obj_begin(&w, "firmware_file");
		rplat_jw_str(&w, "path", refusals >= -1 ? path : NULL);
		rplat_jw_bool(&w, "present", refusals >= -1);
		if (refusals >= 0) {
			rplat_jw_uint(&w, "errors", fs.count[RPLAT_SEV_ERROR]);
			rplat_jw_uint(&w, "warnings", fs.count[RPLAT_SEV_WARNING]);
			rplat_jw_int(&w, "kernel_refuses", refusals);
		}
		rplat_jw_obj_end(&w);
		rplat_jw_obj_end(&w);
		rplat_jw_finish(&w);
	} else {
		printf("%s\n  name      %s\n  state     %s\n  firmware  %s\n", p.id, p.name, p.state, p.firmware);
		if (p.recovery[0])
			printf("  recovery  %s\n", p.recovery);
		if (p.ntrace >= 0)
			printf("  traces    %d (rplat rproc trace)\n", p.ntrace);
		else
			printf("  traces    none (not running, or debugfs not mounted)\n");
		if (refusals == -2)
			printf("  file      not found in %s\n", o->roots.fw);
		else if (refusals == -1)
			printf("  file      %s\n", err);
		else
			printf("  file      %s: %zu errors (%d the kernel refuses), %zu warnings (rplat check rsc %s)\n",
			       path, fs.count[RPLAT_SEV_ERROR], refusals, fs.count[RPLAT_SEV_WARNING], path);
	}
	rplat_findings_free(&fs);
	return 0;
}

static int do_start(struct rproc_opts *o, int argc, char **argv)
{
	struct rplat_rproc p;
	char err[1024];

	(void)argc;
	(void)argv;
	if (find(o, "start", &p) < 0)
		return EXIT_REFUSED;
	if (rplat_rproc_start(&o->roots, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "rplat rproc start: %s\n", err);
		return EXIT_REFUSED;
	}
	printf("%s (%s): started with %s\n", p.id, p.name, p.firmware);
	return 0;
}

static int do_stop(struct rproc_opts *o, int argc, char **argv)
{
	struct rplat_rproc p;
	char err[1024];

	(void)argc;
	(void)argv;
	if (find(o, "stop", &p) < 0)
		return EXIT_REFUSED;
	if (rplat_rproc_stop(&o->roots, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "rplat rproc stop: %s\n", err);
		return EXIT_REFUSED;
	}
	printf("%s (%s): stopped\n", p.id, p.name);
	return 0;
}

static int do_load(struct rproc_opts *o, int argc, char **argv)
{
	struct rplat_findings fs;
	struct rplat_rproc p;
	char name[256], path[4096], err[1024];
	int refusals, ret = EXIT_REFUSED;

	(void)argc;
	if (find(o, "load", &p) < 0)
		return EXIT_REFUSED;
	if (rplat_rproc_firmware_path(&o->roots, argv[0], name, sizeof(name), path, sizeof(path), err,
				      sizeof(err)) < 0) {
		fprintf(stderr, "rplat rproc load: %s\n", err);
		return EXIT_REFUSED;
	}
	rplat_findings_init(&fs);
	refusals = firmware_refusals(path, &fs, err, sizeof(err));
	if (refusals < 0) {
		fprintf(stderr, "rplat rproc load: %s\n", err);
		goto out;
	}
	if (refusals > 0) {
		fprintf(stderr, "rplat rproc load: the kernel would refuse %s:\n", path);
		rplat_findings_write_text(stderr, &fs, RPLAT_SEV_ERROR);
		if (!o->force) {
			fprintf(stderr, "(--force sets it anyway)\n");
			goto out;
		}
	}
	if (rplat_rproc_set_firmware(&o->roots, &p, name, err, sizeof(err)) < 0) {
		fprintf(stderr, "rplat rproc load: %s\n", err);
		goto out;
	}
	printf("%s (%s): firmware set to %s\n", p.id, p.name, name);
	ret = 0;
	if (o->start_after_load) {
		snprintf(p.firmware, sizeof(p.firmware), "%s", name);
		if (rplat_rproc_start(&o->roots, &p, err, sizeof(err)) < 0) {
			fprintf(stderr, "rplat rproc load: %s\n", err);
			ret = EXIT_REFUSED;
		} else {
			printf("%s (%s): started\n", p.id, p.name);
		}
	}
out:
	rplat_findings_free(&fs);
	return ret;
}

static int do_trace(struct rproc_opts *o, int argc, char **argv)
{
	struct rplat_rproc p;
	char err[1024], *buf;
	size_t len;

	(void)argc;
	(void)argv;
	if (find(o, "trace", &p) < 0)
		return EXIT_REFUSED;
	if (rplat_rproc_read_trace(&o->roots, &p, o->trace_idx, &buf, &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "rplat rproc trace: %s\n", err);
		return EXIT_REFUSED;
	}
	fwrite(buf, 1, len, stdout);
	if (len && buf[len - 1] != '\n')
		putchar('\n');
	free(buf);
	return fflush(stdout) == 0 ? 0 : EXIT_REFUSED;
}
