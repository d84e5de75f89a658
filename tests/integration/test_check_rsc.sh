# rplat check rsc on the CLI: the images are the ones tests/unit/test_rsc_check.c builds (a clean TI-style
# ELF and one image per rule), written out with RSC_FIXTURE_DIR. Each must exit with at least the
# severity of its rule (0 info, 1 warning, 2 error) and name its rule in valid --json; unreadable input
# exits 3 with a message naming the file.
. "$TOP/tests/integration/lib.sh"
expect_rc() { # expect_rc RC cmd...
    local want=$1 rc=0; shift
    "$@" || rc=$?
    [ "$rc" -eq "$want" ] || fail "expected exit $want, got $rc from: $*"
}

gen="$BUILD/tests/test_rsc_check"
[ -x "$gen" ] || fail "$gen is missing (make all builds it)"
fx="$TMPDIR/images"
mkdir -p "$fx"
RSC_FIXTURE_DIR="$fx" TOP="$TOP" "$gen" >"$TMPDIR/gen.log" 2>&1 || { cat "$TMPDIR/gen.log"; fail "test_rsc_check failed"; }
n=$(ls "$fx" | wc -l)
[ "$n" -ge 60 ] || fail "expected at least 60 images, got $n"

# 1. the clean TI-style table: no finding at all, text and JSON
expect_rc 0 "$RPLAT" check rsc "$fx/ti-clean.elf" >"$TMPDIR/clean.txt"
grep -q '^0 errors, 0 warnings, 0 info$' "$TMPDIR/clean.txt" || { cat "$TMPDIR/clean.txt"; fail "clean table: findings"; }
grep -q 'vring1: num 256, align 4096, da ANY, notifyid 2' "$TMPDIR/clean.txt" || fail "clean table: vring1 not shown"
expect_rc 0 "$RPLAT" check rsc --json "$fx/ti-clean.elf" >"$TMPDIR/clean.json"
jassert "$TMPDIR/clean.json" 'd["check"]=="rsc" and d["summary"]["exit_code"]==0 and d["findings"]==[]'
jassert "$TMPDIR/clean.json" 'd["table"]["size"]==140 and d["table"]["num"]==2 and len(d["table"]["entries"])==2'
jassert "$TMPDIR/clean.json" 'd["table"]["entries"][0]["type_name"]=="vdev" and len(d["table"]["entries"][0]["vrings"])==2'
jassert "$TMPDIR/clean.json" 'd["table"]["entries"][1]["name"]=="trace:m4fss0_0" and d["table"]["entries"][1]["da"]==0x31000'
expect_rc 0 "$RPLAT" check rsc "$fx/ti-clean.bin" >/dev/null

# 2. one image per rule: exit code >= the rule's severity, the rule named in valid JSON, the same exit code
#    in text form, every finding naming the file (the JSON checks run once, over all outputs, at the end)
checked=0
mkdir -p "$TMPDIR/json"
: >"$TMPDIR/expect.txt"
for f in "$fx"/[0-9][0-9]-*; do
    base=$(basename "$f"); base=${base%.*}
    memmap=am62x-m4f
    case "$base" in *@*) memmap=${base#*@}; base=${base%@*} ;; esac
    sev=${base##*-}; rest=${base%-*}; rule=${rest#*-}
    case "$sev" in info) want=0 ;; warning) want=1 ;; error) want=2 ;; *) fail "$f: cannot read the severity" ;; esac
    rc=0
    "$RPLAT" check rsc --json --memmap "$memmap" "$f" >"$TMPDIR/json/$checked.json" 2>"$TMPDIR/err.txt" || rc=$?
    [ "$rc" -ge "$want" ] && [ "$rc" -le 2 ] || fail "$f: exit $rc, expected $want..2 ($(cat "$TMPDIR/err.txt"))"
    echo "$TMPDIR/json/$checked.json $rule $rc $f" >>"$TMPDIR/expect.txt"
    rc2=0
    "$RPLAT" check rsc --memmap "$memmap" "$f" >"$TMPDIR/out.txt" 2>&1 || rc2=$?
    [ "$rc2" -eq "$rc" ] || fail "$f: text exit $rc2, JSON exit $rc"
    grep -q "^$f: .*\[$rule" "$TMPDIR/out.txt" || { cat "$TMPDIR/out.txt"; fail "$f: text does not name $rule with the file"; }
    checked=$((checked + 1))
done
python3 - "$TMPDIR/expect.txt" <<'EOF2' || fail "JSON checks failed"
import json, sys
for line in open(sys.argv[1]):
    out, rule, rc, path = line.split()
    d = json.load(open(out))
    rules = [x["rule"] for x in d["findings"]]
    assert rule in rules, "%s: %s not among %s" % (path, rule, rules)
    assert d["summary"]["exit_code"] == int(rc), "%s: exit %s, summary says %d" % (path, rc, d["summary"]["exit_code"])
    for x in d["findings"]:
        assert x["source"] == path and x["field"] and x["why"], x
        assert x["severity"] in ("info", "warning", "error")
    refused = [x for x in d["findings"] if x["kernel_refuses"]]
    assert all(x["severity"] == "error" for x in refused), path
    assert d["summary"]["kernel_refuses"] == len(refused), path
EOF2
echo "checked $checked rule images"

# 3. a truncated and an empty file: errors naming the file and the field
head -c 100 "$fx/ti-clean.elf" >"$TMPDIR/cut.elf"
expect_rc 2 "$RPLAT" check rsc "$TMPDIR/cut.elf" >"$TMPDIR/cut.txt"
grep -q "^$TMPDIR/cut.elf: error: .*\[elf\." "$TMPDIR/cut.txt" || { cat "$TMPDIR/cut.txt"; fail "truncated ELF: no ELF error"; }
: >"$TMPDIR/empty.bin"
expect_rc 2 "$RPLAT" check rsc "$TMPDIR/empty.bin" >"$TMPDIR/empty.txt"
grep -q "^$TMPDIR/empty.bin: error: table size = 0 bytes \[rsc.size, kernel refuses\]" "$TMPDIR/empty.txt" ||
    { cat "$TMPDIR/empty.txt"; fail "empty file: no rsc.size error"; }

# 4. could not run: exit 3 with the file named
expect_rc 3 "$RPLAT" check rsc "$TMPDIR/missing.elf" 2>"$TMPDIR/err.txt"
grep -q "$TMPDIR/missing.elf: cannot open" "$TMPDIR/err.txt" || fail "missing file not named: $(cat "$TMPDIR/err.txt")"
expect_rc 3 "$RPLAT" check rsc "$TMPDIR" 2>/dev/null
expect_rc 3 "$RPLAT" check rsc 2>/dev/null
expect_rc 3 "$RPLAT" check rsc --memmap mars "$fx/ti-clean.elf" 2>/dev/null
expect_rc 3 "$RPLAT" check rsc --bogus "$fx/ti-clean.elf" 2>/dev/null
expect_rc 3 "$RPLAT" check nosuch 2>/dev/null
expect_rc 0 "$RPLAT" check --help >/dev/null

# 4b. not a firmware file: a FIFO is refused at once (no wait for a writer), a .dtb and a text file are
#     refused as what they are, never checked as a raw table (issue 14, CLI)
mkfifo "$TMPDIR/fifo"
rc=0; timeout 10 "$RPLAT" check rsc "$TMPDIR/fifo" 2>"$TMPDIR/err.txt" || rc=$?
[ "$rc" -eq 3 ] || fail "FIFO: exit $rc (124 = it hung), expected 3"
grep -q "$TMPDIR/fifo: not a regular file (a FIFO)" "$TMPDIR/err.txt" || fail "FIFO: $(cat "$TMPDIR/err.txt")"
rc=0; timeout 10 "$RPLAT" check dt --dtb "$TMPDIR/fifo" 2>"$TMPDIR/err.txt" || rc=$?
[ "$rc" -eq 3 ] || fail "dt --dtb FIFO: exit $rc (124 = it hung), expected 3"
rc=0; timeout 10 "$RPLAT" check dt --dtb "$TMPDIR/fifo" --fw "$TMPDIR/fifo" 2>/dev/null || rc=$?
[ "$rc" -eq 3 ] || fail "dt --fw FIFO: exit $rc (124 = it hung), expected 3"
if command -v dtc >/dev/null; then
    echo '/dts-v1/; / { };' | dtc -q -I dts -O dtb -o "$TMPDIR/x.dtb" -
    expect_rc 3 "$RPLAT" check rsc "$TMPDIR/x.dtb" 2>"$TMPDIR/err.txt" >"$TMPDIR/out.txt"
    grep -q "a device tree blob" "$TMPDIR/err.txt" || fail ".dtb: $(cat "$TMPDIR/err.txt")"
    ! grep -q "kernel refuses" "$TMPDIR/out.txt" || fail ".dtb was checked as a table"
fi
printf 'hello world, not firmware\n' >"$TMPDIR/notes.txt"
expect_rc 3 "$RPLAT" check rsc "$TMPDIR/notes.txt" 2>"$TMPDIR/err.txt"
grep -q "neither an ELF image .* nor a raw resource table" "$TMPDIR/err.txt" || fail "text file: $(cat "$TMPDIR/err.txt")"
# check --help tells the exit codes the subcommands really use
"$RPLAT" check --help >"$TMPDIR/help.txt"
grep -q "coherency" "$TMPDIR/help.txt" && grep -q "0 clean, 2 mismatches, 3 could not run" "$TMPDIR/help.txt" ||
    fail "check --help: coherency exit codes: $(grep -A1 coherency "$TMPDIR/help.txt")"

# 4c. resource tables of real firmware, rebuilt from their sources by test_rsc_check: clean under their map
n=0
for f in "$fx"/real-*.bin; do
    base=$(basename "$f" .bin); memmap=${base#*@}
    expect_rc 0 "$RPLAT" check rsc --memmap "$memmap" "$f" >"$TMPDIR/real.txt"
    n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "only $n real firmware tables"
echo "real firmware tables clean: $n"

# 5. the rule table is documented
expect_rc 0 "$RPLAT" check rsc --rules >"$TMPDIR/rules.txt"
[ "$(grep -c '^[a-z]*\.[a-z_0-9]* ' "$TMPDIR/rules.txt")" -ge 50 ] || fail "--rules lists too few rules"
grep -q '^rsc.ver .*(the kernel refuses)' "$TMPDIR/rules.txt" || fail "--rules: rsc.ver not marked as refused"
grep -q '^    kernel: find_table() (Linux 6.12.118)' "$TMPDIR/rules.txt" || fail "--rules: no kernel function"
# --memmap vboard reports elf.seg_da and elf.no_rsc: their reasons must not speak of the AM62x/TI K3 alone
for r in elf.seg_da elf.no_rsc; do
    grep -A1 "^$r " "$TMPDIR/rules.txt" | grep -q "rproc_ivshmem" || fail "--rules: $r does not say what the virtual board's driver does"
done
# every rule of --rules is in README's rule -> kernel function table, with the same function
for check in rsc dt; do
    "$RPLAT" check $check --rules | python3 -c '
import re, sys
readme = open(sys.argv[1]).read()
rows = dict(re.findall(r"^\| `([a-z0-9_.]+)` \| [^|]+ \| (.+?) \|$", readme, re.M))
rid = None; bad = 0
for line in sys.stdin:
    m = re.match(r"^([a-z]+\.[a-z0-9_]+) ", line)
    if m: rid = m.group(1)
    m = re.match(r"^    kernel: (.*) \(Linux ", line)
    if m:
        if rows.get(rid) != m.group(1).replace("|", "/"):
            print("README table:", rid, "has", repr(rows.get(rid)), "--rules says", repr(m.group(1))); bad += 1
sys.exit(1 if bad else 0)' "$TOP/README.md" || fail "README rule table out of date for check $check"
done
echo "ok"
