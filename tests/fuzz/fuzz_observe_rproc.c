/* fuzz-sources: host-tools/lib/observe_rproc.c host-tools/lib/util.c */
/* libFuzzer target for the parser of remoteproc's debugfs carveout list (rplat observe on a board,
 * host-tools/lib/observe_rproc.c): any bytes as the file. Found means a named entry with a DMA address,
 * a device address and a non-zero length within 4 GiB; a refusal always says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rplat/observe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rplat_obs_carveout co;
	char err[256] = "";
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	if (rplat_obs_carveout_find(text, size, "rplat-ring", &co, err, sizeof(err)) == 0) {
		if (strcmp(co.name, "rplat-ring") || co.len == 0 || co.len > (1ull << 32))
			abort();
	} else if (!err[0]) {
		abort();
	}
	free(text);
	return 0;
}
