#!/usr/bin/env bash
# Serve a class: N app processes (replicas) behind HAProxy, on one URL.
#
#   bash scripts/serve.sh --replicas 2 --port 8501            # students open http://<this machine>:8501
#   bash scripts/serve.sh --replicas 1 --port 8501 --no-balancer   # one process, no HAProxy (benchmarks)
#
# Options: --replicas N (default: one per core), --port P (the URL's port; replicas listen on 127.0.0.1:P+1..P+N),
# --address A (where the balancer listens; default 0.0.0.0 so phones on the room's network reach it),
# --run-dir D (config, logs, HAProxy's admin socket, the "replicas" file: name port pid; default a temporary
# folder removed at exit), --no-restart (a replica that dies stays down; default: restarted), --no-balancer,
# --no-pin (replicas float over every core; default: each pinned to a core of its own, see below),
# --no-static-cache (the balancer passes Streamlit's frontend files to the replicas instead of keeping them: A/B);
# anything after "--" goes to every `streamlit run` (e.g. -- --runner.postScriptGC true).
# Cores: when serve.sh may run on more than one core (its own affinity: `taskset -c 0,1 bash scripts/serve.sh`
# limits it), replica i is pinned to the i-th of them (`taskset -c`, round robin): a replica's script threads
# then never migrate between cores or crowd another replica's core (bench/RESULTS.md "Crowd"). On one core,
# or without taskset, nothing is pinned.
# One cookie secret for all replicas (STREAMLIT_SERVER_COOKIE_SECRET, generated when unset), and one class store
# (B12_CLASS_STORE: sqlite:///PATH or redis://HOST:PORT/DB; default an SQLite file in the run dir).
# Memory per replica: B12_REPLICA_MEMORY_MB (default 3000): a replica above it is stopped and restarted, and
# the balancer's health checks send its students elsewhere meanwhile. Temporary files go to a memory
# filesystem (/dev/shm), never to disk: uploads are patients' results.
# Waits until every replica and the balancer answer /_stcore/health, prints the URL, and on SIGTERM or Ctrl-C
# stops every process it started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

replicas=$(nproc 2>/dev/null || echo 1)
port=8501
address=0.0.0.0
run_dir=""
restart=1
balancer=1
pin=1
static_cache=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) replicas=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --address) address=$2; shift 2 ;;
    --run-dir) run_dir=$2; shift 2 ;;
    --no-restart) restart=0; shift ;;
    --no-balancer) balancer=0; shift ;;
    --no-pin) pin=0; shift ;;
    --no-static-cache) static_cache=0; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "serve.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$replicas" =~ ^[1-9][0-9]*$ ]] || { echo "serve.sh: --replicas must be a positive integer" >&2; exit 2; }
[[ "$port" =~ ^[0-9]+$ ]] || { echo "serve.sh: --port must be a number" >&2; exit 2; }
if [ "$balancer" = 0 ] && [ "$replicas" != 1 ]; then
  echo "serve.sh: --no-balancer serves one replica only" >&2; exit 2
fi
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
if [ "$balancer" = 1 ] && [ ! -x "$HAPROXY" ]; then
  echo "serve.sh: HAProxy not found; run scripts/install.sh" >&2; exit 2
fi

own_dir=0
if [ -z "$run_dir" ]; then run_dir=$(mktemp -d -t b12-serve.XXXXXX); own_dir=1; fi
mkdir -p "$run_dir"
# One class store for every replica (pages/class_room.py): B12_CLASS_STORE, else an SQLite file in the run dir.
export B12_CLASS_STORE="${B12_CLASS_STORE:-sqlite:///$(cd "$run_dir" && pwd)/class-rooms.sqlite3}"
export STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')}"

memory_mb=${B12_REPLICA_MEMORY_MB:-3000}
[[ "$memory_mb" =~ ^[1-9][0-9]*$ ]] || { echo "serve.sh: B12_REPLICA_MEMORY_MB must be a positive integer" >&2; exit 2; }
# TMPDIR on a memory filesystem for every replica: whatever spools (Python's tempfile) stays off the disk.
mem_tmp=$(mktemp -d -p /dev/shm b12-tmp.XXXXXX 2>/dev/null || true)
if [ -z "$mem_tmp" ]; then
  echo "serve.sh: /dev/shm (a memory filesystem) is not writable; refusing to spool uploads to disk" >&2; exit 2
fi

declare -a pids ports
# The cores this script may use (its affinity, inherited by what it starts), e.g. "0 1": one per replica.
cores=()
if [ "$pin" = 1 ] && command -v taskset >/dev/null; then
  read -r -a cores <<<"$(taskset -cp $$ | sed 's/.*: //' | awk -F, '{
    for (i = 1; i <= NF; i++) { n = split($i, r, "-"); if (n == 2) for (c = r[1]; c <= r[2]; c++) printf "%d ", c; else printf "%d ", $i } }')"
fi
haproxy_pid=""
stopping=0

replica_port() { if [ "$balancer" = 1 ]; then echo $((port + $1)); else echo "$port"; fi; }

start_replica() {  # $1: replica number (1..N)
  local i=$1 p
  p=$(replica_port "$i")
  local pin_cmd=()
  if [ "${#cores[@]}" -gt 1 ]; then pin_cmd=(taskset -c "${cores[$(((i - 1) % ${#cores[@]}))]}"); fi
  TMPDIR="$mem_tmp" ${pin_cmd[@]+"${pin_cmd[@]}"} .venv/bin/streamlit run "$ROOT/app.py" --server.port "$p" --server.address 127.0.0.1 --server.headless true \
    ${extra[@]+"${extra[@]}"} >>"$run_dir/app$i.log" 2>&1 &
  pids[i]=$!
  ports[i]=$p
}

write_replicas() {
  : >"$run_dir/replicas.tmp"
  for i in $(seq 1 "$replicas"); do echo "app$i ${ports[i]} ${pids[i]}" >>"$run_dir/replicas.tmp"; done
  mv "$run_dir/replicas.tmp" "$run_dir/replicas"
}

healthy() { curl -fs -o /dev/null --max-time 2 "http://$1/_stcore/health"; }

stop_all() {
  [ "$stopping" = 1 ] && return
  stopping=1
  local all=() pid
  [ -n "$haproxy_pid" ] && all+=("$haproxy_pid")
  for pid in "${pids[@]}"; do all+=("$pid"); done
  for pid in "${all[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do  # up to 5 s for a clean exit, then SIGKILL
    local alive=0
    for pid in "${all[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${all[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$own_dir" = 1 ]; then rm -rf "$run_dir"; fi
  rm -rf "$mem_tmp"
  echo "serve.sh: stopped"
}
trap 'stop_all; exit 0' TERM INT
trap 'stop_all' EXIT

for i in $(seq 1 "$replicas"); do start_replica "$i"; done
write_replicas

if [ "$balancer" = 1 ]; then
  # deploy/haproxy.cfg's rules, with this machine's address, an admin socket and local server lines.
  {
    sed -n '1,/# servers/p' deploy/haproxy.cfg |
      sed -e "s|^    bind :8501|    bind $address:$port|" -e "s|^global$|global\n    stats socket $run_dir/haproxy.sock mode 600 level admin|" |
      if [ "$static_cache" = 1 ]; then cat; else sed -e '/cache-use static/d'; fi
    for i in $(seq 1 "$replicas"); do echo "    server app$i 127.0.0.1:${ports[i]} cookie app$i"; done
  } >"$run_dir/haproxy.cfg"
  "$HAPROXY" -c -q -f "$run_dir/haproxy.cfg"
fi

# Wait for every replica (a cold start imports streamlit, pandas and plotly: several seconds each).
deadline=$((SECONDS + 120))
for i in $(seq 1 "$replicas"); do
  until healthy "127.0.0.1:${ports[i]}"; do
    kill -0 "${pids[i]}" 2>/dev/null || { echo "serve.sh: replica app$i exited; see $run_dir/app$i.log" >&2; tail -5 "$run_dir/app$i.log" >&2; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "serve.sh: replica app$i not healthy after 120 s" >&2; exit 1; }
    sleep 0.2
  done
done

if [ "$balancer" = 1 ]; then
  "$HAPROXY" -W -db -f "$run_dir/haproxy.cfg" >>"$run_dir/haproxy.log" 2>&1 &
  haproxy_pid=$!
  echo "$haproxy_pid" >"$run_dir/haproxy.pid"
  host=127.0.0.1; [ "$address" != 0.0.0.0 ] && host=$address
  # Healthy through the balancer, and every server marked up (HAProxy starts them up, then checks).
  until healthy "$host:$port"; do
    kill -0 "$haproxy_pid" 2>/dev/null || { echo "serve.sh: HAProxy exited; see $run_dir/haproxy.log" >&2; tail -5 "$run_dir/haproxy.log" >&2; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "serve.sh: balancer not healthy" >&2; exit 1; }
    sleep 0.2
  done
fi

url_host=127.0.0.1
if [ "$address" = 0.0.0.0 ]; then
  lan=$(hostname -I 2>/dev/null | awk '{print $1}')
  [ -n "$lan" ] && url_host=$lan
elif [ "$balancer" = 1 ]; then
  url_host=$address
fi
echo "serve.sh: $replicas replica(s) healthy; run dir $run_dir"
echo "URL: http://$url_host:$port"

# Supervise: a replica that dies is restarted (HAProxy takes it back once its health check passes).
while true; do
  sleep 1 &
  wait $! || true
  for i in $(seq 1 "$replicas"); do
    rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/${pids[i]}/status" 2>/dev/null || echo 0)
    if [ "${rss_kb:-0}" -gt $((memory_mb * 1024)) ]; then  # over its memory limit: stop it (restarted below)
      echo "serve.sh: replica app$i (pid ${pids[i]}) uses $((rss_kb / 1024)) MB, over $memory_mb MB; restarting" >&2
      kill -TERM "${pids[i]}" 2>/dev/null || true
      for _ in $(seq 1 30); do kill -0 "${pids[i]}" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "${pids[i]}" 2>/dev/null || true
    fi
    if ! kill -0 "${pids[i]}" 2>/dev/null; then
      wait "${pids[i]}" 2>/dev/null || true
      if [ "$restart" = 1 ]; then
        echo "serve.sh: replica app$i (pid ${pids[i]}) exited; restarting" >&2
        start_replica "$i"
        write_replicas
      fi
    fi
  done
  if [ -n "$haproxy_pid" ] && ! kill -0 "$haproxy_pid" 2>/dev/null; then
    echo "serve.sh: HAProxy exited; stopping" >&2
    exit 1
  fi
done
