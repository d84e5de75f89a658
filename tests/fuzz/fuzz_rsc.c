/* fuzz-sources: host-tools/lib/rsc_parse.c host-tools/lib/rsc_check.c host-tools/lib/ring_check.c host-tools/lib/elf_fw.c host-tools/lib/findings.c host-tools/lib/json.c host-tools/lib/util.c */
/* libFuzzer target for the firmware-image and resource-table parser and checks (host-tools/lib/rsc_*.c,
 * elf_fw.c): the input is a file as `rplat check rsc` would read it, an ELF (by its magic) or a raw
 * table.
 *
 * Every input must parse and check without a crash or a leak, under both memory maps, and the findings
 * must hold: every text member printable ASCII, the counts at least the kept findings, the worst severity
 * matching the exit code. The text and JSON writers run too (into /dev/null). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/json.h"
#include "rplat/rsc.h"

static FILE *devnull;

static void check_printable(const char *s, size_t size)
{
	size_t i;

	for (i = 0; i < size && s[i]; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
	if (i == size)
		abort(); /* not NUL-terminated */
}

static void check_findings(const struct rplat_findings *fs)
{
	size_t i, kept[RPLAT_SEV_COUNT] = { 0 };

	for (i = 0; i < fs->n; i++) {
		const struct rplat_finding *f = &fs->item[i];

		if ((unsigned)f->sev >= RPLAT_SEV_COUNT)
			abort();
		kept[f->sev]++;
		check_printable(f->rule, sizeof(f->rule));
		check_printable(f->source, sizeof(f->source));
		check_printable(f->field, sizeof(f->field));
		check_printable(f->value, sizeof(f->value));
		check_printable(f->why, sizeof(f->why));
		check_printable(f->advice, sizeof(f->advice));
	}
	for (i = 0; i < RPLAT_SEV_COUNT; i++)
		if (fs->count[i] < kept[i])
			abort();
	if (fs->n > fs->max)
		abort();
	if (rplat_findings_exit_code(fs) != (rplat_findings_worst(fs) < 0 ? 0 : rplat_findings_worst(fs)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const maps[] = { "am62x-m4f", "stm32mp1-m4", "imx8mp-cm7", "vboard", "none" };
	struct rplat_findings fs;
	struct rplat_memmap mm;
	struct rplat_fw *fw;
	struct rplat_jw w;
	char desc[256];
	size_t i;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (rplat_fw_parse(data, size, "fuzz.elf", &fw) < 0)
		return 0;
	rplat_fw_describe(fw, desc, sizeof(desc));
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (rplat_memmap_get(maps[i], &mm) < 0)
			abort();
		rplat_findings_init(&fs);
		fs.max = 16; /* keeps hostile tables fast to check; the cap path runs all the same */
		rplat_fw_check(fw, &mm, &fs);
		check_findings(&fs);
		rplat_findings_write_text(devnull, &fs, RPLAT_SEV_INFO);
		rplat_jw_init(&w, devnull);
		rplat_jw_obj_begin(&w, NULL);
		rplat_findings_write_json(&w, &fs);
		rplat_jw_obj_end(&w);
		rplat_jw_finish(&w);
		rplat_findings_free(&fs);
	}
	rplat_fw_free(fw);
	return 0;
}
