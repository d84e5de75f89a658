/* fuzz-sources: host-tools/lib/hist.c */
/* libFuzzer target for the histogram text reader (host-tools/lib/hist.c).
 *
 * Every input must either be read or fail with "PATH: line N: FIELD: what", leaving the histogram
 * untouched. A histogram that reads is written back and read again; the two must be equal bit for bit,
 * and its percentiles must stay within [min, max].
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -Iprobe-fw/include -Ihost-tools/include \
 *         tests/fuzz/fuzz_hist.c host-tools/lib/hist.c -lm -o fuzz_hist
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/hist.h"

static struct rplat_hist h, k, before;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "", *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (size == 0)
		return 0; /* fmemopen refuses a zero-length buffer */
	f = fmemopen((void *)data, size, "r");
	if (!f)
		abort();
	rplat_hist_init(&h);
	memcpy(&before, &h, sizeof(h));
	rc = rplat_hist_read(&h, f, "fuzz.hist", err, sizeof(err));
	fclose(f);
	if (rc < 0) {
		if (strncmp(err, "fuzz.hist: line ", 16) != 0 || memcmp(&h, &before, sizeof(h)) != 0)
			abort();
		return 0;
	}
	if (h.count) {
		static const double ps[] = { 0.01, 50, 99, 99.99, 100 };

		for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
			uint64_t p = rplat_hist_percentile(&h, ps[i]);

			if (p < h.min || p > h.max)
				abort();
		}
		(void)rplat_hist_stddev(&h);
	}
	f = open_memstream(&buf, &len);
	if (!f || rplat_hist_write(&h, "fuzz", f) != 0)
		abort();
	fclose(f);
	f = fmemopen(buf, len, "r");
	if (!f || rplat_hist_read(&k, f, "again", err, sizeof(err)) != 0 || memcmp(&h, &k, sizeof(h)) != 0)
		abort();
	fclose(f);
	free(buf);
	return 0;
}
