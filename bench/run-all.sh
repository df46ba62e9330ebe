#!/usr/bin/env bash
# Runs every benchmark and prints the results (BENCHMARKS.md quotes them).
# Needs pkg/ (scripts/build-pkg.sh) and the dev dependencies (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "node $(node --version), $(/usr/bin/chromium --version 2>/dev/null || true), $(rustc --version)"
echo; echo "== native Rust reference (cargo run --release --example srp_bench)"
cargo run -q --release --example srp_bench
echo; echo "== Node (bench/srp-bench.mjs)"
node bench/srp-bench.mjs
echo; echo "== headless Chromium (bench/browser-bench.mjs)"
node bench/browser-bench.mjs
echo; echo "== package size (bench/size.mjs)"
node bench/size.mjs
