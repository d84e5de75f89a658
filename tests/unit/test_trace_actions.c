/* Unit tests for --on-threshold parsing (tracing/trace_hooks.c): rplat's own forms and rtla's
 * (issue 10 item 17: "shell,command=/path" used to run "command=/path" as a shell variable assignment,
 * and "signal,num=N,pid=parent" was refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "trace_hooks.h"

static void parse_ok(struct rplat_trace_opts *o, const char *s)
{
	char err[256] = "";

	rplat_trace_opts_init(o);
	if (rplat_trace_parse_action(o, s, err, sizeof(err)))
		fail_msg("'%s' refused: %s", s, err);
}

static void parse_bad(const char *s, const char *why)
{
	struct rplat_trace_opts o;
	char err[256] = "";

	rplat_trace_opts_init(&o);
	assert_int_equal(rplat_trace_parse_action(&o, s, err, sizeof(err)), -1);
	if (!strstr(err, why))
		fail_msg("'%s': error '%s' does not say '%s'", s, err, why);
}

static void test_rtla_shell_command(void **state)
{
	struct rplat_trace_opts o;

	(void)state;
	parse_ok(&o, "shell,command=/usr/local/bin/dump.sh --fast");
	assert_true(o.actions & RPLAT_ACT_SHELL);
	assert_string_equal(o.action_shell, "/usr/local/bin/dump.sh --fast");
	parse_ok(&o, "shell,echo hi,continue");
	assert_string_equal(o.action_shell, "echo hi");
	assert_true(o.action_continue);
	parse_ok(&o, "shell,command=touch x,continue");
	assert_string_equal(o.action_shell, "touch x");
	parse_bad("shell,command=", "empty");
}

static void test_rtla_signal(void **state)
{
	struct rplat_trace_opts o;

	(void)state;
	parse_ok(&o, "signal,num=10,pid=parent");
	assert_true(o.actions & RPLAT_ACT_SIGNAL);
	assert_int_equal(o.action_signal, 10);
	assert_int_equal(o.action_pid, 0);
	parse_ok(&o, "signal,num=12,pid=4321");
	assert_int_equal(o.action_signal, 12);
	assert_int_equal(o.action_pid, 4321);
	parse_ok(&o, "signal,USR2");
	assert_int_equal(o.action_signal, SIGUSR2);
	assert_int_equal(o.action_pid, 0);
	parse_ok(&o, "signal");
	assert_int_equal(o.action_signal, SIGUSR1);
	parse_ok(&o, "signal,pid=parent,num=SIGHUP,continue");
	assert_int_equal(o.action_signal, SIGHUP);
	assert_true(o.action_continue);
	parse_bad("signal,num=99", "not a signal");
	parse_bad("signal,num=10,pid=me", "pid=");
	parse_bad("signal,USR1,USR2", "a second signal");
}

static void test_trace_forms(void **state)
{
	struct rplat_trace_opts o;

	(void)state;
	parse_ok(&o, "trace");
	assert_true(o.actions & RPLAT_ACT_TRACE);
	parse_ok(&o, "continue");
	assert_true(o.action_continue);
	parse_bad("trace,file=x.txt", "RUN/trace");
	parse_bad("mail,root", "expected trace");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtla_shell_command),
		cmocka_unit_test(test_rtla_signal),
		cmocka_unit_test(test_trace_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
