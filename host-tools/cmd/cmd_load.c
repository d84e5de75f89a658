/* rplat load: run a command (or just wait) under a named load profile, and stop the load afterwards. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "rplat/load.h"
#include "rplat/util.h"

static volatile sig_atomic_t got_signal;
static volatile pid_t cmd_pid;

static void on_signal(int sig)
{
	got_signal = sig;
	if (cmd_pid > 0 && sig != SIGINT && sig != SIGQUIT)
		kill(cmd_pid, sig); /* Ctrl-C reaches the command through the terminal already */
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rplat load [-o DIR] [--avoid CPUS] [-D TIME] PROFILE [-- COMMAND [ARGS...]]\n"
		"       rplat load --list | --show PROFILE | --check PROFILE\n"
		"\n"
		"Start the load PROFILE, run COMMAND under it (or wait for -D TIME or Ctrl-C), stop the load and\n"
		"exit with COMMAND's exit status (128+N when it died of signal N).\n"
		"\n"
		"  PROFILE         none, cpu, io, mixed, rteval, or a profile file (format: rplat load --list,\n"
		"                  README \"Reports, comparisons, budgets and load\")\n"
		"  -o, --output DIR  keep the results in DIR/load/ (load.json, cyclictest.hist/.json, logs)\n"
		"  --avoid CPUS    CPU list the measurement uses: cyclictest (cpus=other) stays off it\n"
		"  -D, --duration TIME  without COMMAND: run the load this long (default: until Ctrl-C)\n"
		"  --list          print the built-in profiles\n"
		"  --show PROFILE  print the command lines PROFILE would run\n"
		"  --check PROFILE parse PROFILE and report the first error (FILE:LINE:COL)\n");
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' }, { "avoid", required_argument, NULL, 'A' },
		{ "duration", required_argument, NULL, 'D' }, { "list", no_argument, NULL, 'L' },
		{ "show", required_argument, NULL, 'S' },   { "check", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *avoid = NULL, *show = NULL, *check = NULL;
	int64_t duration = 0;
	struct rplat_load *load = NULL;
	struct sigaction sa;
	char err[512];
	int c, rc = 0, status;

	while ((c = getopt_long(argc, argv, "+o:D:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'A':
			avoid = optarg;
			break;
		case 'D':
			if (rplat_parse_duration(optarg, &duration) || duration <= 0) {
				fprintf(stderr, "rplat load: bad duration '%s'\n", optarg);
				return 2;
			}
			break;
		case 'L':
			rplat_load_list(stdout);
			return 0;
		case 'S':
			show = optarg;
			break;
		case 'C':
			check = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (show || check) { /* after every option, so that --avoid applies wherever it is given */
		if (show ? rplat_load_show(show, avoid, stdout, err, sizeof(err)) : rplat_load_check(check, err, sizeof(err))) {
			fprintf(stderr, "rplat %s%s\n", strncmp(err, "load", 4) ? "load: " : "", err);
			return 2;
		}
		if (check)
			printf("%s: ok\n", check);
		return 0;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	{
		const char *profile = argv[optind++];
		char **cmd = NULL;

		if (optind < argc) {
			if (strcmp(argv[optind], "--") || optind + 1 >= argc) {
				fprintf(stderr, "rplat load: expected '-- COMMAND [ARGS...]' after the profile\n");
				return 2;
			}
			cmd = &argv[optind + 1];
		}
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGQUIT, &sa, NULL);
		if (rplat_load_start(profile, out, avoid, &load, err, sizeof(err))) {
			fprintf(stderr, "rplat %s%s\n", strncmp(err, "load", 4) ? "load: " : "", err);
			return 2;
		}
		if (got_signal) {
			rc = 128 + got_signal;
		} else if (cmd) {
			pid_t pid;

			fflush(NULL);
			pid = fork();
			if (pid == 0) {
				prctl(PR_SET_PDEATHSIG, SIGTERM); /* rplat killed: the command goes too */
				signal(SIGINT, SIG_DFL);
				signal(SIGQUIT, SIG_DFL);
				signal(SIGTERM, SIG_DFL);
				signal(SIGHUP, SIG_DFL);
				execvp(cmd[0], cmd);
				fprintf(stderr, "rplat load: cannot run %s: %s\n", cmd[0], strerror(errno));
				_exit(127);
			}
			if (pid < 0) {
				fprintf(stderr, "rplat load: fork: %s\n", strerror(errno));
				rc = 2;
			} else {
				cmd_pid = pid;
				while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
					;
				cmd_pid = 0;
				rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			}
		} else {
			int64_t end = duration ? rplat_now_ns() + duration : 0;
			struct timespec ts = { 0, 50000000 };

			while (!got_signal && (!end || rplat_now_ns() < end))
				nanosleep(&ts, NULL);
			rc = got_signal ? 128 + got_signal : 0;
			if (got_signal == SIGINT)
				rc = 0; /* Ctrl-C is the normal end of an open-ended load */
		}
		if (rplat_load_stop(load, err, sizeof(err))) {
			fprintf(stderr, "rplat %s%s\n", strncmp(err, "load", 4) ? "load: " : "", err);
			if (!rc)
				rc = 2;
		}
		rplat_load_print_summary(load, stderr);
		rplat_load_free(load);
	}
	return rc;
}
