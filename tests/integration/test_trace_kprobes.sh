# The kernel-side RPMsg probes (rproc_vq_interrupt, rpmsg_recv_done, virtqueue_kick, mbox_send_message):
# placed when the kernel has kprobes, reported as missing otherwise.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/fixtures/trace/lib.sh"
trace_need
run="$TMPDIR/k"
"$RPLAT" trace -L sim -l 100 -i 200 -o "$run" --no-analysis > /dev/null 2> "$TMPDIR/err.txt" \
    || { cat "$TMPDIR/err.txt"; fail "rplat trace exited $?"; }
if [ ! -e "$TRACEFS/kprobe_events" ]; then
    # without kprobes, the capture must say so, name what it could not trace, and still work
    grep -q 'kprobes: not available on this kernel' "$TMPDIR/err.txt" || fail "missing kprobes not reported"
    jassert "$run/trace/capture.json" 'not d["kprobes"]["available"] and "mbox_send_message" in d["kprobes"]["missing"]'
    skip "no kprobes on this kernel"
fi
jassert "$run/trace/capture.json" 'd["kprobes"]["available"]'
jassert "$run/trace/capture.json" 'len(d["kprobes"]["traced"]) + len(d["kprobes"]["missing"]) == 4'
! grep -q '^[pr]:rplat/' "$TRACEFS/dynamic_events" || fail "kprobes left behind"
echo ok
