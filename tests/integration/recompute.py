#!/usr/bin/env python3
"""Recompute a run's figures from its samples.tsv and check what rplat report / budget / compare / merge
printed against them (tests/integration/test_report_honest.sh). Exits 1 with the difference."""
import html, json, math, os, re, sys


def load(run):
    """Messages of run/samples.tsv, one per message (a legacy lost-then-late pair is one late message)."""
    with open(os.path.join(run, "samples.tsv")) as f:
        head = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(head, l.rstrip("\n").split("\t"))) for l in f]
    msgs, where = [], {}
    for r in rows:
        key = (r.get("run", "0"), r["seq"])
        if r["status"] == "late" and key in where and msgs[where[key]]["status"] == "lost":
            msgs[where[key]] = r
            continue
        where[key] = len(msgs)
        msgs.append(r)
    return [m for m in msgs if m["status"] != "warmup"]


def answered(msgs, col="rtt"):
    return sorted(int(m[col]) for m in msgs if m["status"] in ("ok", "late") and m[col] != "nan")


def rank(p, n):
    return max(1, math.ceil(p / 100.0 * n * (1 - 1e-12)))


def exact(v, p):
    return v[rank(p, len(v)) - 1]


def bucket(v, vmin, vmax):
    """The [lo, hi] of v's histogram bucket (rplat/hist.h: 7 sub-bits), clamped to the exact min and max."""
    shift = max((v | 127).bit_length() - 1 - 6, 0)
    lo = (v >> shift) << shift
    return max(lo, vmin), min(lo + (1 << shift) - 1, vmax)


def fmt_ns(ns):
    a = abs(ns)
    if a < 1e3:
        return "%.0f ns" % ns
    if a < 1e6:
        return "%.2f us" % (ns / 1e3)
    if a < 1e9:
        return "%.3f ms" % (ns / 1e6)
    return "%.3f s" % (ns / 1e9)


def parse_ns(s):
    m = re.match(r"^\s*(-?[0-9.]+) (ns|us|ms|s)\s*$", s)
    assert m, "not a time: %r" % s
    return float(m.group(1)) * {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[m.group(2)]


def check(cond, msg):
    if not cond:
        print("MISMATCH: " + msg)
        sys.exit(1)


def cmd_headline(run, page):
    msgs = load(run)
    v = answered(msgs)
    text = html.unescape(re.sub(r"<[^>]+>", "", open(page).read()))
    m = re.search(r"Of the (\d+) answered messages[^:]*: half took less than ([^,]+), 99% less than ([^,]+), "
                  r"99\.9% less than ([^;]+); the slowest took ([^(]+?) \(message (\d+)", text)
    check(m, "no headline with the slowest message")
    check(int(m.group(1)) == len(v), "headline count %s, samples %d answered" % (m.group(1), len(v)))
    check(m.group(5).strip() == fmt_ns(v[-1]), "slowest %s, samples %s" % (m.group(5), fmt_ns(v[-1])))
    worst = max((m2 for m2 in msgs if m2["status"] in ("ok", "late")), key=lambda x: int(x["rtt"]))
    check(m.group(6) == worst["seq"], "slowest message %s, samples %s" % (m.group(6), worst["seq"]))
    for g, p in ((2, 50), (3, 99), (4, 99.9)):
        got, want = parse_ns(m.group(g)), exact(v, p)
        check(abs(got - want) <= want / 64 + 10, "p%g %s, samples %d" % (p, m.group(g), want))
    print("headline ok: %d answered, slowest %s (seq %s)" % (len(v), fmt_ns(v[-1]), worst["seq"]))


def rows(path):
    return [l.split("\t") for l in open(path).read().splitlines() if l and not l.startswith("#")]


def cmd_overtime(run, rep):
    msgs = load(run)
    lost = [m for m in msgs if m["status"] == "lost"]
    late = [m for m in msgs if m["status"] == "late"]
    ans = [m for m in msgs if m["status"] in ("ok", "late")]
    lr, tr = rows(rep + "/data/r0_lost.dat"), rows(rep + "/data/r0_late.dat")
    check(len(lr) == min(len(lost), 2000), "%d lost points, samples %d lost" % (len(lr), len(lost)))
    check(len(tr) == min(len(late), 2000), "%d late points, samples %d late" % (len(tr), len(late)))
    t = rows(rep + "/data/r0_time.dat")
    check(sum(int(r[4]) for r in t) == len(ans), "bins hold %d replies, samples %d" % (sum(int(r[4]) for r in t),
                                                                                         len(ans)))
    check(sum(int(r[5]) for r in t) <= len(msgs) - len(ans), "bins' no-reply count")
    gp = open(rep + "/plots.gp").read()
    m = re.search(r"set xrange \[0:([0-9.e+-]+)\]", gp)
    check(m, "the over-time plot has no x range")
    if "run" in ans[0]:
        end = len(msgs) - 1
    else:
        end = (int(msgs[-1]["t_send"]) - int(msgs[0]["t_send"])) / 1e9
    check(abs(float(m.group(1)) - end) <= 1e-6 * max(1, end), "x axis ends at %s, the run at %s" % (m.group(1), end))
    print("over time ok: %d replies, %d late, %d lost, x to %s" % (len(ans), len(late), len(lost), m.group(1)))


def cmd_budget(run, out):
    msgs = load(run)
    meta = json.load(open(run + "/run.json"))
    sent = meta["counts"]["sent"]
    v = answered(msgs)
    n = 0
    for line in open(out):
        m = re.match(r"^(PASS|FAIL|UNDECIDED)\s+rtt\.p([0-9.]+) (<=|<) (\S+)\s+(\S+ \S+?)(?:\.\.(\S+ \S+))?\s{2,}(.*)$",
                     line)
        if not m:
            continue
        p, lim = float(m.group(2)), parse_ns(re.sub(r"(ns|us|ms|s)$", r" \1", m.group(4)))
        want = exact(v, p)
        lo = parse_ns(m.group(5))
        hi = parse_ns(m.group(6)) if m.group(6) else lo
        tol = 10 + want * 5e-4  # the printed bounds are rounded to 3-4 significant digits
        check(lo - tol <= want <= hi + tol, "p%g in %s..%s, samples %d" % (p, m.group(5), m.group(6), want))
        blo, bhi = bucket(want, v[0], v[-1])  # where the histogram knows the percentile to lie, exactly
        if "exact from samples.tsv" in m.group(7):
            # the limit fell inside the bucket: the budget took the percentile itself from the samples
            check(blo <= lim <= bhi, "p%g taken exactly, but the limit is outside its bucket" % p)
            check(abs(lo - want) <= 10 + want * 5e-4, "exact p%g %s, samples %d" % (p, m.group(5), want))
            verdict = "PASS" if want <= lim else "FAIL"
        else:
            check(abs(blo - lo) <= 10 + blo * 5e-4 and abs(bhi - hi) <= 10 + bhi * 5e-4,
                  "p%g bounds %s..%s, its bucket %d..%d" % (p, m.group(5), m.group(6), blo, bhi))
            verdict = "PASS" if bhi <= lim else "FAIL" if blo > lim else "UNDECIDED"
        check(m.group(1) == verdict, "%s: %s, expected %s" % (line.strip(), m.group(1), verdict))
        check(("over %d of %d messages" % (len(v), sent)) in m.group(7), "population in %r" % m.group(7))
        n += 1
    check(n > 0, "no rtt percentile rule in the budget output")
    print("budget ok: %d percentile rules" % n)


def cmd_histbars(run, dat):
    """Integer bars that add up to the answered messages, each within the buckets' width of the samples."""
    v = answered(load(run))
    bars = rows(dat)
    for b in bars:
        check(re.fullmatch(r"[0-9]+", b[1]), "bar at %s us holds %r messages (not a whole number)" % (b[0], b[1]))
    check(sum(int(b[1]) for b in bars) == len(v), "bars hold %d, samples %d" % (sum(int(b[1]) for b in bars), len(v)))
    for b in bars:
        lo, hi, n = float(b[2]) * 1e3, float(b[3]) * 1e3, int(b[1])
        w = 1 / 64  # a bucket is at most 1/64 of its lower edge wide: it can straddle a bar's edge by that much
        inside = sum(1 for x in v if lo <= x < hi)
        out = sum(1 for x in v if lo <= x < lo * (1 + w) or hi * (1 - w) <= x < hi)
        into = sum(1 for x in v if lo * (1 - w) <= x < lo or hi <= x < hi * (1 + w))
        check(inside - out <= n <= inside + into, "bar %s..%s us: %d, samples %d (-%d/+%d at the edges)" % (
            b[2], b[3], n, inside, out, into))
    print("histogram bars ok: %d bars, %d messages" % (len(bars), len(v)))


def cmd_stream(run, page):
    """A stream's interarrival near the period: the deviation figures against the samples, exactly."""
    meta = json.load(open(run + "/run.json"))
    period = round(meta["options"]["interval_us"] * 1000)
    with open(run + "/samples.tsv") as f:
        head = f.readline().rstrip("\n").split("\t")
        msgs = [dict(zip(head, l.rstrip("\n").split("\t"))) for l in f]
    dev = sorted(int(m["interarrival"]) - period for m in msgs if m["status"] == "ok" and m["interarrival"] != "nan")
    text = html.unescape(re.sub(r"<[^>]+>", "", open(page).read()))
    m = re.search(r"Messages arrived every period of ([^;(]+?)(?: \(mean interarrival ([0-9.]+) us, exact\))?; the "
                  r"interarrival's deviation from it: median ([+-]?[^,]+), p1 ([+-]?[^,]+), p99 ([+-]?[^,]+), at most "
                  r"([^ ]+ [a-z]+) early and ([^ ]+ [a-z]+) late", text)
    check(m, "no deviation-from-period figures in the stream's glance")
    check(parse_ns(m.group(1)) == period, "period %s, run.json %d ns" % (m.group(1), period))
    for g, p in ((3, 50), (4, 1), (5, 99)):
        got, want = parse_ns(m.group(g).lstrip("+")), exact(dev, p)
        check(abs(got - want) <= abs(want) / 64 + abs(want) * 0.005 + 10, "deviation p%g %s, samples %d ns" % (p, m.group(g), want))
    early = -dev[0] if dev[0] < 0 else 0
    late = dev[-1] if dev[-1] > 0 else 0
    check(abs(parse_ns(m.group(6)) - early) <= early * 0.005 + 10, "max early %s, samples %d" % (m.group(6), early))
    check(abs(parse_ns(m.group(7)) - late) <= late * 0.005 + 10, "max late %s, samples %d" % (m.group(7), late))
    ok = [int(x["t_recv"]) for x in msgs if x["status"] == "ok"]
    if m.group(2):
        mean = (ok[-1] - ok[0]) / (len(ok) - 1) / 1e3
        check(abs(float(m.group(2)) - mean) <= mean * 1e-5, "mean interarrival %s us, samples %.6g" % (m.group(2), mean))
    print("stream ok: %d interarrivals, deviation p50 %d ns (page %s)" % (len(dev), exact(dev, 50), m.group(3)))


def cmd_jitter(run, page):
    """The jitter table's round trip: max - min exact, p99 - p50 in its stated range, from the samples."""
    v = answered(load(run))
    text = html.unescape(re.sub(r"<[^>]+>", "|", open(page).read()))
    m = re.search(r"\|round trip\|+([^|]+)\|+([^|(]+) \(([^|]+?)\.\.([^|)]+)\)\|", text[text.index("max - min"):])
    check(m, "no jitter table with the round trip")
    check(m.group(1).strip() == fmt_ns(v[-1] - v[0]), "max - min %s, samples %s" % (m.group(1), fmt_ns(v[-1] - v[0])))
    want = exact(v, 99) - exact(v, 50)
    lo, hi = parse_ns(m.group(3)), parse_ns(m.group(4))
    tol = 10 + max(want, hi) * 5e-4  # printed to 3-4 significant digits
    check(lo - tol <= want <= hi + tol, "p99 - p50 in %s..%s, samples %d" % (m.group(3), m.group(4), want))
    print("jitter ok: max - min %s, p99 - p50 %d ns in %s..%s" % (m.group(1), want, m.group(3), m.group(4)))


def cmd_compare(page, *runs):
    """compare's percentile table and runs table against each run's samples."""
    text = html.unescape(re.sub(r"<[^>]+>", "|", open(page).read()))
    for i, run in enumerate(runs):
        v = answered(load(run))
        late = sum(1 for m in load(run) if m["status"] == "late")
        L = chr(ord("A") + i)
        m = re.search(r"\|%s\|+[^|]*\|+%s\|+(\d+)\|+(\d+)\|" % (L, re.escape(run)), text)
        check(m, "no runs-table row for %s (%s)" % (L, run))
        check(int(m.group(1)) == len(v) and int(m.group(2)) == late,
              "%s: %s round trips, %s late; samples %d, %d" % (run, m.group(1), m.group(2), len(v), late))
    pt = text[text.index("|round trip|"):]
    for p in (50, 99, 99.9):
        m = re.search(r"\|p%g\|+(.*?)\|\|\s*\|" % p, pt, re.S) or re.search(r"\|p%g\|+([^\n]*)" % p, pt)
        check(m, "no p%g row in the percentile table" % p)
        cells = [c for c in m.group(1).split("|") if c.strip()]
        vals = [cells[0]] + cells[1::2]
        for i, run in enumerate(runs):
            v = answered(load(run))
            got, want = parse_ns(vals[i]), exact(v, p)
            check(abs(got - want) <= want / 64 + 10, "compare %s p%g %s, samples %d" % (run, p, vals[i], want))
    print("compare ok: %d runs" % len(runs))


def cmd_wakeup(run, page):
    """The sender's wakeup latency at a glance against samples.tsv's send_wakeup column."""
    msgs = load(run)
    v = sorted(int(m["send_wakeup"]) for m in msgs if m.get("send_wakeup", "nan") != "nan")
    text = html.unescape(re.sub(r"<[^>]+>", "", open(page).read()))
    m = re.search(r"The sender's own timer wakeup [^:]*: p50 ([^,]+), p99 ([^,]+), max ([^.]+\.[0-9]+ [a-z]+)\.", text)
    check(m and v, "no sender wakeup figures (or no send_wakeup column)")
    for g, p in ((1, 50), (2, 99)):
        got, want = parse_ns(m.group(g)), exact(v, p)
        check(abs(got - want) <= want / 64 + 10, "send_wakeup p%g %s, samples %d" % (p, m.group(g), want))
    check(m.group(3) == fmt_ns(v[-1]), "send_wakeup max %s, samples %s" % (m.group(3), fmt_ns(v[-1])))
    print("send_wakeup ok: %d messages, max %s" % (len(v), m.group(3)))


def main():
    cmd, run = sys.argv[1], sys.argv[2]
    if cmd == "compare":
        return cmd_compare(sys.argv[2], *sys.argv[3:])
    if cmd == "headline":
        cmd_headline(run, sys.argv[3])
    elif cmd == "overtime":
        cmd_overtime(run, sys.argv[3])
    elif cmd == "budget":
        cmd_budget(run, sys.argv[3])
    elif cmd == "histbars":
        cmd_histbars(run, sys.argv[3])
    elif cmd == "stream":
        cmd_stream(run, sys.argv[3])
    elif cmd == "jitter":
        cmd_jitter(run, sys.argv[3])
    elif cmd == "wakeup":
        cmd_wakeup(run, sys.argv[3])
    elif cmd == "bucketmid":
        v = answered(load(run))
        lo, hi = bucket(exact(v, float(sys.argv[3])), v[0], v[-1])
        print((lo + hi) // 2)
    elif cmd == "exact":
        print(exact(answered(load(run)), float(sys.argv[3])))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
