/* rplat observe: measure the user's own firmware (built with the rplat hooks) and application, beside
 * it, without changing either. See rplat/observe.h and the README's "rplat observe". */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "rplat/observe.h"
#include "rplat/util.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rplat observe --pid PID [--link sim|qemu] [-r HZ] [-d TIME] [-c N] [-o DIR] [OPTIONS]\n"
		"\n"
		"Watch an application (PID) that talks to a firmware instrumented with the rplat hooks, and write a\n"
		"run directory (samples.tsv, hist/, run.json) that report, compare, budget and merge read. The\n"
		"firmware's ring is found through the application's own link region (its resource table's\n"
		"\"rplat-ring\" carveout) and drained at HZ; the application's rpmsg writes and reads are traced as\n"
		"events (tracefs instance rplat-observe, root needed): the doorbell write()/send() its link makes\n"
		"for each message, and the return of its rplat_link_recv() (a uretprobe); each message is matched\n"
		"with the firmware's\n"
		"ISR, RX and SEND records by order and identity, and split into four stages:\n"
		"  host_to_remote     application write -> remote ISR\n"
		"  remote_dispatch    remote ISR -> RX callback\n"
		"  remote_processing  RX callback -> remote send\n"
		"  remote_to_host     remote send -> application read returns\n"
		"Beside those it records, in the same instance, what rplat trace's analysis reads: sched_switch,\n"
		"sched_waking/wakeup(_new), sched_migrate_task, irq_handler_entry/exit and softirq_entry/exit on\n"
		"every CPU, the application's write exit and read syscalls (read during the run every 200 ms; what\n"
		"the kernel overwrote is counted and marked where it went missing). After the run it writes them\n"
		"as rplat trace does (trace/cpuN.ev, names.tsv, capture.json) and runs the same analysis on the\n"
		"observed messages (each one's window opens at its write): trace/analysis.json, analysis.txt,\n"
		"stages.tsv, trace/hist/, with a verdict on each of the slowest messages (what ran, on which CPU,\n"
		"in which stage; \"no verdict from the trace\" where events were lost or the message was not seen),\n"
		"which rplat report shows and rplat trace analyze RUN redoes.\n"
		"Ends when the application exits, after -d, after -c messages, or on Ctrl-C.\n"
		"\n"
		"  -p, --pid PID      the application (its main thread is traced)\n"
		"  -L, --link TYPE    the link the application uses: sim (default), qemu, or rpmsg (a board: its\n"
		"                     /dev/rpmsgN write()/read() syscalls, and kprobes on rproc_virtio_notify and\n"
		"                     rproc_vq_interrupt where the kernel has them; the ring from remoteproc's\n"
		"                     debugfs carveout list, mapped through /dev/mem; run on the virtual board's 6.12)\n"
		"  --rproc NAME       rpmsg: the remoteproc (remoteprocN) whose carveouts list the ring\n"
		"  --debugfs DIR      rpmsg: where debugfs is mounted (/sys/kernel/debug)\n"
		"  --mem FILE         rpmsg: the physical memory device (/dev/mem)\n"
		"  --da ADDR          device address of the link region's first byte (sim 0x9cb00000, qemu\n"
		"                     0x21000000)\n"
		"  -r, --rate HZ      ring drains per second (100; 0: drain only at the end, as a host that reads\n"
		"                     nothing would: the firmware then drops records, and counts them)\n"
		"  -d, --duration T   stop after T (ns/us/ms/s; bare = s)\n"
		"  -c, --count N      stop once the firmware has received N messages\n"
		"  -o, --output DIR   the run directory (default rplat-observe-YYYYmmdd-HHMMSS)\n"
		"  --label TEXT       the run's label\n"
		"  --sim-truth OPTS   tests: the sim's counter options (hz=,drift=,offset=) to check the clock\n"
		"                     mapping against (run.json clock.sim_truth)\n"
		"  --read-syscalls    take the application's reads from its doorbell read()/recv() syscalls instead of\n"
		"                     a uretprobe on its rplat_link_recv() (the sim and qemu links can take a reply\n"
		"                     from shared memory without a syscall: those replies are then unseen)\n"
		"  --no-sched         record only the application's syscalls and the kprobes: no scheduling or IRQ\n"
		"                     events, no trace/ and no verdicts (the extra events, ~10k/s on a quiet\n"
		"                     2-CPU VM, cost observe ~2%% of a CPU to read; the README has the figures)\n"
		"  --worst N          the analysis explains the N slowest messages (10)\n"
		"  --threshold US     and every message whose round trip exceeds US microseconds\n"
		"  -q, --quiet        no summary (and no verdicts on stdout)\n"
		"\n"
		"Exit: 0 written, 2 usage or input error (or the trace analysis failed: the run is written without\n"
		"verdicts), 3 the application, its region or its ring could not be\n"
		"used (a ring refused for a corrupt header: nothing is written).\n");
}

int cmd_observe(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },      { "link", required_argument, NULL, 'L' },
		{ "da", required_argument, NULL, 'D' },       { "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' }, { "count", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },   { "label", required_argument, NULL, 'l' },
		{ "sim-truth", required_argument, NULL, 'T' }, { "quiet", no_argument, NULL, 'q' },
		{ "read-syscalls", no_argument, NULL, 'S' },  { "rproc", required_argument, NULL, 'R' },
		{ "debugfs", required_argument, NULL, 'F' },  { "mem", required_argument, NULL, 'M' },
		{ "no-sched", no_argument, NULL, 'N' },       { "worst", required_argument, NULL, 'W' },
		{ "threshold", required_argument, NULL, 't' },       { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rplat_observe_opts o;
	char err[1024], cmdline[1024];
	size_t len = 0;
	uint64_t v;
	int c, i, rc;

	rplat_observe_opts_init(&o);
	for (i = 0; i < argc && len + 2 < sizeof(cmdline); i++)
		len += (size_t)snprintf(cmdline + len, sizeof(cmdline) - len, "%s%s", i ? " " : "rplat ", argv[i]);
	o.command = cmdline;
	while ((c = getopt_long(argc, argv, "p:L:r:d:c:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (rplat_parse_u64(optarg, &v) || v == 0 || v > 0x7FFFFFFF)
				goto bad;
			o.pid = (pid_t)v;
			break;
		case 'L':
			o.link = optarg;
			break;
		case 'D':
			if (rplat_parse_u64(optarg, &v) || v > 0xFFFFFFFFull)
				goto bad;
			o.da = (uint32_t)v;
			break;
		case 'r': {
			char *e;

			o.rate_hz = strtod(optarg, &e);
			if (*e || !(o.rate_hz >= 0) || o.rate_hz > 100000)
				goto bad;
			break;
		}
		case 'd':
			if (rplat_parse_duration(optarg, &o.duration_ns) || o.duration_ns <= 0)
				goto bad;
			break;
		case 'c':
			if (rplat_parse_u64(optarg, &o.count) || !o.count)
				goto bad;
			break;
		case 'o':
			o.out_dir = optarg;
			break;
		case 'l':
			o.label = optarg;
			break;
		case 'T':
			o.sim_truth = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'S':
			o.read_probe = 0;
			break;
		case 'N':
			o.sched = 0;
			break;
		case 'W':
			if (rplat_parse_u64(optarg, &v) || v > 1000000)
				goto bad;
			o.worst = (int)v;
			break;
		case 't': {
			char *e;
			double us = strtod(optarg, &e);

			if (*e || !(us > 0) || us > 1e9)
				goto bad;
			o.threshold_ns = (int64_t)(us * 1000);
			break;
		}
		case 'R':
			o.rproc = optarg;
			break;
		case 'F':
			o.debugfs = optarg;
			break;
		case 'M':
			o.mem = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "rplat observe: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	rc = rplat_observe_run(&o, err, sizeof(err));
	if (rc)
		fprintf(stderr, "rplat observe: %s\n", err);
	return rc;
bad:
	fprintf(stderr, "rplat observe: bad value '%s' for %s\n", optarg, argv[optind - 1]);
	return 2;
}
