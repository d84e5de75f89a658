/* fuzz-sources: tracing/sysenv.c host-tools/lib/json.c host-tools/lib/util.c */
/* libFuzzer target for the system-facts parsers of the trace verdicts (tracing/sysenv.c): the
 * preemption model from its five sources (rplat_sysenv_preempt_from) and capture.json's "system" object
 * read back (rplat_sysenv_from_json).
 *
 * Input: up to six parts separated by the 4 bytes "\n%%\n": /sys/kernel/realtime, the debugfs preempt
 * file, /proc/cmdline, the kernel log, uname -v, then a JSON text for the "system" object. A missing
 * part is NULL (absent), an empty one "".
 *
 * Contract: no crash; the model is "" or one of the names the kernel uses (or "none/voluntary"), its
 * source is set whenever the model is, every string is NUL-terminated inside its buffer, and
 * rplat_sysenv_preempts() agrees with the model; the JSON reader leaves the struct the same shape. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/json.h"
#include "sysenv.h"

static int known(const char *m)
{
	static const char *const ok[] = { "", "none", "voluntary", "none/voluntary", "full", "lazy", "rt" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(m, ok[i]))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *part[6] = { NULL }, *p;
	struct rplat_sysenv e;
	int n = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (p = buf; n < 6; n++) {
		char *sep = strstr(p, "\n%%\n");

		part[n] = p;
		if (!sep) {
			n++;
			break;
		}
		*sep = 0;
		p = sep + 4;
	}
	rplat_sysenv_init(&e);
	rplat_sysenv_preempt_from(&e, part[0], part[1], part[2], part[3], part[4]);
	if (!known(e.preempt) || (e.preempt[0] && !e.preempt_source[0]) ||
	    !memchr(e.preempt_source, 0, sizeof(e.preempt_source)) || !memchr(e.preempt_build, 0, sizeof(e.preempt_build)))
		abort();
	if ((rplat_sysenv_preempts(&e) == -1) != !e.preempt[0])
		abort();
	if (part[5]) {
		char err[128];
		struct rplat_json *j = rplat_json_parse(part[5], strlen(part[5]), err, sizeof(err));

		if (j) {
			rplat_sysenv_from_json(&e, j);
			if (!memchr(e.preempt, 0, sizeof(e.preempt)) || !memchr(e.cpuidle, 0, sizeof(e.cpuidle)) ||
			    !memchr(e.guest_source, 0, sizeof(e.guest_source)) || e.guest < -1 || e.guest > 1)
				abort();
			rplat_json_free(j);
		}
	}
	free(buf);
	return 0;
}
