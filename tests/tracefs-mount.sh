# Sourced by tests/run-integration.sh and tests/bench/run.sh: mount tracefs at /sys/kernel/tracing when it
# is not (a fresh boot of these machines may leave it unmounted), as rplat itself does through
# libtracefs and as trace-cmd does. Without it the tests that need tracefs would skip, saying so, although
# rplat would have worked. Needs root; otherwise they skip.
if [ ! -d /sys/kernel/tracing/instances ] && [ "$(id -u)" = 0 ] && [ -d /sys/kernel/tracing ]; then
    if mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; then
        echo "($(basename "$0"): tracefs was not mounted: mounted it at /sys/kernel/tracing)"
    else
        echo "($(basename "$0"): tracefs is not mounted and mounting it failed: the tests that need it skip)"
    fi
fi
