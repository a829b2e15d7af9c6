# Shared helpers for scripts/run and scripts/test. Source it; it does nothing on its own.
# Every step checks first and acts only when something is missing, so a second run is quick.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# Tools installed by cargo come first: Debian's wasm-opt (binaryen 108) breaks release bundles.
export PATH="$HOME/.cargo/bin:$PATH"

PRIVATE_PG_DIR="$ROOT/.pgdata"
PRIVATE_PG_PORT=5433

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*"; return 1; fi
}

apt_install() {
  say "installing Debian packages: $*"
  as_root apt-get update -qq || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The wasm-bindgen version the workspace locks; the CLI must match it exactly.
locked_wasm_bindgen() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# wasm-opt comes from npm's binaryen package (seconds to install; a current binaryen). Debian's
# binaryen 108 silently breaks release bundles, so it is never used.
WASM_OPT="$ROOT/scripts/tools/node_modules/.bin/wasm-opt"
ESBUILD="$ROOT/scripts/tools/node_modules/.bin/esbuild"

ensure_wasm_opt() {
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -x "$WASM_OPT" ] || [ ! -x "$ESBUILD" ] || [ scripts/tools/package-lock.json -nt scripts/tools/node_modules/.package-lock.json ]; then
    say "installing wasm-opt (npm package binaryen) and esbuild; seconds"
    (cd scripts/tools && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

wasm_bindgen_ok() {
  [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$(locked_wasm_bindgen)" ]
}

install_wasm_bindgen() {
  local wbg; wbg="$(locked_wasm_bindgen)"
  say "installing wasm-bindgen-cli $wbg (matches Cargo.lock; about 5 minutes, once)"
  # --locked first; if a locked dependency is missing from the registry, let cargo resolve.
  cargo install -q wasm-bindgen-cli --version "$wbg" --locked || cargo install -q wasm-bindgen-cli --version "$wbg"
}

# The tools the release build needs. cargo-leptos is not one of them: build_release drives the
# same steps itself (cargo-leptos stays the tool for `cargo leptos watch` while developing).
# wasm-bindgen-cli, the one slow install, is started in the background and awaited only when
# the build needs it, so it compiles while the project does.
WBG_PID=""
ensure_build_tools() {
  command -v cargo >/dev/null || { say "Rust is missing: install it with rustup first"; exit 1; }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  ensure_wasm_opt
  if ! wasm_bindgen_ok; then
    mkdir -p "$ROOT/target"
    install_wasm_bindgen >"$ROOT/target/wasm-bindgen-install.log" 2>&1 &
    WBG_PID=$!
  fi
}

await_wasm_bindgen() {
  if [ -n "$WBG_PID" ]; then
    say "waiting for the wasm-bindgen-cli install to finish"
    wait "$WBG_PID" || { cat "$ROOT/target/wasm-bindgen-install.log"; say "installing wasm-bindgen-cli failed"; exit 1; }
    WBG_PID=""
  fi
  wasm_bindgen_ok || { say "wasm-bindgen $(locked_wasm_bindgen) is not on PATH"; exit 1; }
}

# The WASM bundles: one per page group, each with only its pages' islands (feature
# `bundle-<name>` of the app crate; `app::app::bundle_for` says which page loads which).
BUNDLES=(studio cluster admin)

# The release build, the steps cargo-leptos 0.3 performs for this workspace, once per bundle:
# the hydrate library for wasm32 (profile wasm-release), wasm-bindgen, wasm-opt -Oz; then the
# server natively, and the style and public assets into target/site. Every file under pkg/ is
# named by its content hash (listed in pkg/bundles.json, read by the server), so browsers may
# cache it for good.
SITE="$ROOT/target/site"
CARGO_REGISTRY_SRC="${CARGO_HOME:-$HOME/.cargo}/registry/src"
build_release() {
  local front="$ROOT/target/front" wasm="$ROOT/target/wasm32-unknown-unknown/wasm-release/app.wasm" b
  mkdir -p "$front"
  # Panic locations name source files; without the machine's folders they are shorter (and the
  # bundle the same on every machine).
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--remap-path-prefix=$CARGO_REGISTRY_SRC= --remap-path-prefix=$ROOT/="
  for b in "${BUNDLES[@]}"; do
    say "building the $b WASM bundle (wasm32, size-optimised; the first build takes several minutes)"
    cargo build -q --package app --lib --target wasm32-unknown-unknown --profile wasm-release \
      --no-default-features --features "hydrate,bundle-$b"
    mkdir -p "$front/$b"; cp "$wasm" "$front/$b/app.wasm"
  done
  say "building the server (release)"
  cargo build -q --package switchyard --bin switchyard --release
  await_wasm_bindgen
  local pkg="$SITE/pkg" h css manifest=""
  rm -rf "$pkg"; mkdir -p "$pkg"
  cp -r "$ROOT/public/." "$SITE/"
  for b in "${BUNDLES[@]}"; do
    wasm-bindgen "$front/$b/app.wasm" --target web --no-typescript --out-dir "$front/$b" --out-name "$b"
    # The features rustc enables by default for wasm32; wasm-opt must accept them.
    "$WASM_OPT" -Oz --converge --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$front/$b/${b}_bg.wasm" -o "$front/$b/$b.wasm"
    # The JS glue, minified (an ES module: its exports keep their names).
    "$ESBUILD" --minify --format=esm --log-level=warning "$front/$b/$b.js" --outfile="$front/$b/$b.min.js"
    # One hash for the pair: the page names both files by one stem.
    h="$(cat "$front/$b/$b.min.js" "$front/$b/$b.wasm" | sha256sum | cut -c1-16)"
    cp "$front/$b/$b.min.js" "$pkg/$b.$h.js"
    cp "$front/$b/$b.wasm" "$pkg/$b.$h.wasm"
    manifest+="${manifest:+,}\"$b\":\"$b.$h\""
  done
  h="$(sha256sum "$ROOT/style/main.css" | cut -c1-16)"
  css="switchyard.$h.css"
  cp "$ROOT/style/main.css" "$pkg/$css"
  printf '{"css":"%s","bundles":{%s}}\n' "$css" "$manifest" >"$pkg/bundles.json"
  target/release/switchyard precompress "$pkg"
  say "site in target/site; bundles: $(tr -d '\n' <"$pkg/bundles.json")"
}

# Budgets of the first load, in KiB of WASM + JS as the server sends them (DESIGN.md: the studio
# 180, every other bundle 250), for both encodings: brotli, which every current browser takes,
# and gzip (zopfli), for clients behind proxies that take no brotli. Sizes, not times: stable
# in CI.
check_bundle_sizes() {
  local pkg="$SITE/pkg" b stem br gz budget failed=0
  for b in "${BUNDLES[@]}"; do
    stem="$(sed -n "s/.*\"$b\":\"\([^\"]*\)\".*/\1/p" "$pkg/bundles.json")"
    [ -n "$stem" ] || { say "bundle $b is missing from $pkg/bundles.json"; return 1; }
    br=$(( ($(stat -c %s "$pkg/$stem.wasm.br") + $(stat -c %s "$pkg/$stem.js.br") + 1023) / 1024 ))
    gz=$(( ($(stat -c %s "$pkg/$stem.wasm.gz") + $(stat -c %s "$pkg/$stem.js.gz") + 1023) / 1024 ))
    budget=250; [ "$b" = studio ] && budget=180
    printf 'bundle %-8s %4s KiB of WASM + JS brotli, %4s KiB gzip (budget %s)\n' "$b" "$br" "$gz" "$budget"
    if [ "$br" -gt "$budget" ]; then say "bundle $b: $br KiB (brotli) is over its budget of $budget KiB"; failed=1; fi
    if [ "$gz" -gt "$budget" ]; then say "bundle $b: $gz KiB (gzip) is over its budget of $budget KiB"; failed=1; fi
  done
  return $failed
}

# The `adrs` CLI, an outside reader of the exported ADRs (scripts/test); about 5 minutes, once,
# in the background while the project compiles.
ADRS_VERSION=0.13.0
ADRS_PID=""
ensure_adrs_cli() {
  if [ "$(adrs --version 2>/dev/null | awk '{print $2}')" != "$ADRS_VERSION" ]; then
    mkdir -p "$ROOT/target"
    say "installing the adrs CLI $ADRS_VERSION in the background (about 5 minutes, once)"
    cargo install -q adrs --version "$ADRS_VERSION" --no-default-features --locked >"$ROOT/target/adrs-install.log" 2>&1 &
    ADRS_PID=$!
  fi
}

await_adrs_cli() {
  if [ -n "$ADRS_PID" ]; then
    wait "$ADRS_PID" || { cat "$ROOT/target/adrs-install.log"; say "installing the adrs CLI failed"; exit 1; }
    ADRS_PID=""
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
}

ensure_npm_packages() {
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -d e2e/node_modules ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
    say "installing the end-to-end test packages"
    (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The Python readers (schemathesis, prometheus-client) in a virtualenv kept outside the clone,
# one per requirements file, so a fresh clone reuses it.
PY_VENV=""
ensure_python_tools() {
  local req="$ROOT/e2e/fuzz/requirements.txt" h
  h="$(sha256sum "$req" | cut -c1-12)"
  PY_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/switchyard/venv-$h"
  if [ ! -x "$PY_VENV/bin/schemathesis" ]; then
    command -v python3 >/dev/null || apt_install python3 python3-venv
    python3 -m venv "$PY_VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$PY_VENV"; }
    say "installing schemathesis and prometheus-client (once)"
    "$PY_VENV/bin/pip" install -q --disable-pip-version-check -r "$req"
  fi
}

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Starts (creating it if needed) a PostgreSQL cluster in .pgdata on port 5433.
start_private_postgres() {
  local bin; bin="$(pg_bin)"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    apt_install postgresql
    bin="$(pg_bin)"
  fi
  local run=()
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root; the cluster belongs to the postgres user.
    id postgres >/dev/null 2>&1 || as_root useradd --system --home-dir "$PRIVATE_PG_DIR" postgres
    run=(runuser -u postgres --)
  fi
  if [ ! -f "$PRIVATE_PG_DIR/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in $PRIVATE_PG_DIR"
    mkdir -p "$PRIVATE_PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$PRIVATE_PG_DIR"
    "${run[@]}" "$bin/initdb" -D "$PRIVATE_PG_DIR" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$PRIVATE_PG_PORT"; then
    say "starting the private PostgreSQL cluster on 127.0.0.1:$PRIVATE_PG_PORT"
    "${run[@]}" "$bin/pg_ctl" -D "$PRIVATE_PG_DIR" -l "$PRIVATE_PG_DIR/server.log" -w \
      -o "-p $PRIVATE_PG_PORT -k $PRIVATE_PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null
  fi
}

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sets DATABASE_URL_BASE (server URL without a database name): the given DATABASE_URL's server, the
# machine's PostgreSQL on 127.0.0.1:5432, or a private cluster started here.
ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    DATABASE_URL_BASE="${DATABASE_URL%/*}"
    return
  fi
  if ! port_answers 5432 && command -v pg_ctlcluster >/dev/null && ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "PostgreSQL on 127.0.0.1:5432 is down; starting the machine's cluster"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
    sleep 1
  fi
  if port_answers 5432; then
    DATABASE_URL_BASE="postgres://postgres@127.0.0.1:5432"
  else
    say "nothing answers on 127.0.0.1:5432 and DATABASE_URL is unset: using a private cluster in .pgdata"
    start_private_postgres
    DATABASE_URL_BASE="postgres://postgres@127.0.0.1:$PRIVATE_PG_PORT"
  fi
}
