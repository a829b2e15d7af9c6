# Shared helpers for scripts/run and scripts/test. Source it; it does nothing on its own.
# Every step checks first and acts only when something is missing, so a second run is quick.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# Tools installed by cargo come first: Debian's wasm-opt (binaryen 108) breaks release bundles.
export PATH="$HOME/.cargo/bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.8
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

ensure_build_tools() {
  command -v cargo >/dev/null || { say "Rust is missing: install it with rustup first"; exit 1; }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes on 2 cores, once)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  local wbg; wbg="$(locked_wasm_bindgen)"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wbg" ]; then
    say "installing wasm-bindgen-cli $wbg (matches Cargo.lock; about 6 minutes, once)"
    # --locked first; if a locked dependency is missing from the registry, let cargo resolve.
    cargo install wasm-bindgen-cli --version "$wbg" --locked || cargo install wasm-bindgen-cli --version "$wbg"
  fi
  if ! "$HOME/.cargo/bin/wasm-opt" --version 2>/dev/null | grep -q 'version 1[1-9][0-9]'; then
    say "installing wasm-opt (binaryen 116+; about 8 minutes, once)"
    cargo install wasm-opt --locked
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
