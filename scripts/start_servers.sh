#!/usr/bin/env bash
# Start a PostgreSQL server and a Chroma server for budgetqa, with all their data under DIR.
#
#   eval "$(bash scripts/start_servers.sh /srv/budgetqa)"     # exports BUDGETQA_DATABASE_URL, _CHROMA_HOST/PORT
#   bash scripts/stop_servers.sh /srv/budgetqa
#
# Both listen on 127.0.0.1 only. Ports: PG_PORT / CHROMA_PORT, else a free port each. The export lines
# are printed on stdout and kept in DIR/env; ENV_PREFIX (default BUDGETQA_) renames them, e.g.
# ENV_PREFIX=BUDGETQA_TEST_ for the test suite. Running again on a DIR that holds data restarts the
# same servers on it. PostgreSQL comes from Debian (`apt-get install postgresql`); as root it runs
# as the `postgres` user. `chroma run` comes with the chromadb package (CHROMA_BIN, else `chroma`
# on PATH, else .venv/bin/chroma). See docs/SERVERS.md.
set -euo pipefail

dir=${1:?usage: start_servers.sh DIR}
prefix=${ENV_PREFIX:-BUDGETQA_}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "start_servers: $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---------------------------------------------------------------- PostgreSQL
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  log "PostgreSQL is not installed: apt-get install -y postgresql"
  exit 1
fi
as_pg() {  # initdb and postgres refuse to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pgdata=$dir/pg/data
mkdir -p "$dir/pg"
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir/pg"
  chmod o+x "$dir"  # mktemp makes DIR owner-only; the postgres user must reach DIR/pg
fi
pg_port=${PG_PORT:-$(free_port)}
pw_file=$dir/pg/password
if [ ! -f "$pgdata/PG_VERSION" ]; then
  python3 -c 'import secrets; print(secrets.token_urlsafe(18))' >"$pw_file"
  chmod 600 "$pw_file"
  # local socket: trust (only the owner can reach DIR/pg); TCP: password (scram-sha-256)
  as_pg "$pgbin/initdb" -D "$pgdata" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/pg/initdb.log" 2>&1 \
    || { cat "$dir/pg/initdb.log" >&2; exit 1; }
  fresh=1
else
  fresh=0
fi
as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$dir/pg/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$dir/pg -c max_connections=200" \
  start >/dev/null || { tail -n 20 "$dir/pg/server.log" >&2; exit 1; }
if [ "$fresh" = 1 ]; then
  pw=$(cat "$pw_file")
  as_pg "$pgbin/psql" -q -h "$dir/pg" -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE budgetqa LOGIN CREATEDB PASSWORD '$pw'" \
    -c "CREATE DATABASE budgetqa OWNER budgetqa ENCODING 'UTF8'" >/dev/null
fi
pw=$(cat "$pw_file")
log "PostgreSQL $(basename "$(dirname "$pgbin")") on 127.0.0.1:$pg_port, data in $pgdata"

# ---------------------------------------------------------------- Chroma
chroma=${CHROMA_BIN:-$(command -v chroma || echo "$here/.venv/bin/chroma")}
if [ ! -x "$chroma" ]; then
  log "no chroma command: pip install chromadb (or set CHROMA_BIN)"
  exit 1
fi
chroma_port=${CHROMA_PORT:-$(free_port)}
heartbeat() {  # python, not curl: a fresh Debian has python3 but not always curl
  python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
    "http://127.0.0.1:$chroma_port/api/v2/heartbeat" >/dev/null 2>&1
}
mkdir -p "$dir/chroma"
# no terminal, no inherited stdout: the caller's $(...) must not wait for this server to exit
ANONYMIZED_TELEMETRY=False nohup "$chroma" run --path "$dir/chroma" --host 127.0.0.1 --port "$chroma_port" \
  </dev/null >"$dir/chroma.log" 2>&1 &
echo $! >"$dir/chroma.pid"
for _ in $(seq 1 120); do
  if heartbeat; then break; fi
  if ! kill -0 "$(cat "$dir/chroma.pid")" 2>/dev/null; then
    tail -n 20 "$dir/chroma.log" >&2
    log "chroma run exited"
    exit 1
  fi
  sleep 0.5
done
heartbeat || { tail -n 20 "$dir/chroma.log" >&2; log "chroma run did not answer in 60 s"; exit 1; }
log "Chroma $("$chroma" --version 2>/dev/null | awk '{print $NF}') on 127.0.0.1:$chroma_port, data in $dir/chroma"

cat >"$dir/env" <<EOF
export ${prefix}DATABASE_URL=postgresql://budgetqa:$pw@127.0.0.1:$pg_port/budgetqa
export ${prefix}CHROMA_HOST=127.0.0.1
export ${prefix}CHROMA_PORT=$chroma_port
EOF
chmod 600 "$dir/env"
cat "$dir/env"
