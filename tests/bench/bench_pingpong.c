/* Baseline for the RTT-overhead benchmark: the least a round trip between two processes can cost with
 * the same mechanism the sim link uses (eventfd doorbells, a message in shared memory), pinned to the
 * same CPUs, with /dev/cpu_dma_latency held at 0. Prints the p50/p99 round trip in ns.
 *
 *   bench_pingpong [ROUNDS] [HOST_CPU] [PEER_CPU] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	int hcpu = argc > 2 ? atoi(argv[2]) : 0, pcpu = argc > 3 ? atoi(argv[3]) : 1;
	volatile uint8_t *shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int to_peer = eventfd(0, 0), to_host = eventfd(0, 0), dma = open("/dev/cpu_dma_latency", O_WRONLY);
	int32_t zero = 0;
	int64_t *rtt = calloc((size_t)n, sizeof(*rtt));
	uint64_t v = 1;
	pid_t pid;
	int i;

	if (shm == MAP_FAILED || to_peer < 0 || to_host < 0 || !rtt || n < 1)
		return 1;
	if (dma >= 0 && write(dma, &zero, sizeof(zero)) != sizeof(zero))
		fprintf(stderr, "bench_pingpong: cannot hold cpu_dma_latency\n");
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pin(pcpu);
		for (;;) {
			if (read(to_peer, &v, sizeof(v)) != sizeof(v))
				_exit(1);
			memcpy((uint8_t *)shm + 2048, (const uint8_t *)shm, 64); /* "reply": copy the message */
			if (write(to_host, &v, sizeof(v)) != sizeof(v))
				_exit(1);
		}
	}
	pin(hcpu);
	for (i = -1000; i < n; i++) { /* 1000 rounds of warm-up */
		int64_t t0 = now();

		memset((uint8_t *)shm, i & 0xff, 64);
		if (write(to_peer, &v, sizeof(v)) != sizeof(v) || read(to_host, &v, sizeof(v)) != sizeof(v))
			return 1;
		if (i >= 0)
			rtt[i] = now() - t0;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	qsort(rtt, (size_t)n, sizeof(*rtt), cmp);
	printf("%lld %lld\n", (long long)rtt[n / 2], (long long)rtt[n * 99 / 100]);
	return 0;
}
