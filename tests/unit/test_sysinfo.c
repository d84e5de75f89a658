/* rplat_sysinfo_read_at(): the kernel settings a run records in run.json's system object, read from a
 * fake root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

#include "rplat/sysinfo.h"
#include "suite_tmpdir.h"

static char top[256];

static int setup(void **state)
{
	(void)state;
	return suite_tmpdir_make(top, sizeof(top), "sysinfo");
}

static int teardown(void **state)
{
	(void)state;
	return suite_tmpdir_remove(top);
}

static void put(const char *root, const char *path, const char *text)
{
	assert_int_equal(suite_put_file(root, path + 1, text), 0); /* path is absolute: "/proc/cmdline" */
}

static void mkroot(char *root, size_t n, const char *name)
{
	char cmd[600];

	snprintf(root, n, "%s/%s", top, name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", root, root);
	assert_int_equal(system(cmd), 0);
}

static void test_settings_read(void **state)
{
	struct rplat_sysinfo si;
	struct utsname u;
	char root[300], p[400];

	(void)state;
	assert_int_equal(uname(&u), 0);
	mkroot(root, sizeof(root), "full");
	put(root, "/proc/cmdline", "console=ttyS0 isolcpus=1 nohz_full=1 threadirqs\n");
	snprintf(p, sizeof(p), "/boot/config-%s", u.release);
	put(root, p, "# comment\nCONFIG_HZ_250=y\nCONFIG_HZ=250\nCONFIG_PREEMPT_RT=y\n");
	put(root, "/sys/devices/system/clocksource/clocksource0/current_clocksource", "arch_sys_counter\n");
	put(root, "/sys/devices/system/cpu/cpuidle/current_driver", "psci_idle\n");
	put(root, "/sys/devices/system/cpu/smt/control", "on\n");
	put(root, "/sys/devices/system/cpu/smt/active", "1\n");
	put(root, "/proc/sys/kernel/sched_rt_runtime_us", "-1\n");
	rplat_sysinfo_read_at(&si, root);
	assert_string_equal(si.cmdline, "console=ttyS0 isolcpus=1 nohz_full=1 threadirqs");
	assert_string_equal(si.config_hz, "250");
	assert_string_equal(si.clocksource, "arch_sys_counter");
	assert_string_equal(si.cpuidle, "psci_idle");
	assert_string_equal(si.smt, "on (active)");
	assert_string_equal(si.sched_rt_runtime_us, "-1");
}

/* /proc/config.gz when /boot has no config; SMT without an active file */
static void test_config_gz(void **state)
{
	struct rplat_sysinfo si;
	char root[300], cmd[400];

	(void)state;
	mkroot(root, sizeof(root), "gz");
	put(root, "/proc/config", "CONFIG_HZ=1000\n");
	snprintf(cmd, sizeof(cmd), "gzip '%s/proc/config'", root);
	assert_int_equal(system(cmd), 0);
	put(root, "/sys/devices/system/cpu/smt/control", "notsupported\n");
	rplat_sysinfo_read_at(&si, root);
	assert_string_equal(si.config_hz, "1000");
	assert_string_equal(si.smt, "notsupported");
}

/* nothing readable: every setting empty (run.json writes null, the report says "not recorded") */
static void test_nothing_there(void **state)
{
	struct rplat_sysinfo si;
	char root[300];

	(void)state;
	mkroot(root, sizeof(root), "empty");
	rplat_sysinfo_read_at(&si, root);
	assert_string_equal(si.cmdline, "");
	assert_string_equal(si.config_hz, "");
	assert_string_equal(si.clocksource, "");
	assert_string_equal(si.cpuidle, "");
	assert_string_equal(si.smt, "");
	assert_string_equal(si.sched_rt_runtime_us, "");
	assert_string_equal(si.governor, "none");
}

/* The device tree's compatible: NUL-separated strings, which put() cannot write. */
static void put_compatible(const char *root, const char *list, size_t len)
{
	char p[400];
	FILE *f;

	put(root, "/sys/firmware/devicetree/base/compatible", ""); /* its directories */
	snprintf(p, sizeof(p), "%s/sys/firmware/devicetree/base/compatible", root);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(list, 1, len, f), len);
	fclose(f);
}

/* Issue 11: is this a virtual machine, and how was it told (rplat_sysenv_guest_at(), which the trace capture
 * uses too)? The device tree's compatible list (NUL-separated strings, linux,dummy-virt not first), DMI's
 * sys_vendor then product_name, cpuinfo's hypervisor flag, /sys/hypervisor/type, a device-tree /hypervisor
 * node, in that order; a board's tree, an unknown vendor and a flags line without the flag say nothing. */
static void test_virtual_machine(void **state)
{
	static const char dt_virt[] = "vendor,board\0linux,dummy-virt\0", dt_board[] = "ti,am625-sk\0ti,am625\0";
	struct rplat_sysinfo si;
	char root[300];

	(void)state;
	mkroot(root, sizeof(root), "vm_dt");
	put(root, "/sys/class/dmi/id/sys_vendor", "QEMU\n");
	put_compatible(root, dt_virt, sizeof(dt_virt) - 1);
	rplat_sysinfo_read_at(&si, root);
	assert_string_equal(si.virt, "QEMU virt (device tree: linux,dummy-virt)");

	mkroot(root, sizeof(root), "vm_board");
	put_compatible(root, dt_board, sizeof(dt_board) - 1);
	put(root, "/proc/cpuinfo", "processor\t: 0\nFeatures\t: fp asimd evtstrm\n");
	rplat_sysinfo_read_at(&si, root);
	assert_string_equal(si.virt, "");

	mkroot(root, sizeof(root), "vm_dmi");
	put(root, "/sys/class/dmi/id/sys_vendor", "QEMU\n");
	put(root, "/proc/cpuinfo", "flags\t\t: fpu vme hypervisor\n");
	rplat_sysinfo_read_at(&si, root);
	assert_string_equal(si.virt, "QEMU (DMI sys_vendor)");

	mkroot(root, sizeof(root), "vm_flag");
	put(root, "/sys/class/dmi/id/sys_vendor", "Dell Inc.\n");
	put(root, "/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr hypervisor lahf_lm\n");
	rplat_sysinfo_read_at(&si, root);
	assert_string_equal(si.virt, "a hypervisor (cpuinfo flag)");

	mkroot(root, sizeof(root), "vm_product");
	put(root, "/sys/class/dmi/id/sys_vendor", "Dell Inc.\n");
	put(root, "/sys/class/dmi/id/product_name", "VMware Virtual Platform\n");
	rplat_sysinfo_read_at(&si, root);
	assert_string_equal(si.virt, "VMware Virtual Platform (DMI product_name)");

	mkroot(root, sizeof(root), "vm_xen");
	put(root, "/sys/hypervisor/type", "xen\n");
	rplat_sysinfo_read_at(&si, root);
	assert_string_equal(si.virt, "xen (/sys/hypervisor/type)");

	mkroot(root, sizeof(root), "vm_dtnode");
	put(root, "/sys/firmware/devicetree/base/hypervisor/compatible", "xen,xen");
	rplat_sysinfo_read_at(&si, root);
	assert_string_equal(si.virt, "a hypervisor (device tree /hypervisor node)");

	mkroot(root, sizeof(root), "vm_none");
	put(root, "/sys/class/dmi/id/sys_vendor", "Dell Inc.\n");
	put(root, "/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr lahf_lm\n");
	rplat_sysinfo_read_at(&si, root);
	assert_string_equal(si.virt, "");
}

/* the JSON: an unread setting is null, a read one its text */
static void test_json(void **state)
{
	struct rplat_sysinfo si;
	struct rplat_jw jw;
	char root[300], *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	mkroot(root, sizeof(root), "json");
	put(root, "/sys/devices/system/clocksource/clocksource0/current_clocksource", "tsc\n");
	rplat_sysinfo_read_at(&si, root);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	rplat_jw_init(&jw, f);
	rplat_jw_obj_begin(&jw, NULL);
	rplat_sysinfo_json(&si, &jw);
	rplat_jw_obj_end(&jw);
	fclose(f);
	assert_non_null(strstr(buf, "\"clocksource\": \"tsc\""));
	assert_non_null(strstr(buf, "\"cmdline\": null"));
	assert_non_null(strstr(buf, "\"config_hz\": null"));
	assert_non_null(strstr(buf, "\"virtual_machine\": null"));
	/* check system ran on the same root: its findings name the fake root's missing files */
	assert_non_null(strstr(buf, "\"check\": {"));
	assert_non_null(strstr(buf, "\"findings\": ["));
	assert_non_null(strstr(buf, root));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settings_read),
		cmocka_unit_test(test_config_gz),
		cmocka_unit_test(test_nothing_there),
		cmocka_unit_test(test_json), cmocka_unit_test(test_virtual_machine),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
