#!/usr/bin/env bash
# Benchmarks (issues 5 and 14), run by `./build.sh bench`: builds first, then measures everything
# and prints the table BENCHMARKS.md quotes. Measures only: no figure ever fails the run (a
# benchmark that cannot run at all does).
#
#   scripts/bench.sh                 full run
#   BENCH_QUICK=1 scripts/bench.sh   fewer repetitions (criterion --quick, fewer page opens)
#
# Raw results go to target/bench/ (machine.json, criterion.json, sizes.json, breakdown.json,
# browser.json, twiggy.txt when twiggy is on PATH) and the table to target/bench/table.md. The
# browser runs use target/bench/extension: dist/extension plus the empty page that is the floor
# of the page figures (benches/browser/floor/); dist/ and the zip never hold it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CARGO_BIN="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin"
export PATH="$ROOT/node_modules/.bin:$CARGO_BIN:$PATH"

OUT="target/bench"
CRATE_FILE="tenant_switch"
WASM="dist/extension/core/${CRATE_FILE}_bg.wasm"

step() { printf '\n==> %s\n' "$*"; }
die() { printf '\nbench.sh: error: %s\n' "$*" >&2; exit 1; }

BENCH_START="$(date +%s)"
QUICK="${BENCH_QUICK:-0}"

step "Build (./build.sh)"
./build.sh build

if [ ! -x /usr/bin/chromium ]; then
    [ "$(id -u)" -eq 0 ] || die "Chromium is missing; run: sudo apt-get install -y chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

rm -rf "$OUT" target/criterion
mkdir -p "$OUT"

step "Machine"
node -e '
  const os = require("node:os");
  const { execFileSync } = require("node:child_process");
  const run = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: "utf8" }).trim(); } catch { return "unknown"; } };
  const release = run("sh", ["-c", ". /etc/os-release && echo \"$PRETTY_NAME\""]);
  console.log(JSON.stringify({
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    nproc: Number(run("nproc", [])),
    cpu: os.cpus()[0]?.model ?? "unknown",
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${release}, Linux ${os.release()}`,
    chromium: run("/usr/bin/chromium", ["--version"]),
    node: process.version,
    rustc: run("rustc", ["--version"]),
    commit: run("git", ["describe", "--always", "--dirty"]),
  }, null, 2));
' >"$OUT/machine.json"
cat "$OUT/machine.json"

step "Core, native (cargo bench --bench core)"
if [ "$QUICK" = 1 ]; then
    cargo bench --bench core -- --quick
else
    cargo bench --bench core
fi
node benches/collect-criterion.mjs target/criterion >"$OUT/criterion.json"

step "Sizes"
[ -f "$WASM" ] || die "$WASM is missing after the build"
zip_file="$(ls dist/tenant-switch-*.zip)"
wasm_raw="$(wc -c <"$WASM")"
wasm_gzip="$(gzip -9 -n -c "$WASM" | wc -c)"
zip_raw="$(wc -c <"$zip_file")"
printf '{"wasmRaw": %s, "wasmGzip": %s, "zipRaw": %s, "zipName": "%s"}\n' \
    "$wasm_raw" "$wasm_gzip" "$zip_raw" "$(basename "$zip_file")" >"$OUT/sizes.json"
cat "$OUT/sizes.json"
# The shipped file has no names; redo its last two steps (wasm-bindgen, wasm-opt) on the same
# compiled module, keeping the name section (-g), to see which code the bytes belong to.
read -r -a wasm_opt_args <<<"$(python3 scripts/cargo_toml.py wasm-opt-args)"
named="$OUT/named"
wasm-bindgen --target web --no-typescript --out-dir "$named" "target/wasm32-unknown-unknown/release/$CRATE_FILE.wasm"
wasm-opt "${wasm_opt_args[@]}" -g "$named/${CRATE_FILE}_bg.wasm" -o "$named/${CRATE_FILE}_named.wasm"
node benches/wasm-breakdown.mjs "$named/${CRATE_FILE}_named.wasm" 15 >"$OUT/breakdown.json"
if command -v twiggy >/dev/null 2>&1; then
    twiggy top -n 25 "$named/${CRATE_FILE}_named.wasm" >"$OUT/twiggy.txt"
else
    printf '    twiggy is not on PATH (not part of shared/TOOLCHAIN.md): benches/wasm-breakdown.mjs only\n'
fi

step "Browser (headless Chromium; several minutes)"
node benches/browser/run.mjs >"$OUT/browser.json"

step "Results"
node benches/report.mjs "$OUT" | tee "$OUT/table.md"
printf '\nWhole run (build, criterion, sizes, browser runs, this table): %s s.\n' "$(($(date +%s) - BENCH_START))" | tee -a "$OUT/table.md"
