/* Option and link-string parsing: units, key=value lists, sim options, ping's command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rplat/ping.h"
#include "rplat/util.h"
#include "sim_probe.h"

static void test_units(void **state)
{
	int64_t ns;
	uint64_t u;
	double ppm;

	(void)state;
	assert_int_equal(rplat_parse_duration("10", &ns), 0);
	assert_int_equal(ns, 10000000000ll);
	assert_int_equal(rplat_parse_duration("5m", &ns), 0);
	assert_int_equal(ns, 300000000000ll);
	assert_int_equal(rplat_parse_duration("2h", &ns), 0);
	assert_int_equal(ns, 7200000000000ll);
	assert_int_equal(rplat_parse_duration("1d", &ns), 0);
	assert_int_equal(ns, 86400000000000ll);
	assert_int_equal(rplat_parse_duration("250ms", &ns), 0);
	assert_int_equal(ns, 250000000);
	assert_int_equal(rplat_parse_time_us("20", &ns), 0);
	assert_int_equal(ns, 20000);
	assert_int_equal(rplat_parse_time_us("1.5ms", &ns), 0);
	assert_int_equal(ns, 1500000);
	assert_int_equal(rplat_parse_time_us("500ns", &ns), 0);
	assert_int_equal(ns, 500);
	assert_int_equal(rplat_parse_time_us("20US", &ns), 0);
	assert_int_equal(ns, 20000);
	assert_int_equal(rplat_parse_time_us("-5", &ns), -1);
	assert_int_equal(rplat_parse_time_us("5 us", &ns), -1);
	assert_int_equal(rplat_parse_time_us("fast", &ns), -1);
	assert_int_equal(rplat_parse_time_us("", &ns), -1);
	assert_int_equal(rplat_parse_time_us("1e400", &ns), -1);
	assert_int_equal(rplat_parse_duration("3w", &ns), -1);
	assert_int_equal(rplat_parse_freq("400M", &u), 0);
	assert_int_equal(u, 400000000);
	assert_int_equal(rplat_parse_freq("400MHz", &u), 0);
	assert_int_equal(u, 400000000);
	assert_int_equal(rplat_parse_freq("32k", &u), 0);
	assert_int_equal(u, 32000);
	assert_int_equal(rplat_parse_freq("0", &u), -1);
	assert_int_equal(rplat_parse_ppm("100ppm", &ppm), 0);
	assert_true(ppm == 100.0);
	assert_int_equal(rplat_parse_ppm("-50", &ppm), 0);
	assert_true(ppm == -50.0);
	assert_int_equal(rplat_parse_ppm("1e9", &ppm), -1);
	assert_int_equal(rplat_parse_bytes("1M", &u), 0);
	assert_int_equal(u, 1048576);
	assert_int_equal(rplat_parse_bytes("1.5", &u), -1);
	assert_int_equal(rplat_parse_u64("0x10", &u), 0);
	assert_int_equal(u, 16);
	assert_int_equal(rplat_parse_u64("-1", &u), -1);
	assert_int_equal(rplat_parse_u64("12abc", &u), -1);
}

static void test_kv(void **state)
{
	struct rplat_kv kv;
	char err[128], big[600];

	(void)state;
	assert_int_equal(rplat_kv_parse(&kv, "hz=400M,spin,cpu=1", err, sizeof(err)), 0);
	assert_int_equal(kv.n, 3);
	assert_string_equal(kv.key[0], "hz");
	assert_string_equal(kv.val[0], "400M");
	assert_string_equal(kv.key[1], "spin");
	assert_string_equal(kv.val[1], "");
	assert_int_equal(rplat_kv_parse(&kv, "", err, sizeof(err)), 0);
	assert_int_equal(kv.n, 0);
	assert_int_equal(rplat_kv_parse(&kv, "=5", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty option name"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(rplat_kv_parse(&kv, big, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(rplat_kv_parse(&kv, "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,A,B,C,D,E,F,G", err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "too many"));
}

static void test_sim_opts(void **state)
{
	struct rplat_sim_opts o;
	char err[128];

	(void)state;
	rplat_sim_opts_init(&o);
	assert_int_equal(o.hz, 400000000);
	assert_int_equal(rplat_sim_opt(&o, "drift", "100ppm", err, sizeof(err)), 0);
	assert_int_equal(rplat_sim_opt(&o, "offset", "3s", err, sizeof(err)), 0);
	assert_int_equal(o.offset_ns, 3000000000ll);
	assert_int_equal(rplat_sim_opt(&o, "delay", "20us", err, sizeof(err)), 0);
	assert_int_equal(o.delay_ns, 20000);
	assert_int_equal(rplat_sim_opt(&o, "jitter", "5", err, sizeof(err)), 0);
	assert_int_equal(o.jitter_ns, 5000);
	assert_int_equal(rplat_sim_opt(&o, "cpu", "1", err, sizeof(err)), 0);
	assert_int_equal(o.cpu, 1);
	assert_int_equal(rplat_sim_opt(&o, "fifo", "0", err, sizeof(err)), -1);
	assert_int_equal(rplat_sim_opt(&o, "shm", "1k", err, sizeof(err)), -1);
	assert_int_equal(rplat_sim_opt(&o, "bogus", "1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown sim option 'bogus'"));
	assert_int_equal(rplat_sim_opt(&o, "hz", "fast", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad value 'fast'"));
	assert_int_equal(rplat_sim_opt(&o, "da", "0xFFFFF000", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "32-bit"));
	/* the sim's true mapping and its inverse agree */
	rplat_sim_opts_init(&o);
	rplat_sim_opt(&o, "drift", "100ppm", err, sizeof(err));
	rplat_sim_opt(&o, "offset", "3s", err, sizeof(err));
	{
		int64_t raw = 123456789012345ll;
		uint64_t t = rplat_sim_counter_at(&o, raw);

		assert_true(t > (uint64_t)((raw + 3000000000ll) * 0.4));
		assert_true(rplat_sim_raw_at(&o, t) - (double)raw < 3.0 && rplat_sim_raw_at(&o, t) - (double)raw > -3.0);
	}
}

static int parse(struct rplat_ping_opts *o, const char *line)
{
	char buf[512], *argv[32], *save = NULL, *tok;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	rplat_ping_opts_init(o);
	return rplat_ping_parse(o, argc, argv);
}

static void test_ping_cmdline(void **state)
{
	struct rplat_ping_opts o;

	(void)state;
	assert_int_equal(parse(&o, "ping"), 0);
	assert_string_equal(o.link, "sim");
	assert_int_equal(o.interval_ns, 1000000);
	assert_int_equal(o.nsizes, 1);
	assert_int_equal(o.sizes[0], 40);
	assert_int_equal(o.dma_latency, 0);
	assert_int_equal(parse(&o, "ping -L rpmsg:/dev/rpmsg0 -l 100 -i 250 -p 80 -a 0 -m -q -h 400 --json x.json"), 0);
	assert_string_equal(o.link, "rpmsg:/dev/rpmsg0");
	assert_int_equal(o.loops, 100);
	assert_int_equal(o.interval_ns, 250000);
	assert_int_equal(o.priority, 80);
	assert_int_equal(o.affinity, 0);
	assert_int_equal(o.mlockall, 1);
	assert_int_equal(o.quiet, 1);
	assert_int_equal(o.hist_us, 400);
	assert_string_equal(o.json_path, "x.json");
	assert_int_equal(parse(&o, "ping -s 40,64,100-300:100 -D 5m --timeout 20ms --no-dma-latency"), 0);
	assert_int_equal(o.nsizes, 5);
	assert_int_equal(o.sizes[2], 100);
	assert_int_equal(o.sizes[4], 300);
	assert_int_equal(o.duration_ns, 300000000000ll);
	assert_int_equal(o.timeout_ns, 20000000);
	assert_int_equal(o.dma_latency, -1);
	assert_int_equal(parse(&o, "ping --dma-latency 10 --max-silent 7 --label rt -o out --no-samples"), 0);
	assert_int_equal(o.dma_latency, 10);
	assert_int_equal(o.max_silent, 7);
	assert_string_equal(o.label, "rt");
	assert_string_equal(o.out_dir, "out");
	assert_int_equal(o.no_samples, 1);
	/* bad values and unknown options are errors */
	assert_int_equal(parse(&o, "ping -s 39"), -1);
	assert_int_equal(parse(&o, "ping -s 497"), -1);
	assert_int_equal(parse(&o, "ping -s 300-100"), -1);
	assert_int_equal(parse(&o, "ping -s 40-496:1"), -1); /* more than 64 sizes */
	assert_int_equal(parse(&o, "ping -l 0"), -1);
	assert_int_equal(parse(&o, "ping -p 100"), -1);
	assert_int_equal(parse(&o, "ping -D forever"), -1);
	assert_int_equal(parse(&o, "ping --timeout 0"), -1);
	assert_int_equal(parse(&o, "ping --frobnicate"), -1);
	assert_int_equal(parse(&o, "ping -l"), -1);
	assert_int_equal(parse(&o, "ping stray"), -1);
	/* a CPU this process cannot run on (issue 10 item 8) */
	assert_int_equal(parse(&o, "ping -a 1023"), -1);
}

/* --warm-up: a bare count is messages, a time needs its unit (issue 10 item 15) */
static void test_warm_up(void **state)
{
	struct rplat_ping_opts o;
	uint64_t n;
	int64_t ns;

	(void)state;
	assert_int_equal(parse(&o, "ping"), 0);
	assert_int_equal(o.warm_up, 0);
	assert_int_equal(o.warm_up_ns, 0);
	assert_int_equal(parse(&o, "ping --warm-up 100"), 0);
	assert_int_equal(o.warm_up, 100);
	assert_int_equal(o.warm_up_ns, 0);
	assert_int_equal(parse(&o, "ping --warm-up 2s"), 0);
	assert_int_equal(o.warm_up, 0);
	assert_int_equal(o.warm_up_ns, 2000000000ll);
	assert_int_equal(parse(&o, "ping --warm-up 500ms"), 0);
	assert_int_equal(o.warm_up_ns, 500000000ll);
	assert_int_equal(parse(&o, "ping --warm-up 1m"), 0);
	assert_int_equal(o.warm_up_ns, 60000000000ll);
	assert_int_equal(rplat_warm_up_parse("0", &n, &ns), 0);
	assert_int_equal(n, 0);
	assert_int_equal(rplat_warm_up_parse("1.5", &n, &ns), -1); /* neither a count nor a unit */
	assert_int_equal(rplat_warm_up_parse("", &n, &ns), -1);
	assert_int_equal(rplat_warm_up_parse("-3", &n, &ns), -1);
	assert_int_equal(rplat_warm_up_parse("5x", &n, &ns), -1);
	assert_int_equal(rplat_warm_up_parse("0s", &n, &ns), -1);
	assert_int_equal(rplat_warm_up_parse("2d", &n, &ns), -1); /* over a day */
	assert_int_equal(rplat_warm_up_parse("1000000000001", &n, &ns), -1);
	assert_int_equal(parse(&o, "ping --warm-up"), -1);
}

static void test_cpu_usable(void **state)
{
	char list[96];

	(void)state;
	assert_int_equal(rplat_cpu_usable(-1, list, sizeof(list)), 0);
	assert_int_equal(rplat_cpu_usable(100000, list, sizeof(list)), 0);
	assert_true(list[0] >= '0' && list[0] <= '9'); /* at least one CPU, listed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_kv),
		cmocka_unit_test(test_sim_opts),
		cmocka_unit_test(test_ping_cmdline),
		cmocka_unit_test(test_warm_up),
		cmocka_unit_test(test_cpu_usable),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
