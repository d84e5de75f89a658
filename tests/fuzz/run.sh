#!/bin/bash
# Build and run every libFuzzer target in tests/fuzz (`make fuzz` calls this).
#
#   tests/fuzz/run.sh [NAME...]            build, then fuzz each target for FUZZ_SECONDS from its corpus
#   tests/fuzz/run.sh --replay [NAME...]   build, then run every corpus and regression input once (quick;
#                                          no fuzzing) and fail if any of them crashes
#   tests/fuzz/run.sh --build [NAME...]    only build
# NAME is X for tests/fuzz/fuzz_X.c (default: all of them).
#
# Convention for a target tests/fuzz/fuzz_X.c: its FIRST line names the library sources it links,
# relative to the top of the tree:
#     /* fuzz-sources: host-tools/lib/json.c host-tools/lib/util.c */
# A target without that line is linked against every library source instead (slower to build; a warning
# says so). Targets are built with clang -fsanitize=fuzzer,address,undefined and the project's include
# paths and libraries.
#
# Inputs:  tests/fuzz/corpus/X/    seeds (read only: new inputs go to FUZZ_BUILD/corpus/X)
#          tests/fuzz/regress/X/   inputs that once crashed X; replayed by --replay and kept forever
# Outputs: FUZZ_BUILD/fuzz_X, FUZZ_BUILD/X.log, FUZZ_BUILD/crashes/X/ (artifacts of a crash)
# Environment: FUZZ_SECONDS (60), FUZZ_BUILD (build-fuzz), FUZZ_JOBS (parallel fuzzers: nproc),
#              FUZZ_FLAGS (extra libFuzzer flags), CLANG (clang).
# Exit: 0 no crash, 1 a crash (or a build failure), 2 bad usage or clang missing.
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
mode=fuzz
case "${1:-}" in
--replay) mode=replay; shift ;;
--build) mode=build; shift ;;
-h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
esac

seconds=${FUZZ_SECONDS:-60}
out=${FUZZ_BUILD:-build-fuzz}
clang=${CLANG:-clang}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
if ! command -v "$clang" >/dev/null 2>&1; then
    echo "run.sh: $clang not found: install the Debian packages clang and libclang-rt-14-dev (make deps)" >&2
    exit 2
fi

# Same include paths and libraries as the Makefile. Library sources are compiled once into
# FUZZ_BUILD/obj (instrumented with fuzzer-no-link) and reused until the source or a header changes.
CFLAGS="-g -O1 -std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing -Wall -Wextra -Wno-unused-parameter
 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
 -Iprobe-fw/include -Iprobe-fw/core -Iprobe-fw/targets/host -Ihost-tools/include -Itracing -Ireports"
pkgs="libtracefs libtraceevent libelf libtracecmd"
CFLAGS="$CFLAGS $(pkg-config --cflags $pkgs 2>/dev/null)"
LIBS="-Wl,--as-needed $(pkg-config --libs $pkgs 2>/dev/null) -lfdt -lm -lpthread"
ALL_LIB_SRCS=$(ls probe-fw/core/*.c probe-fw/targets/host/*.c host-tools/lib/*.c tracing/*.c reports/*.c 2>/dev/null)
HDR_DIRS="probe-fw/include probe-fw/core probe-fw/targets/host host-tools/include host-tools/lib tracing reports"

names=()
if [ $# -gt 0 ]; then
    names=("$@")
else
    for f in tests/fuzz/fuzz_*.c; do
        [ -e "$f" ] || continue
        n=$(basename "$f" .c); names+=("${n#fuzz_}")
    done
fi
[ ${#names[@]} -gt 0 ] || { echo "run.sh: no fuzz targets" >&2; exit 2; }
mkdir -p "$out/obj"

# The sources a target links: its first-line fuzz-sources list, or "ALL" (every library source).
sources_of() {
    local first
    first=$(head -n 1 "tests/fuzz/fuzz_$1.c")
    case "$first" in
    "/* fuzz-sources:"*)
        first=${first#/\* fuzz-sources:}
        echo "${first%\*/}"
        ;;
    *)
        echo "run.sh: warning: tests/fuzz/fuzz_$1.c has no '/* fuzz-sources: ... */' first line;" \
             "linking against every library source" >&2
        echo ALL
        ;;
    esac
}

# Compile one library source into the object cache; prints the object's path.
object_of() {
    local src=$1 o="$out/obj/${1%.c}.o"
    if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ -n "$(find $HDR_DIRS -name '*.h' -newer "$o" 2>/dev/null | head -n 1)" ]; then
        mkdir -p "$(dirname "$o")"
        # shellcheck disable=SC2086
        "$clang" $CFLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$o" >>"$out/obj.log" 2>&1 ||
            { echo "run.sh: compiling $src failed (see $out/obj.log)" >&2; tail -n 20 "$out/obj.log" >&2; return 1; }
    fi
    echo "$o"
}

# Every library source, as one archive: a target pulls only the objects it needs.
all_archive() {
    local s objs=() o
    for s in $ALL_LIB_SRCS; do
        # a source that does not compile is left out; the link says if a target needed it
        o=$(object_of "$s") || continue
        objs+=("$o")
    done
    if [ ! -f "$out/librplat-fuzz.a" ] || [ -n "$(find "${objs[@]}" -newer "$out/librplat-fuzz.a" | head -n 1)" ]; then
        rm -f "$out/librplat-fuzz.a"
        ar rcs "$out/librplat-fuzz.a" "${objs[@]}" || return 1
    fi
    echo "$out/librplat-fuzz.a"
}

build_one() {
    local name=$1 srcs s objs=() o
    [ -f "tests/fuzz/fuzz_$name.c" ] || { echo "run.sh: no tests/fuzz/fuzz_$name.c" >&2; return 1; }
    srcs=$(sources_of "$name")
    if [ "$srcs" = ALL ]; then
        o=$(all_archive) || return 1
        objs+=("$o")
    else
        for s in $srcs; do
            [ -f "$s" ] || { echo "run.sh: fuzz_$name: fuzz-sources names $s, which does not exist" >&2; return 1; }
            o=$(object_of "$s") || return 1
            objs+=("$o")
        done
    fi
    # up to date: newer than its own source and every object it links
    if [ -f "$out/fuzz_$name" ] && [ "$out/fuzz_$name" -nt "tests/fuzz/fuzz_$name.c" ] &&
       [ -z "$(find "${objs[@]}" -newer "$out/fuzz_$name" 2>/dev/null | head -n 1)" ] &&
       [ -z "$(find $HDR_DIRS -name '*.h' -newer "$out/fuzz_$name" 2>/dev/null | head -n 1)" ]; then
        return 0
    fi
    # shellcheck disable=SC2086
    if ! "$clang" $CFLAGS -fsanitize=fuzzer -o "$out/fuzz_$name" "tests/fuzz/fuzz_$name.c" "${objs[@]}" $LIBS \
        >"$out/fuzz_$name.build.log" 2>&1; then
        echo "run.sh: building fuzz_$name failed:" >&2
        tail -n 30 "$out/fuzz_$name.build.log" >&2
        return 1
    fi
}

fail=0 built=()
for n in "${names[@]}"; do
    printf '  %-8s fuzz_%s\n' BUILD "$n"
    if build_one "$n"; then built+=("$n"); else fail=1; fi
done
[ "$mode" = build ] && exit $fail

# Directories holding inputs for a target (only those that exist and have files).
input_dirs() {
    local d
    for d in "tests/fuzz/corpus/$1" "tests/fuzz/regress/$1"; do
        [ -d "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null)" ] && echo "$d"
    done
}

if [ "$mode" = replay ]; then
    total=0
    for n in "${built[@]}"; do
        dirs=$(input_dirs "$n")
        count=0
        for d in $dirs; do count=$((count + $(ls -A "$d" | wc -l))); done
        total=$((total + count))
        if [ -z "$dirs" ]; then
            printf '  %-8s fuzz_%s: no inputs\n' REPLAY "$n"
            continue
        fi
        # -runs=0 executes every input of the given directories once, then stops
        # shellcheck disable=SC2086
        if "$out/fuzz_$n" -runs=0 -rss_limit_mb=2048 -timeout=10 $dirs >"$out/$n.replay.log" 2>&1; then
            printf '  %-8s fuzz_%s: %d inputs\n' REPLAY "$n" "$count"
        else
            printf '  %-8s fuzz_%s: an input crashed it (log: %s)\n' FAIL "$n" "$out/$n.replay.log"
            grep -m 5 -E 'ERROR|SUMMARY|Test unit written' "$out/$n.replay.log" | sed 's/^/        /'
            fail=1
        fi
    done
    echo "fuzz replay: ${#built[@]} targets, $total inputs, $([ $fail = 0 ] && echo ok || echo FAILED)"
    exit $fail
fi

# Fuzz: each target in the background (at most $jobs at a time), from its seeds into its own corpus.
run_one() {
    local n=$1 dirs
    mkdir -p "$out/corpus/$n" "$out/crashes/$n"
    dirs=$(input_dirs "$n")
    # shellcheck disable=SC2086
    "$out/fuzz_$n" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$out/crashes/$n/" ${FUZZ_FLAGS:-} "$out/corpus/$n" $dirs >"$out/$n.log" 2>&1
    echo $? >"$out/$n.rc"
}
echo "fuzzing ${#built[@]} targets for ${seconds}s each, $jobs at a time (logs in $out/)"
running=0
for n in "${built[@]}"; do
    run_one "$n" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

printf '  %-10s %12s %10s %8s %s\n' target executions exec/s corpus result
for n in "${built[@]}"; do
    rc=$(cat "$out/$n.rc" 2>/dev/null || echo 1)
    execs=$(grep -m1 'stat::number_of_executed_units' "$out/$n.log" | awk '{print $2}')
    speed=$(grep -m1 'stat::average_exec_per_sec' "$out/$n.log" | awk '{print $2}')
    corp=$(ls -A "$out/corpus/$n" 2>/dev/null | wc -l)
    crashes=$(ls -A "$out/crashes/$n" 2>/dev/null)
    if [ "$rc" = 0 ] && [ -z "$crashes" ]; then
        result=ok
    else
        result="CRASH (exit $rc)"
        fail=1
    fi
    printf '  %-10s %12s %10s %8s %s\n' "$n" "${execs:-?}" "${speed:-?}" "$corp" "$result"
    if [ "$result" != ok ]; then
        grep -m 3 -E 'ERROR|SUMMARY' "$out/$n.log" | sed 's/^/        /'
        for c in $crashes; do
            echo "        input: $out/crashes/$n/$c"
            echo "        after the fix: mkdir -p tests/fuzz/regress/$n && cp $out/crashes/$n/$c tests/fuzz/regress/$n/"
        done
    fi
done
exit $fail
