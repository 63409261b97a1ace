#!/usr/bin/env bash
# Stop the servers scripts/start_servers.sh started on DIR; the data stays (start again to reuse it).
set -uo pipefail

dir=${1:?usage: stop_servers.sh DIR}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$pgbin" ] && [ -f "$dir/pg/data/postmaster.pid" ]; then
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null
  else
    "$pgbin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null
  fi
fi
if [ -f "$dir/chroma.pid" ]; then
  pid=$(cat "$dir/chroma.pid")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/chroma.pid"
fi
exit 0
