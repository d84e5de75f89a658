# Helpers for integration tests (sourced). Each test runs with set -eu; fail() explains and exits 1.
set -eu
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
# jq-like lookups into a JSON file with python3: jget FILE 'expr on d'
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# assert a python expression over the JSON document d is true
jassert() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
ok=eval(sys.argv[2])
sys.exit(0 if ok else 1)' "$1" "$2" || fail "$1: expected $2"
}
# no sim probe process may outlive a run
no_probe_left() {
    sleep 0.2
    if pgrep -x rplat-sim-probe >/dev/null; then pgrep -a -x rplat-sim-probe; fail "a sim probe outlived rplat"; fi
}
