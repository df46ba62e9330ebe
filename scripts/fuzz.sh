#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers (fuzz/, cargo-fuzz + libFuzzer). RELIABILITY.md,
# "Fuzzing", has the targets, the figures and the commands that produced them.
#
#   scripts/fuzz.sh install            cargo-fuzz from crates.io, if missing (idempotent)
#   scripts/fuzz.sh smoke [SECONDS]    every target for SECONDS (default 10) each: the step
#                                      scripts/test.sh runs
#   scripts/fuzz.sh run TARGET RUNS    one campaign of RUNS executions, in one process
#   scripts/fuzz.sh list               the targets
#
# Toolchain: nightly when rustup has it, else stable with RUSTC_BOOTSTRAP=1 (cargo-fuzz
# needs -Z flags). Seeds are fuzz/corpus/<target> (committed, from fuzz/seed.py); what a run
# discovers goes to fuzz/work/<target> (not committed), findings to fuzz/artifacts/<target>.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2

install() {
  if cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    return
  fi
  echo "[fuzz] installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
}

TOOLCHAIN=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  TOOLCHAIN=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi

# Safe Rust throughout (no sanitizer needed for memory safety); debug assertions on, so an
# arithmetic overflow is a finding too.
fuzz() { cargo "${TOOLCHAIN[@]}" fuzz "$@"; }

run_target() { # TARGET, then libFuzzer flags
  local t=$1
  shift
  mkdir -p "fuzz/work/$t" "fuzz/artifacts/$t"
  fuzz run --sanitizer none --debug-assertions "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
    -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1 "$@"
}

targets() { sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^cognito-wasm-fuzz$'; }

case "${1:-smoke}" in
  install) install ;;
  list) targets ;;
  smoke)
    install
    secs=${2:-10}
    fuzz build --sanitizer none --debug-assertions
    for t in $(targets); do
      echo "[fuzz] $t: ${secs} s"
      log="fuzz/work/$t.log"
      mkdir -p fuzz/work
      if ! run_target "$t" -max_total_time="$secs" >"$log" 2>&1; then
        tail -n 40 "$log"
        echo "[fuzz] $t: FINDING (input in fuzz/artifacts/$t)"
        exit 1
      fi
      grep -E '^stat::number_of_executed_units' "$log" || true
    done
    echo "[fuzz] ok"
    ;;
  run)
    install
    run_target "$2" -runs="$3"
    ;;
  *) echo "usage: $0 install | list | smoke [SECONDS] | run TARGET RUNS" >&2; exit 2 ;;
esac
