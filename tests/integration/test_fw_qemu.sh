#!/bin/bash
# The real probe ELF in the loop: rplat over the qemu link (qemu-system-arm -machine mps2-an386).
#   - >= 1,000 pings of several sizes, 0 lost, monotonic remote stamps, a correct INFO (target, counter,
#     build-id equal to the ELF's);
#   - hostile descriptors of every class posted by a harness on the live link: counted, answered, and
#     the probe keeps working;
#   - stream mode: messages arrive at the configured rate (the probe's timer periods, from t_due);
#   - rplat check coherency passes against the real firmware;
#   - a firmware that never announces gets a clear error within its boot timeout; bad link strings and
#     images are refused with messages naming them; no QEMU outlives rplat.
. "$TOP/tests/integration/lib.sh"

CROSS=${CROSS_COMPILE_FW:-arm-none-eabi-}
command -v qemu-system-arm >/dev/null || skip "qemu-system-arm not installed (Debian: qemu-system-arm)"
command -v "${CROSS}gcc" >/dev/null || skip "${CROSS}gcc not installed (Debian: gcc-arm-none-eabi)"
make --no-print-directory -C "$TOP/probe-fw" TARGET=qemu-mps2-an386 >"$TMPDIR/build.log" 2>&1 ||
    { cat "$TMPDIR/build.log"; fail "firmware build failed"; }
# a private copy, so that a leftover QEMU can be recognised by its command line
elf=$TMPDIR/probe.elf
cp "$TOP/probe-fw/build/qemu-mps2-an386/rplat-probe.elf" "$elf"
no_qemu_left() {
    sleep 0.2
    if pgrep -f "qemu-system-arm.*$TMPDIR" >/dev/null; then pgrep -af "qemu-system-arm.*$TMPDIR"; fail "a QEMU outlived rplat"; fi
}

echo "== ping: 1200 messages of 40, 256 and 496 bytes"
"$RPLAT" ping -L "qemu:$elf,console=$TMPDIR/console.txt" -l 1200 -s 40,256,496 -i 100 -q -o "$TMPDIR/ping" ||
    fail "rplat ping over qemu exited $?"
no_qemu_left
run=$TMPDIR/ping/run.json
jassert "$run" 'd["counts"]["sent"] == 1200 and d["counts"]["received"] == 1200'
# (skipped_slots: send-grid slots that passed while a reply was out, not a fault)
jassert "$run" 'all(v == 0 for k, v in d["counts"].items() if k not in ("sent", "received", "skipped_slots"))'
jassert "$run" 'd["link"]["type"] == "qemu"'
jassert "$run" 'd["firmware"]["target"] == "qemu-mps2-an386" and d["firmware"]["counter_hz"] == 25000000'
jassert "$run" 'd["firmware"]["proto_version"] == 1 and d["firmware"]["features"] == 3'
jassert "$run" 'all(v == 0 for k, v in d["firmware"]["counters"].items() if k.startswith("bad_") or k == "tx_no_buf")'
bid=$("${CROSS}readelf" -n "$elf" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
[ "$(jget "$run" 'd["firmware"]["build_id"]')" = "$bid" ] || fail "INFO build_id != the ELF's ($bid)"
python3 - "$TMPDIR/ping/samples.tsv" <<'PY' || fail "remote stamps"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
assert len(rows) == 1200, len(rows)
assert {r["size"] for r in rows} == {"40", "256", "496"}
prev = -1
for r in rows:
    assert r["status"] == "ok", r
    k, c, p = int(r["r_kick"]), int(r["r_consume"]), int(r["r_reply"])
    assert k <= c <= p, r            # within a message
    assert p > prev, (prev, r)       # across messages
    prev = p
print("stamps: 1200 ok, t_kick <= t_consume <= t_reply, t_reply strictly increasing")
PY
grep -q "announced rpmsg-raw and rpmsg_chrdev on port 14" "$TMPDIR/console.txt" ||
    { cat "$TMPDIR/console.txt"; fail "the probe's console log lacks the attach line"; }

echo "== hostile descriptors on the live link"
san=
nm "$BUILD/librplat.a" 2>/dev/null | grep -q __asan_report && san="-fsanitize=address,undefined"
# the libraries the top Makefile links rplat with (static librplat pulls in only what the link needs)
libs="$(pkg-config --libs libtracefs libtraceevent libelf libtracecmd 2>/dev/null || true) -lfdt"
cat >"$TMPDIR/hostile.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rplat/link.h"
#include "rplat/vdrv.h"

struct rplat_vdrv *rplat_link_qemu_vdrv(struct rplat_link *l);

static int info(struct rplat_link *l, struct rplat_counters *c)
{
	struct rplat_hdr h = { RPLAT_MAGIC, RPLAT_PROTO_VERSION, RPLAT_INFO_REQ, sizeof(h), 0, 1, 0 };
	struct rplat_info in;

	for (int tries = 0; tries < 5; tries++) {
		ssize_t n;

		if (rplat_link_send(l, &h, sizeof(h)))
			return -1;
		while ((n = rplat_link_recv(l, &in, sizeof(in), 1000000000ll)) > 0)
			if (n == sizeof(in) && in.hdr.type == RPLAT_INFO_RESP) {
				memcpy(c, &in.counters, sizeof(*c));
				return 0;
			}
	}
	return -1;
}

/* The raw posts used descriptors behind the driver's back: once the probe has returned them all, take
 * its used ring as read and every TX buffer as free again. */
static int resync(struct rplat_vdrv *d, uint16_t used_target)
{
	for (int i = 0; i < 2000 && __atomic_load_n(&d->tx.used->idx, __ATOMIC_ACQUIRE) != used_target; i++)
		usleep(1000);
	if (d->tx.used->idx != used_target)
		return -1;
	d->tx.last_used = used_target;
	d->tx_nfree = 0;
	for (uint16_t i = 0; i < d->tx.num; i++)
		d->tx_free[d->tx_nfree++] = (uint16_t)(d->tx.num - 1 - i);
	return 0;
}

/* Post one bad descriptor and wait until the probe has returned it (they share descriptor slots). */
static int one(struct rplat_vdrv *d, uint16_t id, uint64_t addr, uint32_t len, uint16_t flags)
{
	uint16_t used = __atomic_load_n(&d->tx.used->idx, __ATOMIC_ACQUIRE);

	rplat_vdrv_post_raw(d, id, addr, len, flags);
	for (int i = 0; i < 2000 && __atomic_load_n(&d->tx.used->idx, __ATOMIC_ACQUIRE) == used; i++)
		usleep(1000);
	if (d->tx.used->idx == used) {
		fprintf(stderr, "descriptor %u (addr 0x%llx len %u flags %u) never came back\n", id,
			(unsigned long long)addr, len, flags);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char spec[600], err[512];
	struct rplat_link *l;
	struct rplat_vdrv *d;
	struct rplat_counters a, b;
	uint64_t good;
	uint16_t used;
	int ok = 0;

	snprintf(spec, sizeof(spec), "qemu:%s", argc > 1 ? argv[1] : "");
	l = rplat_link_open(spec, err, sizeof(err));
	if (!l) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	d = rplat_link_qemu_vdrv(l);
	if (!d || info(l, &a))
		goto out;
	if (resync(d, d->tx.used->idx))
		goto out;
	good = (uint64_t)d->da + d->buf_off + (uint64_t)(d->nbufs / 2 + 200) * 512; /* an idle TX buffer */
	used = d->tx.used->idx;
	if (one(d, 300, good, 64, 0) ||                           /* index out of range */
	    one(d, 3, 0x20000000u, 64, 0) ||                      /* address below the shared memory */
	    one(d, 3, (uint64_t)d->da + d->size - 32, 64, 0) ||   /* runs off its end */
	    one(d, 3, 0xFFFFFFFFFFFFFFF0ull, 64, 0) ||            /* wraps */
	    one(d, 3, good, 4096, 0) ||                           /* longer than a buffer */
	    one(d, 3, good, 8, 0) ||                              /* shorter than the RPMsg header */
	    one(d, 3, good, 64, VRING_DESC_F_NEXT) ||             /* chained */
	    one(d, 3, good, 64, VRING_DESC_F_INDIRECT))           /* indirect */
		goto out;
	if (resync(d, (uint16_t)(used + 8))) {
		fprintf(stderr, "the probe did not return the 8 bad descriptors\n");
		goto out;
	}
	/* an avail index that jumps by more than the ring holds */
	d->tx.avail_idx = (uint16_t)(d->tx.avail_idx + 1000);
	__atomic_store_n(&d->tx.avail->idx, d->tx.avail_idx, __ATOMIC_RELEASE);
	d->kick(d->kick_ctx, 1);
	usleep(300000);
	if (info(l, &b))
		goto out;
	printf("counted: index %u, addr %u, len %u, short %u, chain %u, avail jump %u\n",
	       b.bad_desc_index - a.bad_desc_index, b.bad_desc_addr - a.bad_desc_addr, b.bad_desc_len - a.bad_desc_len,
	       b.bad_desc_short - a.bad_desc_short, b.bad_desc_chain - a.bad_desc_chain, b.bad_avail_idx - a.bad_avail_idx);
	if (b.bad_desc_index - a.bad_desc_index != 1 || b.bad_desc_addr - a.bad_desc_addr != 3 ||
	    b.bad_desc_len - a.bad_desc_len != 1 || b.bad_desc_short - a.bad_desc_short != 1 ||
	    b.bad_desc_chain - a.bad_desc_chain != 2 || b.bad_avail_idx - a.bad_avail_idx != 1)
		goto out;
	/* still healthy */
	for (uint32_t seq = 0; seq < 200; seq++) {
		uint8_t m[100] = { 0 }, in[512];
		struct rplat_ping *p = (void *)m;
		ssize_t n;

		p->hdr = (struct rplat_hdr){ RPLAT_MAGIC, RPLAT_PROTO_VERSION, RPLAT_PING, sizeof(m), 0, seq, 0 };
		if (rplat_link_send(l, m, sizeof(m)))
			goto out;
		n = rplat_link_recv(l, in, sizeof(in), 2000000000ll);
		if (n != sizeof(m) || ((struct rplat_ping *)(void *)in)->hdr.seq != seq) {
			fprintf(stderr, "ping %u after the hostile descriptors: %zd bytes\n", seq, n);
			goto out;
		}
	}
	printf("200 pings after them: ok\n");
	ok = 1;
out:
	rplat_link_close(l);
	return ok ? 0 : 1;
}
C
# shellcheck disable=SC2086
gcc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror $san -I"$TOP/probe-fw/include" -I"$TOP/probe-fw/core" \
    -I"$TOP/probe-fw/targets/host" -I"$TOP/host-tools/include" -o "$TMPDIR/hostile" "$TMPDIR/hostile.c" \
    "$BUILD/librplat.a" $libs -lm -lpthread || fail "cannot build the hostile-descriptor harness"
"$TMPDIR/hostile" "$elf" || fail "hostile descriptors on the qemu link"
no_qemu_left

echo "== stream: 500 messages every 2 ms"
rc=0
"$RPLAT" stream -L "qemu:$elf" -i 2000 -n 500 -s 64 -q -o "$TMPDIR/stream" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "rplat stream over qemu exited $rc"
no_qemu_left
run=$TMPDIR/stream/run.json
jassert "$run" 'd["counts"]["expected"] == 500 and d["counts"]["received"] + d["counts"]["lost"] == 500'
jassert "$run" 'd["counts"]["overruns"] == 0 and d["counts"]["corrupt"] == 0 and d["counts"]["duplicate"] == 0'
jassert "$run" 'd["counts"]["received"] == 500 and d["counts"]["lost"] == 0'
# The rate is the probe timer's: the t_due steps are 2 ms. A QEMU vCPU starved on a loaded host merges
# expiries (a step of 2+ periods, no message lost), and QEMU then re-arms its timer late; those steps are
# reported, not failed on: the median step and most steps must be one period.
python3 - "$TMPDIR/stream/samples.tsv" <<'PY' || fail "stream rate"
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t") if r["status"] == "ok"]
due = [int(r["r_due"]) for r in rows]
period = 25_000_000 * 2000 // 1_000_000           # ticks at the probe's 25 MHz
assert [int(r["seq"]) for r in rows] == list(range(500))
steps = sorted(b - a for a, b in zip(due, due[1:]))
median = steps[len(steps) // 2]
exact = sum(abs(s - period) <= period // 20 for s in steps)
assert abs(median - period) <= period // 100, median
assert exact >= len(steps) // 2, exact
print(f"stream: 500 messages, median t_due step {median / 25:.2f} us (2000 configured), {exact} of {len(steps)} "
      f"steps within 5% of a period, the others from a busy vCPU")
PY

echo "== rplat check coherency against the real firmware"
"$RPLAT" check coherency --link "qemu:$elf" --rounds 2 >"$TMPDIR/coh.txt" || { cat "$TMPDIR/coh.txt"; fail "coherency check exited $?"; }
grep -q "verdict: clean" "$TMPDIR/coh.txt" || { cat "$TMPDIR/coh.txt"; fail "coherency verdict"; }
grep -q "host->probe 256/256" "$TMPDIR/coh.txt" || { cat "$TMPDIR/coh.txt"; fail "coherency slot coverage"; }
tail -3 "$TMPDIR/coh.txt"
no_qemu_left

echo "== a firmware that never announces"
# the same image with its reset vector pointing at the fault handler: it loads, then sleeps forever
hang=$TMPDIR/hang.elf
cp "$elf" "$hang"
vec_off=$("${CROSS}readelf" -SW "$hang" | sed -n 's/^ *\[ *[0-9]*\] *//p' | awk '$1 == ".vectors" { print $4 }')
fault=$(( 16#$("${CROSS}nm" "$hang" | awk '$3 == "cm_fault" { print $1 }') | 1 ))
printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((fault & 255)) $(((fault >> 8) & 255)) $(((fault >> 16) & 255)) $(((fault >> 24) & 255)))" |
    dd of="$hang" bs=1 seek=$((16#$vec_off + 4)) conv=notrunc status=none
start=$(date +%s)
rc=0
"$RPLAT" ping -L "qemu:$hang,boot=2s" -l 10 -q -o "$TMPDIR/hang" 2>"$TMPDIR/hang.err" || rc=$?
cat "$TMPDIR/hang.err"
[ "$rc" -ne 0 ] || fail "a silent firmware did not fail the run"
[ $(($(date +%s) - start)) -le 10 ] || fail "the boot timeout took too long"
grep -q "did not announce" "$TMPDIR/hang.err" || fail "no clear error for a silent firmware"
[ ! -e "$TMPDIR/hang/run.json" ] || fail "a run directory was written for a link that never opened"
no_qemu_left

echo "== bad link strings and images"
rc=0; "$RPLAT" ping -L "qemu:$TMPDIR/missing.elf" -l 1 -q -o "$TMPDIR/x1" 2>"$TMPDIR/e1" || rc=$?
[ "$rc" -ne 0 ] && grep -q "missing.elf" "$TMPDIR/e1" || { cat "$TMPDIR/e1"; fail "a missing image"; }
rc=0; "$RPLAT" ping -L "qemu:$TOP/probe-fw/build/am62x-m4f/am62-mcu-m4f0_0-fw" -l 1 -q -o "$TMPDIR/x2" 2>"$TMPDIR/e2" || rc=$?
if [ -f "$TOP/probe-fw/build/am62x-m4f/am62-mcu-m4f0_0-fw" ]; then
    [ "$rc" -ne 0 ] && grep -q "outside the shared PSRAM" "$TMPDIR/e2" || { cat "$TMPDIR/e2"; fail "an image for another board"; }
fi
rc=0; "$RPLAT" ping -L "qemu:$elf,frobnicate=1" -l 1 -q -o "$TMPDIR/x3" 2>"$TMPDIR/e3" || rc=$?
[ "$rc" -ne 0 ] && grep -q "frobnicate" "$TMPDIR/e3" || { cat "$TMPDIR/e3"; fail "an unknown option"; }
rc=0; "$RPLAT" ping -L "qemu:$elf,qemu=/nonexistent/qemu" -l 1 -q -o "$TMPDIR/x4" 2>"$TMPDIR/e4" || rc=$?
[ "$rc" -ne 0 ] && grep -q "/nonexistent/qemu" "$TMPDIR/e4" || { cat "$TMPDIR/e4"; fail "a missing QEMU binary"; }
cat "$TMPDIR"/e[1-4]
no_qemu_left
echo PASS
