# Replay every fuzz corpus and every kept crash (tests/fuzz/corpus/*, tests/fuzz/regress/*) through the
# libFuzzer targets, built with ASan and UBSan: no input may crash any more. Quick (no fuzzing); the
# objects are cached in BUILD/fuzz. Runs in the plain pass only: its binaries are sanitized anyway.
. "$TOP/tests/integration/lib.sh"
case "$BUILD" in *-san) skip "the fuzz replay runs once, in the plain integration pass" ;; esac
command -v clang >/dev/null || skip "clang not installed (Debian packages clang, libclang-rt-14-dev)"
FUZZ_BUILD="$BUILD/fuzz" "$TOP/tests/fuzz/run.sh" --replay || fail "a fuzz input crashes a target (see above)"
