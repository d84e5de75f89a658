/* Benchmarks of the rplat hooks' ring, host side (printed by tests/bench/bench_stream.sh, never asserted).
 *
 *   bench_ring drain                 host drain rate: records/s one CPU drains (the hooks fill a ring in
 *                                    this process, rplat_ring_drain empties it; both in cache, so an upper
 *                                    bound for a ring in uncached shared memory)
 *   (the sim's side of the streaming comparison is the user's own command, `rplat ring -L sim:stream=HZ`)
 *   bench_ring qemu ELF SECONDS D    the same against the QEMU example firmware built with ECHO_STREAM_HZ
 *                                    (make -C probe-fw TARGET=qemu-echo ECHO_STREAM_HZ=N), reached through
 *                                    the qemu link; QEMU has no true clock to compare with, so the latency
 *                                    is above the fastest sample's (the stamps mapped at the nominal 25 MHz,
 *                                    offset so that the fastest sample took 0): a lower bound on the spread.
 * Output: one "key value" line per figure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "rplat/hist.h"
#include "rplat/hooks.h"
#include "rplat/link.h"
#include "rplat/ring.h"
#include "rplat/rsc.h"
#include "rplat/simlink.h"
#include "rplat/util.h"

#define NREC 4096u

static uint64_t fake_t;

static uint64_t fake_counter(void *ctx)
{
	(void)ctx;
	return ++fake_t;
}

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int bench_drain(void)
{
	static union {
		uint8_t b[RPLAT_RING_HDR_SIZE + NREC * RPLAT_RING_REC_SIZE];
		uint64_t align;
	} mem;
	static struct rplat_ring_rec out[NREC];
	struct rplat_ring_reader r;
	char err[256];
	int64_t busy = 0, t0;
	uint64_t total = 0;
	size_t n;
	unsigned round, i;

	rplat_hooks_init(mem.b, sizeof(mem.b), 1000000000, 1, fake_counter, NULL);
	if (rplat_ring_attach(&r, mem.b, sizeof(mem.b), err, sizeof(err))) {
		fprintf(stderr, "bench_ring: %s\n", err);
		return 1;
	}
	for (round = 0; round < 2000; round++) {
		for (i = 0; i < NREC; i++)
			rplat_mark(1, i);
		t0 = rplat_now_ns();
		if (rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)) != RPLAT_RING_OK || n != NREC) {
			fprintf(stderr, "bench_ring: drain: %s (%zu)\n", err, n);
			return 1;
		}
		busy += rplat_now_ns() - t0;
		total += n;
	}
	printf("drain_ns_per_record %.2f\n", (double)busy / (double)total);
	printf("drain_records_per_s %.0f\n", (double)total * 1e9 / (double)busy);
	return 0;
}

/* The qemu link's shared PSRAM, found as rplat observe finds it: our own memfd "rplat-qemu-psram". */
static uint8_t *qemu_psram(size_t *size)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	uint8_t *m = NULL;

	while (d && (de = readdir(d))) {
		char p[300], l[128];
		ssize_t n;

		snprintf(p, sizeof(p), "/proc/self/fd/%s", de->d_name);
		n = readlink(p, l, sizeof(l) - 1);
		if (n <= 0)
			continue;
		l[n] = '\0';
		if (!strncmp(l, "/memfd:rplat-qemu-psram", 23)) {
			int fd = open(p, O_RDWR | O_CLOEXEC);

			*size = 16u << 20;
			m = fd < 0 ? NULL : mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (fd >= 0)
				close(fd);
			if (m == MAP_FAILED)
				m = NULL;
			break;
		}
	}
	if (d)
		closedir(d);
	return m;
}

static int bench_qemu(const char *elf, double seconds, double drains_hz)
{
	static struct rplat_ring_rec out[NREC];
	struct rplat_ring_reader r;
	struct rplat_rsc rsc;
	struct rplat_link *l;
	char spec[512], err[256];
	uint8_t *psram;
	size_t size, i, n, nlat = 0, cap = 1 << 16;
	uint32_t ring_da = 0, ring_len = 0;
	int64_t t_end, next, period = (int64_t)(1e9 / drains_hz), cpu0, wall0;
	double *lat = malloc(cap * sizeof(*lat)), best = 1e300;
	uint64_t got = 0;
	int rc = 1;

	snprintf(spec, sizeof(spec), "qemu:%s", elf);
	l = rplat_link_open(spec, err, sizeof(err));
	if (!l || !lat) {
		fprintf(stderr, "bench_ring: %s\n", l ? "out of memory" : err);
		free(lat);
		return 1;
	}
	psram = qemu_psram(&size);
	if (!psram || rplat_rsc_parse(&rsc, psram, 4096))
		goto out;
	for (i = 0; i < rsc.nentry; i++)
		if (rsc.entry[i].type == RSC_CARVEOUT && !strcmp(rsc.entry[i].name, RPLAT_RING_RSC_NAME)) {
			ring_da = rsc.entry[i].da;
			ring_len = rsc.entry[i].len;
		}
	rplat_rsc_release(&rsc);
	if (!ring_len || rplat_ring_attach(&r, psram + (ring_da - 0x21000000u), ring_len, err, sizeof(err))) {
		fprintf(stderr, "bench_ring: no ring: %s\n", ring_len ? err : "no carveout");
		goto out;
	}
	while (rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)) == RPLAT_RING_OK && n)
		;
	wall0 = rplat_now_ns();
	cpu0 = thread_cpu_ns();
	t_end = wall0 + (int64_t)(seconds * 1e9);
	next = wall0 + period;
	while (rplat_now_ns() < t_end) {
		int64_t now = rplat_now_ns();
		struct timespec ts;

		if (now < next) {
			ts.tv_sec = (next - now) / 1000000000;
			ts.tv_nsec = (next - now) % 1000000000;
			nanosleep(&ts, NULL);
			continue;
		}
		next += period;
		do {
			int64_t t;

			if (rplat_ring_drain(&r, out, NREC, &n, err, sizeof(err)) != RPLAT_RING_OK) {
				fprintf(stderr, "bench_ring: %s\n", err);
				goto out;
			}
			t = rplat_now_ns();
			for (i = 0; i < n; i++) {
				double d;

				if (out[i].event != RPLAT_EV_MARK || out[i].len != 2)
					continue;
				got++;
				d = (double)t - (double)out[i].t * (1e9 / (double)r.counter_hz);
				if (nlat == cap) {
					double *nl = realloc(lat, 2 * cap * sizeof(*lat));

					if (!nl)
						continue;
					lat = nl;
					cap *= 2;
				}
				lat[nlat++] = d;
				if (d < best)
					best = d;
			}
		} while (n == NREC);
	}
	{
		double wall = (double)(rplat_now_ns() - wall0), cpu = (double)(thread_cpu_ns() - cpu0);
		struct rplat_hist h;

		rplat_hist_init(&h);
		for (i = 0; i < nlat; i++)
			rplat_hist_add(&h, (uint64_t)(lat[i] - best));
		printf("delivered_hz %.1f\n", (double)got * 1e9 / wall);
		printf("drops %llu\n", (unsigned long long)rplat_ring_drops(&r));
		printf("latency_p50_ns %llu\n", (unsigned long long)rplat_hist_percentile(&h, 50));
		printf("latency_p99_ns %llu\n", (unsigned long long)rplat_hist_percentile(&h, 99));
		printf("latency_max_ns %llu\n", (unsigned long long)h.max);
		printf("cpu_percent %.3f\n", 100.0 * cpu / wall);
	}
	rc = 0;
out:
	free(lat);
	rplat_link_close(l);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "drain"))
		return bench_drain();
	if (argc == 5 && !strcmp(argv[1], "qemu"))
		return bench_qemu(argv[2], atof(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: bench_ring drain | qemu ELF SECONDS DRAINS_HZ\n");
	return 2;
}
