#!/usr/bin/env python3
"""How a `rplat trace` run used the doorbell (mailbox) IRQ, from its exported events and its stages.

usage: mbox_irq_use.py EVENTS.txt STAGES.tsv IRQ   -> "IN USED MATCHED ENTRIES" on stdout

EVENTS.txt is `rplat trace export RUN --text`; IRQ the mailbox IRQ's number. IN: matched messages with an
irq_handler_entry of IRQ (named *mbox*) between their kick and their host wakeup (or, without one, the
read's return): the doorbell was in their path. USED: matched messages whose host wakeup stage starts at
such an entry (the analysis took the IRQ, not the sched_wakeup). ENTRIES: the IRQ's entries in all."""
import bisect
import sys

irq = sys.argv[3]
ts = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 7 and f[3] == 'irq_handler_entry' and f[5] == irq and 'mbox' in f[6]:
        ts.append(round(float(f[0]) * 1000))
ts.sort()
have = set(ts)
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[2])]
h = rows[0]


def num(r, k):
    v = r[h.index(k)]
    return None if v in ('nan', '-', '') else round(float(v))


inside = used = matched = 0
for r in rows[1:]:
    if r[h.index('matched')] != '1':
        continue
    matched += 1
    lo, hi = num(r, 't_kick'), num(r, 't_wakeup') or num(r, 't_ret')
    if lo is not None and hi is not None:
        i = bisect.bisect_left(ts, lo)
        inside += i < len(ts) and ts[i] <= hi
    used += num(r, 't_wakeup') in have
print(inside, used, matched, len(ts))
