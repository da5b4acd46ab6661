#!/usr/bin/env bash
# Peak RSS and wall time of the inventory example (release), with --json, --ndjson and
# without them (the summary), against the scaleway-sim command running in another process
# (its memory is not counted), through SCW_* variables as a user would point it at an API.
#
#   bash scaleway-inventory/benches/example.sh            # both workloads, 3 runs each
#   RUNS=5 bash scaleway-inventory/benches/example.sh large
#   bash scaleway-inventory/benches/example.sh latency
#
# * large:   ~100 000 resources in one project (40 000 servers, 40 000 Block volumes,
#            20 000 secrets), no added latency;
# * latency: ~10 000 resources (4 000 servers, 4 000 Block volumes, 2 000 secrets),
#            30 ms per request (the simulator's latency fault).
#
# Needs Linux and /usr/bin/time (GNU time, for -v). Prints, per run: wall time, peak RSS
# (the example's "Maximum resident set size"), the size of what it wrote.
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-3}
SOURCES=instance,block,secret,kubernetes,vpc,registry
cargo build --release --quiet -p scaleway-sim --bin scaleway-sim
cargo build --release --quiet --example inventory
SIM=target/release/scaleway-sim
EXAMPLE=target/release/examples/inventory
TMP=$(mktemp -d)
SIM_PID=
cleanup() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# Starts the simulator with "$@" and exports SCW_* for its `inventory` key.
start_sim() {
  "$SIM" --port 0 "$@" > "$TMP/sim.out" 2>"$TMP/sim.err" &
  SIM_PID=$!
  for _ in $(seq 1 600); do
    if grep -q '^credential name=inventory ' "$TMP/sim.out" 2>/dev/null; then break; fi
    sleep 0.1
  done
  local line
  line=$(grep '^credential name=inventory ' "$TMP/sim.out")
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
  export SCW_API_URL; SCW_API_URL=$(sed -n 's/^SCW_API_URL=//p' "$TMP/sim.out")
  export SCW_ACCESS_KEY; SCW_ACCESS_KEY=$(field access_key)
  export SCW_SECRET_KEY; SCW_SECRET_KEY=$(field secret_key)
  export SCW_DEFAULT_ORGANIZATION_ID; SCW_DEFAULT_ORGANIZATION_ID=$(field organization_id)
  export SCW_DEFAULT_PROJECT_ID; SCW_DEFAULT_PROJECT_ID=$(field project_id)
}

stop_sim() {
  kill "$SIM_PID" 2>/dev/null || true
  wait "$SIM_PID" 2>/dev/null || true
  SIM_PID=
}

# measure LABEL [example args...]: RUNS runs, stdout to a file.
measure() {
  local label=$1; shift
  for i in $(seq 1 "$RUNS"); do
    local status=0
    /usr/bin/time -v -o "$TMP/time" "$EXAMPLE" --sources "$SOURCES" "$@" \
      > "$TMP/out" 2>"$TMP/err" || status=$?
    local rss wall cpu bytes
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TMP/time")
    cpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.2f", t }' "$TMP/time")
    bytes=$(stat -c %s "$TMP/out")
    printf '  %-10s run %d: wall %s, CPU %5s s, peak RSS %6.1f MB, %6.1f MB written, exit %d\n' \
      "$label" "$i" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$(echo "$bytes / 1048576" | bc -l)" "$status"
  done
}

workload() {
  echo "$1"
  shift
  start_sim "$@"
  measure summary
  measure --json --json
  measure --ndjson --ndjson
  stop_sim
}

want() { [ $# -eq 0 ] || [[ " ${ARGS[*]} " == *" $1 "* ]]; }
ARGS=("$@")
if [ ${#ARGS[@]} -eq 0 ] || want large; then
  workload "large: ~100k resources, one project, no added latency" \
    --large servers=40000,block_volumes=40000,secrets=20000,buckets=0,images=0,projects=0
fi
if [ ${#ARGS[@]} -eq 0 ] || want latency; then
  workload "latency: ~10k resources, one project, 30 ms per request" \
    --large servers=4000,block_volumes=4000,secrets=2000,buckets=0,images=0,projects=0 --latency-ms 30
fi
