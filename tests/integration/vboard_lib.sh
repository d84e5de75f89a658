# Helpers for the virtual-board tests that run the remote (sourced after lib.sh). The caller sets SRV
# (rplat-vboard-server), SOCK, SHM and T (its scratch directory), and kills SPID in its cleanup.

# start_server [SERVER OPTIONS]: the ivshmem server and its remote, for one guest (--once); returns
# when its socket is up. T/server.log gets the server's log and the QEMU firmware's console alike.
start_server() {
    : >"$T/server.log"
    "$SRV" --socket "$SOCK" --shm "$SHM" --once -v "$@" 2>>"$T/server.log" &
    SPID=$!
    local i=0
    while [ ! -S "$SOCK" ]; do
        i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/server.log" >&2; fail "the server did not come up"; }
        kill -0 "$SPID" 2>/dev/null || { cat "$T/server.log" >&2; fail "the server died"; }
        sleep 0.1
    done
}

# server_gone: the server must exit by itself (--once) once QEMU has gone, with status 0, removing its
# socket and its shared-memory file.
server_gone() {
    local i=0
    while kill -0 "$SPID" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 50 ] || fail "the server outlived the guest"
        sleep 0.1
    done
    wait "$SPID" || fail "the server exited non-zero"
    SPID=""
    [ ! -e "$SHM" ] || fail "the server left $SHM behind"
    [ ! -e "$SOCK" ] || fail "the server left $SOCK behind"
}
