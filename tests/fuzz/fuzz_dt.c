/* fuzz-sources: host-tools/lib/dt_check.c host-tools/lib/rsc_parse.c host-tools/lib/rsc_check.c host-tools/lib/ring_check.c host-tools/lib/elf_fw.c host-tools/lib/findings.c host-tools/lib/json.c host-tools/lib/util.c */
/* libFuzzer target for the device-tree checks (host-tools/lib/dt_check.c): the input is a .dtb as
 * `rplat check dt --dtb` would read it.
 *
 * Each input is checked alone and cross-checked with the TI-style resource table (two vrings of 256, a
 * trace buffer), once with the node picked automatically and once by name, so that the pool arithmetic
 * and the memory-map merge run on hostile reg values too. Findings must stay printable. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/dt.h"
#include "rplat/rsc.h"

static struct rplat_fw *ti_fw(uint32_t num)
{
	struct rplat_rsc_table t = RPLAT_RSC_TABLE_INIT(0x31000, 0x1000, "");
	struct rplat_fw *fw;

	t.vring0.num = t.vring1.num = num;
	t.vring1.da = 0x9cb40000u;
	if (rplat_fw_parse(&t, sizeof(t), "am62-mcu-m4f0_0-fw", &fw) < 0)
		return NULL;
	return fw;
}

static void check_printable(const struct rplat_findings *fs)
{
	size_t i, k;

	for (i = 0; i < fs->n; i++) {
		const char *parts[] = { fs->item[i].rule, fs->item[i].field, fs->item[i].value, fs->item[i].why };

		for (k = 0; k < 4; k++) {
			const char *s = parts[k];

			for (; *s; s++)
				if (*s < 0x20 || *s > 0x7e)
					abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rplat_fw *fw;
	struct rplat_dt_opts o = { NULL, NULL, "am62x-m4f" };
	struct rplat_dt_report rep;
	struct rplat_findings fs;
	struct rplat_dt *dt;
	int pass;

	if (!fw)
		fw = ti_fw(256);
	if (rplat_dt_load_blob(data, size, "fuzz.dtb", &dt) < 0)
		return 0;
	for (pass = 0; pass < 4; pass++) {
		o.fw = pass ? fw : NULL;
		o.node = pass == 2 ? "m4fss" : NULL;
		o.memmap = pass == 3 ? NULL : "am62x-m4f"; /* NULL: the map chosen by the node's compatible */
		rplat_findings_init(&fs);
		rplat_dt_check(dt, &o, &rep, &fs);
		check_printable(&fs);
		if (rep.chosen >= (int)rep.nrproc || rep.nregion > RPLAT_DT_MAX_REGIONS)
			abort();
		rplat_findings_free(&fs);
	}
	rplat_dt_free(dt);
	return 0;
}
