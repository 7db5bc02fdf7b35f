#!/usr/bin/env bash
# Tenant Switch: the one entry point to set up, build, test and run. CI runs `./build.sh test`.
#
#   ./build.sh [build]   install what is missing, build pkg/, dist/extension/, dist/www/, the zip
#                        and dist/policy-templates/
#   ./build.sh test      build, then every check and test suite (the last lines are node's summary)
#   ./build.sh run       build, then start Chromium with dist/extension loaded
#   ./build.sh size      print the size of the optimised .wasm (raw and gzipped)
#   ./build.sh bench     benchmarks (scripts/bench.sh, results in BENCHMARKS.md)
#   ./build.sh fuzz [S]  fuzz each core target for S seconds (scripts/fuzz.sh, record in fuzz/README.md)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

CARGO_BIN="${CARGO_HOME:-${HOME:-/root}/.cargo}/bin"
export PATH="$ROOT/node_modules/.bin:$CARGO_BIN:$PATH"

# Tools pinned here; wasm-bindgen's version comes from Cargo.toml (the CLI must match the crate).
WASM_PACK_VERSION="0.15.1"
NODE_MIN_VERSION="20.19.0"
WASM_TARGET="wasm32-unknown-unknown"
# Debian packages the test suites drive. Never add `binaryen`: see shared/TOOLCHAIN.md.
# chromium-l10n: the German pass (Debian's chromium ships English only); fonts-hosny-amiri: an Arabic
# font, so the long-name layout tests draw ligatures as they are, not as narrow boxes.
APT_TEST_PACKAGES=(chromium chromium-driver chromium-l10n firefox-esr fonts-hosny-amiri)

CRATE_FILE="tenant_switch"
# The features of the shipped module, and of the wasm tests, which must test that same build: the
# binding layer, and no `unicode-tables` (normalisation comes from the browser's
# String.prototype.normalize through src/wasm.rs; the tables would add about 110 KB).
WASM_FEATURES=(--no-default-features --features wasm)
WEB_WASM="pkg/web/${CRATE_FILE}_bg.wasm"

# Each step says how long the run has taken so far (SECONDS counts from the script's start).
step() { printf '\n==> %s  [%d:%02d]\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }
note() { printf '    %s\n' "$*"; }
die() { printf '\nbuild.sh: error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# "a.b.c" >= "x.y.z"?
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# ---------------------------------------------------------------------------------------------
# Setup: each check skips the install when the right version is already there.

ensure_python() {
    if ! command -v python3 >/dev/null 2>&1; then
        is_root || die "python3 is missing; run: sudo apt-get install -y python3"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3
    fi
    python3 -c 'import tomllib' 2>/dev/null || die "python3 3.11 or later is needed (tomllib)"
}

read_versions() {
    CRATE_VERSION="$(python3 scripts/cargo_toml.py version)"
    WASM_BINDGEN_VERSION="$(python3 scripts/cargo_toml.py wasm-bindgen)"
    read -r -a WASM_OPT_ARGS <<<"$(python3 scripts/cargo_toml.py wasm-opt-args)"
}

ensure_rust() {
    command -v cargo >/dev/null 2>&1 || die "cargo is missing; install Rust with rustup (https://rustup.rs)"
    if ! rustup target list --installed | grep -qx "$WASM_TARGET"; then
        note "adding the $WASM_TARGET target"
        rustup target add "$WASM_TARGET"
    fi
}

ensure_rust_lint_tools() {
    cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
    cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
}

ensure_wasm_bindgen() {
    local want="wasm-bindgen $WASM_BINDGEN_VERSION"
    local want_runner="wasm-bindgen-test-runner $WASM_BINDGEN_VERSION"
    if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "$want" ] &&
        [ "$(wasm-bindgen-test-runner --version 2>/dev/null || true)" = "$want_runner" ]; then
        note "$want: present"
        return
    fi
    note "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
    # Not --locked: the CLI's own lock file pins a crate version the registry here lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
    [ "$(wasm-bindgen --version)" = "$want" ] || die "installed wasm-bindgen is not $WASM_BINDGEN_VERSION"
}

ensure_wasm_pack() {
    local want="wasm-pack $WASM_PACK_VERSION"
    if [ "$(wasm-pack --version 2>/dev/null || true)" = "$want" ]; then
        note "$want: present"
        return
    fi
    note "installing wasm-pack $WASM_PACK_VERSION (about 2 minutes)"
    cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked --force
}

ensure_node_tools() {
    command -v node >/dev/null 2>&1 || die "Node.js $NODE_MIN_VERSION or later is missing"
    local have
    have="$(node --version)"
    have="${have#v}"
    version_at_least "$have" "$NODE_MIN_VERSION" || die "Node.js $have is too old; $NODE_MIN_VERSION or later is needed"
    # npm ci wipes node_modules, so run it only when package-lock.json changed since the last one.
    local stamp="node_modules/.package-lock.sha256" want
    want="$(sha256sum package-lock.json | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        note "npm tools: present (package-lock.json unchanged)"
    else
        note "npm ci"
        npm ci --no-audit --no-fund
        printf '%s\n' "$want" >"$stamp"
    fi
    # wasm-pack runs the first wasm-opt on PATH; it must be the npm one (Debian's 108 breaks modules).
    [ "$(command -v wasm-opt)" = "$ROOT/node_modules/.bin/wasm-opt" ] ||
        die "wasm-opt resolves to $(command -v wasm-opt), not node_modules/.bin/wasm-opt"
}

ensure_test_packages() {
    local missing=() pkg
    for pkg in "${APT_TEST_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        note "Debian packages present: ${APT_TEST_PACKAGES[*]}"
        return
    fi
    is_root || die "missing Debian packages; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    note "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

setup() {
    step "Setup"
    ensure_python
    read_versions
    ensure_rust
    ensure_wasm_bindgen
    ensure_wasm_pack
    ensure_node_tools
}

# ---------------------------------------------------------------------------------------------
# Build

build_wasm() {
    step "WebAssembly package (wasm-pack, --target web) -> pkg/web/"
    # no-install: use the version-checked tools on PATH, never a download or a rebuild of its own.
    wasm-pack build --mode no-install --release --target web --out-dir pkg/web --no-typescript \
        -- "${WASM_FEATURES[@]}"

    # The www page runs from file:// where modules cannot load: it needs the classic-script glue
    # (a `wasm_bindgen` global with initSync). Same compiled .wasm, so no second cargo build.
    step "Classic-script package (wasm-bindgen --target no-modules) -> pkg/classic/"
    local compiled="target/$WASM_TARGET/release/$CRATE_FILE.wasm"
    rm -rf pkg/classic
    wasm-bindgen --target no-modules --no-typescript --out-dir pkg/classic "$compiled"
    # Only the JS glue differs between the targets; when the module does too, optimise it again
    # (wasm-opt under Node.js takes tens of seconds, so reuse pkg/web's whenever possible).
    local scratch
    scratch="$(mktemp -d)"
    wasm-bindgen --target web --no-typescript --out-dir "$scratch" "$compiled"
    if cmp -s "$scratch/${CRATE_FILE}_bg.wasm" "pkg/classic/${CRATE_FILE}_bg.wasm"; then
        cp "$WEB_WASM" "pkg/classic/${CRATE_FILE}_bg.wasm"
        note "module identical to pkg/web's: reused the optimised one"
    else
        wasm-opt "${WASM_OPT_ARGS[@]}" "pkg/classic/${CRATE_FILE}_bg.wasm" -o "pkg/classic/${CRATE_FILE}_bg.wasm"
    fi
    rm -rf "$scratch"
    grep -q 'initSync' "pkg/classic/$CRATE_FILE.js" || die "pkg/classic/$CRATE_FILE.js has no initSync"
}

build_extension() {
    step "Extension -> dist/extension/"
    [ -d extension ] || die "extension/ is missing"
    rm -rf dist/extension
    mkdir -p dist/extension/core
    cp -R extension/. dist/extension/
    cp "pkg/web/$CRATE_FILE.js" "pkg/web/${CRATE_FILE}_bg.wasm" dist/extension/core/
    # The error catalogue comes from the core itself (src/error/catalogue.rs).
    node scripts/error-fields.mjs "pkg/web/$CRATE_FILE.js" "$WEB_WASM" dist/extension/error-fields.js
    if [ -f dist/extension/manifest.json ]; then
        node scripts/set-manifest-version.mjs dist/extension/manifest.json "$CRATE_VERSION"
        note "manifest version $CRATE_VERSION"
    else
        note "extension/manifest.json does not exist yet: dist/extension is not loadable"
    fi
}

build_www() {
    step "www page -> dist/www/"
    if [ -f www/build.mjs ]; then
        rm -rf dist/www
        node www/build.mjs
    else
        note "www/build.mjs does not exist yet: skipped"
    fi
}

build_zip() {
    step "Zip -> dist/tenant-switch-$CRATE_VERSION.zip"
    rm -f dist/tenant-switch-*.zip
    python3 scripts/zip.py dist/extension "dist/tenant-switch-$CRATE_VERSION.zip"
    note "$(wc -c <"dist/tenant-switch-$CRATE_VERSION.zip") bytes"
}

build_policy_templates() {
    step "Group Policy templates (ADMX/ADML for Chrome and Edge) -> dist/policy-templates/"
    # From extension/managed_schema.json and the store IDs in policy/store-ids.json.
    node scripts/admx.mjs dist/policy-templates "$CRATE_VERSION"
}

print_size() {
    [ -f "$WEB_WASM" ] || die "$WEB_WASM does not exist: run ./build.sh first"
    local raw gz
    raw="$(wc -c <"$WEB_WASM")"
    gz="$(gzip -9 -n -c "$WEB_WASM" | wc -c)"
    printf '    %s: %s bytes, gzip -9: %s bytes\n' "$WEB_WASM" "$raw" "$gz"
    node scripts/wasm-size.mjs "$WEB_WASM"
}

print_load_steps() {
    step "Done"
    print_size
    cat <<EOF

    The unpacked extension is in:  $ROOT/dist/extension
    The zip for stores/policies:   $ROOT/dist/tenant-switch-$CRATE_VERSION.zip

    Chrome or Edge:  open chrome://extensions (Edge: edge://extensions), turn on Developer mode,
                     click "Load unpacked" and choose $ROOT/dist/extension
    Firefox:         open about:debugging, click "This Firefox", "Load Temporary Add-on..." and
                     choose $ROOT/dist/extension/manifest.json
EOF
}

build() {
    setup
    build_wasm
    build_extension
    build_www
    build_zip
    build_policy_templates
    print_load_steps
}

# ---------------------------------------------------------------------------------------------
# Test

# Runs the wasm32 tests under wasm-bindgen-test-runner and fails unless some test really ran:
# a runner that finds no test (or, in a browser, a misconfigured driver) still exits 0.
# Usage: run_wasm_tests LABEL [VAR=VALUE...]
run_wasm_tests() {
    local label="$1" log passed
    shift
    log="$(mktemp)"
    # --tests: doctests are native-only (they are plain binaries, not wasm-bindgen tests).
    if ! env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner "$@" \
        cargo test --target "$WASM_TARGET" --tests "${WASM_FEATURES[@]}" 2>&1 | tee "$log"; then
        rm -f "$log"
        die "wasm tests in $label failed"
    fi
    passed="$(sed -n 's/^test result: ok\. \([0-9][0-9]*\) passed.*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')"
    rm -f "$log"
    [ "$passed" -gt 0 ] || die "wasm tests in $label: no test ran"
    note "wasm tests in $label: $passed passed"
}

# The end-to-end files run in two lanes at once, each file under a time limit, so that a test
# that waits forever fails its file instead of the whole run. The Firefox files share one lane
# (Firefox's stand-in binds 127.0.0.1:443); the files that write a machine-wide browser policy run
# alone at the end (every browser started meanwhile would read it).
E2E_FILE_TIMEOUT=300
E2E_FIREFOX_LANE=(tabs-firefox firefox tabs www rewrite purview sync identity)
E2E_ALONE=(policy firefox-policy)

# Runs the named e2e files in order; each one's output goes to target/e2e/NAME.log and a line
# "EXIT SECONDS NAME" to target/e2e/results.
run_e2e_lane() {
    local name started rc
    for name in "$@"; do
        started=$SECONDS
        rc=0
        timeout --kill-after=10 "$E2E_FILE_TIMEOUT" node --test --test-reporter=spec "tests/e2e/$name.test.mjs" \
            >"target/e2e/$name.log" 2>&1 || rc=$?
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            pkill -f "$ROOT/tests/e2e/$name.test.mjs" 2>/dev/null || true
            printf '\nbuild.sh: %s did not finish within %s s: a test waits for something that never comes\n' \
                "$name" "$E2E_FILE_TIMEOUT" >>"target/e2e/$name.log"
        fi
        printf '%s %s %s\n' "$rc" "$((SECONDS - started))" "$name" >>target/e2e/results
    done
}

run_e2e_tests() {
    step "End-to-end tests (node --test; two lanes, at most $E2E_FILE_TIMEOUT s per file)"
    local all=() firefox=() other=() alone=() name path failed=()
    shopt -s nullglob
    for path in tests/e2e/*.test.mjs; do
        name="${path#tests/e2e/}"
        all+=("${name%.test.mjs}")
    done
    shopt -u nullglob
    if [ "${#all[@]}" -eq 0 ]; then
        note "no end-to-end tests yet (tests/e2e/*.test.mjs): skipped"
        return
    fi
    for name in "${all[@]}"; do
        if [[ " ${E2E_ALONE[*]} " == *" $name "* ]]; then
            alone+=("$name")
        elif [[ " ${E2E_FIREFOX_LANE[*]} " == *" $name "* ]]; then
            firefox+=("$name")
        else
            other+=("$name")
        fi
    done
    rm -rf target/e2e
    mkdir -p target/e2e
    run_e2e_lane "${firefox[@]}" &
    local lane=$!
    run_e2e_lane "${other[@]}"
    wait "$lane" || true
    run_e2e_lane "${alone[@]}"
    # Every file's report, the failed ones last, then one line per file.
    for name in "${all[@]}"; do
        grep -q "^0 [0-9]* $name\$" target/e2e/results || { failed+=("$name"); continue; }
        printf '\n--- tests/e2e/%s.test.mjs\n' "$name"
        cat "target/e2e/$name.log"
    done
    for name in "${failed[@]}"; do
        printf '\n--- tests/e2e/%s.test.mjs (FAILED)\n' "$name"
        cat "target/e2e/$name.log"
    done
    step "End-to-end results (exit code, seconds, file)"
    sed 's/^/    /' target/e2e/results
    if [ "${#failed[@]}" -gt 0 ]; then
        die "end-to-end tests failed in: ${failed[*]}"
    fi
    note "end-to-end tests: ${#all[@]} files passed"
}

test_all() {
    build

    step "Debian packages for the browser tests"
    ensure_test_packages
    ensure_rust_lint_tools

    step "cargo fmt --check"
    cargo fmt --check

    step "cargo clippy --all-targets -- -D warnings"
    cargo clippy --all-targets -- -D warnings

    step "cargo test (native)"
    cargo test

    step "wasm tests in Node.js"
    run_wasm_tests "Node.js"

    step "wasm tests in headless Chromium"
    run_wasm_tests "headless Chromium" CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1

    step "ESLint"
    eslint --max-warnings 0 .

    # The checks addons.mozilla.org runs on upload; fails on anything but the one warning a
    # single package for Chrome, Edge and Firefox needs (see the script).
    step "web-ext lint (dist/extension)"
    node scripts/lint-extension.mjs dist/extension

    run_e2e_tests

    step "All checks and tests passed"
}

# ---------------------------------------------------------------------------------------------
# Run

run_browser() {
    [ -x /usr/bin/chromium ] || die "Chromium is missing; run: sudo apt-get install -y chromium"
    [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || die "no display (DISPLAY is unset): run this from a desktop session"
    build
    [ -f dist/extension/manifest.json ] || die "dist/extension/manifest.json is missing"
    # Global, not local: the EXIT trap runs after this function's variables are gone.
    RUN_PROFILE="$(mktemp -d -t tenant-switch-profile.XXXXXX)"
    trap 'rm -rf "$RUN_PROFILE"' EXIT
    local args=(
        "--user-data-dir=$RUN_PROFILE"
        "--disable-extensions-except=$ROOT/dist/extension"
        "--load-extension=$ROOT/dist/extension"
        --no-first-run
        --no-default-browser-check
    )
    # Chromium refuses to run as root with its sandbox on.
    if is_root; then
        args+=(--no-sandbox)
    fi
    step "Chromium with dist/extension loaded (temporary profile $RUN_PROFILE)"
    /usr/bin/chromium "${args[@]}" "https://security.microsoft.com/"
}

usage() {
    sed -n '2,10s/^# \{0,1\}//p' "$ROOT/build.sh"
}

case "${1:-build}" in
    build) build ;;
    test) test_all ;;
    run) run_browser ;;
    size)
        print_size
        ;;
    # Each is its own script, which builds what it needs; neither is part of `test`.
    bench) exec scripts/bench.sh "${@:2}" ;;
    fuzz) exec scripts/fuzz.sh "${@:2}" ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
esac
