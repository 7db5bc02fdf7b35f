#!/usr/bin/env bash
# Fuzz the Tenant Switch core with cargo-fuzz (libFuzzer): each target in fuzz/ runs for SECONDS
# (default 60) from its corpus plus the inputs that once failed (fuzz/regressions/TARGET/).
# Installs cargo-fuzz, and a toolchain that can build it, when missing. `./build.sh fuzz` runs it.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      e.g. scripts/fuzz.sh 300 portal_url
#
# Toolchain: cargo-fuzz needs nightly-only compiler flags (-Zsanitizer=address). The script uses
# the nightly toolchain when rustup has it or can install it, and otherwise the stable one with
# RUSTC_BOOTSTRAP=1, which lets stable accept those flags. FUZZ_TOOLCHAIN=stable|nightly forces one.
# A finding leaves its input in fuzz/artifacts/TARGET/ and makes the script exit non-zero.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_FUZZ_VERSION="0.13.2"
export PATH="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin:$PATH"

SECONDS_PER_TARGET="${1:-60}"
case "$SECONDS_PER_TARGET" in
    '' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, not '$SECONDS_PER_TARGET'" >&2; exit 2 ;;
esac
shift || true

step() { printf '\n==> %s\n' "$*"; }

# Sets TOOLCHAIN, the toolchain argument for cargo: `+nightly`, or `+stable` with RUSTC_BOOTSTRAP=1.
choose_toolchain() {
    local want="${FUZZ_TOOLCHAIN:-auto}"
    if [ "$want" != stable ]; then
        if rustup run nightly rustc --version >/dev/null 2>&1; then
            TOOLCHAIN=+nightly
            return
        fi
        step "installing the nightly toolchain (minimal profile)"
        if rustup toolchain install nightly --profile minimal; then
            TOOLCHAIN=+nightly
            return
        fi
        if [ "$want" = nightly ]; then
            echo "fuzz.sh: could not install the nightly toolchain" >&2
            exit 1
        fi
        echo "    nightly is not available here; using stable with RUSTC_BOOTSTRAP=1"
    fi
    rustup run stable rustc --version >/dev/null
    TOOLCHAIN=+stable
    export RUSTC_BOOTSTRAP=1
}

ensure_cargo_fuzz() {
    if [ "$(cargo fuzz --version 2>/dev/null || true)" = "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
        return
    fi
    step "installing cargo-fuzz $CARGO_FUZZ_VERSION (about 3 minutes)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked ||
        cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION"
}

choose_toolchain
ensure_cargo_fuzz

if [ "$#" -gt 0 ]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(cargo "$TOOLCHAIN" fuzz list)
fi

# -O: optimised, and the fuzz crate's release profile turns debug assertions and overflow checks
# on (without -O, cargo-fuzz would force them on for every crate through RUSTFLAGS, overriding
# the per-package exception in fuzz/Cargo.toml).
step "building ${TARGETS[*]} with cargo $TOOLCHAIN fuzz"
for target in "${TARGETS[@]}"; do
    cargo "$TOOLCHAIN" fuzz build -O "$target"
done

failed=()
results=()
for target in "${TARGETS[@]}"; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus"
    seeds=()
    [ -d "fuzz/regressions/$target" ] && seeds+=("fuzz/regressions/$target")
    step "fuzzing $target for ${SECONDS_PER_TARGET}s"
    start="$(date +%s)"
    if cargo "$TOOLCHAIN" fuzz run -O "$target" "$corpus" "${seeds[@]}" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1; then
        results+=("$target: no finding in $(($(date +%s) - start))s")
    else
        results+=("$target: FINDING after $(($(date +%s) - start))s (see fuzz/artifacts/$target/)")
        failed+=("$target")
    fi
done

step "results (cargo $TOOLCHAIN fuzz, $(date -u +%Y-%m-%dT%H:%MZ))"
printf '    %s\n' "${results[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz.sh: findings in ${failed[*]}: minimise with 'cargo fuzz tmin TARGET INPUT', keep the input in fuzz/regressions/TARGET/ and as a test" >&2
    exit 1
fi
