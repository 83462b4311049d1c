#!/usr/bin/env bash
# bench/foundation.sh — the foundation's performance figures, measured on
# this machine (see bench/README.md and docs/performance.md):
#
#   1. home page requests/s as a ratio of a bare net/http hello handler,
#      both loaded in the same run with the same GOMAXPROCS (target >= 0.5)
#   2. start to ready on an empty SQLite database: process exec until
#      /readyz answers 200, STARTS times with fresh data dirs (target <= 500 ms)
#   3. idle resident memory (VmRSS) after start and a few requests
#      (target <= 40 MB)
#   4. binary size, plain `go build` and `-trimpath -ldflags "-s -w"`
#
# It measures; it asserts nothing (exit 0 even when a target is missed,
# non-zero only when something could not be measured). Every server listens
# on 127.0.0.1 only. Settings (environment):
#
#   DURATION=5s      measured load per round
#   WARMUP=1s        load sent before each round, not counted
#   CONCURRENCY=64   connections of the load generator
#   ROUNDS=3         hello/app rounds, alternated; the best of each is used
#   SERVER_PROCS=1   GOMAXPROCS of both servers under load
#   LOAD_PROCS=1     GOMAXPROCS of the load generator
#   PIN=auto         auto: with taskset and >= 2 CPUs, servers on CPU 0 and
#                    the load generator on CPU 1; no: let the kernel place them
#   STARTS=5         start-to-ready repetitions
#   QUIET_WAIT=60    seconds to wait for other processes to calm down before
#                    timing (0: don't wait)
#   IDLE_WAIT=5      seconds idle before reading VmRSS
#   PORT=18080       first of three consecutive ports to use
#   REV=HEAD         build the app from this commit (git archive) instead of
#                    the work tree; the bench tools always come from the tree
#   KEEP=1           keep the temp dir (binaries, logs) for a look afterwards
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
CONCURRENCY=${CONCURRENCY:-64}
ROUNDS=${ROUNDS:-3}
SERVER_PROCS=${SERVER_PROCS:-1}
LOAD_PROCS=${LOAD_PROCS:-1}
PIN=${PIN:-auto}
STARTS=${STARTS:-5}
QUIET_WAIT=${QUIET_WAIT:-60}
IDLE_WAIT=${IDLE_WAIT:-5}
PORT=${PORT:-18080}
KEEP=${KEEP:-}
REV=${REV:-}

APP_PORT=$PORT
HELLO_PORT=$((PORT + 1))
START_PORT=$((PORT + 2))

section() { printf '\n==== %s ====\n' "$*"; }
die() {
	echo "foundation.sh: $*" >&2
	exit 1
}

# --- processes and clean-up ------------------------------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/notalone-bench.XXXXXX")
PIDS=()

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [ -n "$KEEP" ]; then
		echo "kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# stop_pid PID: ask the process to stop, wait for it, and forget it.
stop_pid() {
	local pid=$1 p keep=()
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for p in "${PIDS[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# port_free PORT: nothing listens there.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# http_status PORT PATH: the status code of GET PATH, or 000 when nothing
# answers. Uses bash's /dev/tcp, so polling spawns no process.
http_status() {
	local line=""
	if exec 3<>"/dev/tcp/127.0.0.1/$1"; then
		printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
		IFS= read -r -t 2 line <&3 || true
		exec 3>&- 3<&-
	fi 2>/dev/null
	line=${line#HTTP/1.? }
	printf '%s' "${line:0:3}" | grep -E '^[0-9]{3}$' || printf '000'
}

# wait_ready PID PORT PATH: until PATH answers 200 (10 s at most).
wait_ready() {
	local pid=$1 port=$2 path=$3 deadline=$((SECONDS + 10))
	until [ "$(http_status "$port" "$path")" = 200 ]; do
		kill -0 "$pid" 2>/dev/null || die "process $pid exited before $path answered (see $TMP)"
		[ "$SECONDS" -lt "$deadline" ] || die "no 200 from 127.0.0.1:$port$path within 10 s"
		sleep 0.002
	done
}

now_ns() { date +%s%N; }

# cpu_ticks PID: user+system CPU time of PID so far, in clock ticks.
cpu_ticks() {
	# Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends
	# the command name (which may contain spaces).
	local s
	s=$(<"/proc/$1/stat")
	s=${s##*) }
	awk '{print $12 + $13}' <<<"$s"
}

# busy_ticks: CPU time all processes on the machine have used, in ticks.
busy_ticks() {
	# cpu user nice system idle iowait irq softirq steal
	awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat
}

# wait_quiet: wait (QUIET_WAIT seconds at most) until the machine is nearly
# idle — under 15% of one CPU busy over a second — so that other people's
# builds and tests skew the figures less. Says how it went.
wait_quiet() {
	local deadline=$((SECONDS + QUIET_WAIT)) b0 b1 pct
	while :; do
		b0=$(busy_ticks)
		sleep 1
		b1=$(busy_ticks)
		pct=$(((b1 - b0) * 100 / CLK_TCK))
		if [ "$pct" -lt 15 ]; then
			echo "machine quiet (${pct}% of one CPU busy)"
			return
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "machine still busy (${pct}% of one CPU) after ${QUIET_WAIT}s; measuring anyway"
			return
		fi
	done
}

# status_kb PID FIELD: VmRSS or VmHWM of PID in kB.
status_kb() {
	awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"
}

median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
maxof() { sort -n | tail -n 1; }

CPUS=$(nproc)
CLK_TCK=$(getconf CLK_TCK)
SERVER_PIN=()
LOAD_PIN=()
if [ "$PIN" = auto ] && command -v taskset >/dev/null && [ "$CPUS" -ge 2 ]; then
	SERVER_PIN=(taskset -c 0)
	LOAD_PIN=(taskset -c 1)
	PIN_DESC="servers on CPU 0, load generator on CPU 1 (taskset)"
else
	PIN_DESC="not pinned"
fi

for p in "$APP_PORT" "$HELLO_PORT" "$START_PORT"; do
	port_free "$p" || die "port $p is in use; set PORT to another base"
done

# --- 4. build and binary size ----------------------------------------------

section "Build"
GOVERSION=$(go env GOVERSION)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=""
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then
	DIRTY=" (work tree modified)"
fi
APP_SRC=.
if [ -n "$REV" ]; then
	# A clean export of one commit (the repository itself is not touched),
	# so others' unfinished edits neither break nor skew the build.
	APP_SRC="$TMP/src"
	mkdir -p "$APP_SRC"
	git archive "$REV" | tar -x -C "$APP_SRC"
	COMMIT="$(git rev-parse --short "$REV")"
	DIRTY=""
fi
echo "go $GOVERSION, app from ${REV:-the work tree}, commit $COMMIT$DIRTY, $CPUS CPUs, $(uname -m)"
(cd "$APP_SRC" && go build -o "$TMP/notalone-plain" ./cmd/notalone)
(cd "$APP_SRC" && go build -trimpath -ldflags "-s -w" -o "$TMP/notalone" ./cmd/notalone)
go build -trimpath -o "$TMP/hello" ./bench/cmd/hello
go build -trimpath -o "$TMP/load" ./bench/cmd/load
BIN="$TMP/notalone" # the release build is the one measured
SIZE_PLAIN=$(stat -c %s "$TMP/notalone-plain")
SIZE_SMALL=$(stat -c %s "$TMP/notalone")
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
echo "plain go build:                       $(mib "$SIZE_PLAIN") ($SIZE_PLAIN bytes)"
echo "go build -trimpath -ldflags \"-s -w\":  $(mib "$SIZE_SMALL") ($SIZE_SMALL bytes)"

# --- 2. start to ready -----------------------------------------------------

section "Start to ready (empty SQLite, $STARTS runs)"
wait_quiet
READY_MS=()
for i in $(seq 1 "$STARTS"); do
	dir="$TMP/start-$i"
	mkdir -p "$dir"
	t0=$(now_ns)
	"$BIN" serve --addr "127.0.0.1:$START_PORT" --data-dir "$dir/data" >"$dir/serve.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait_ready "$pid" "$START_PORT" /readyz
	t1=$(now_ns)
	ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) / 1e6}')
	READY_MS+=("$ms")
	echo "run $i: ${ms} ms"
	stop_pid "$pid"
done
READY_MEDIAN=$(printf '%s\n' "${READY_MS[@]}" | median)
READY_MAX=$(printf '%s\n' "${READY_MS[@]}" | maxof)

# --- 3. idle memory --------------------------------------------------------

section "Idle memory"
dir="$TMP/idle"
mkdir -p "$dir"
"$BIN" serve --addr "127.0.0.1:$START_PORT" --data-dir "$dir/data" >"$dir/serve.log" 2>&1 &
pid=$!
PIDS+=("$pid")
wait_ready "$pid" "$START_PORT" /readyz
asset=$(curl -fsS "http://127.0.0.1:$START_PORT/" | grep -oE '/static/[^"]+\.css' | head -n 1 || true)
for path in / / /?lang=en /help /healthz /readyz /metrics /api/v1/device /no-such-page ${asset:+"$asset"}; do
	for _ in 1 2 3 4 5; do
		curl -s -o /dev/null "http://127.0.0.1:$START_PORT$path" || true
	done
done
sleep "$IDLE_WAIT"
RSS_IDLE_KB=$(status_kb "$pid" VmRSS)
HWM_IDLE_KB=$(status_kb "$pid" VmHWM)
echo "after start, 50 requests and ${IDLE_WAIT}s idle: VmRSS $((RSS_IDLE_KB / 1024)) MiB ($RSS_IDLE_KB kB), peak VmHWM $((HWM_IDLE_KB / 1024)) MiB"
stop_pid "$pid"

# --- 1. throughput against a bare hello handler ----------------------------

section "Throughput: GET / vs a bare net/http hello"
echo "GOMAXPROCS: servers $SERVER_PROCS, load generator $LOAD_PROCS; $PIN_DESC"
echo "load: -c $CONCURRENCY, ${WARMUP} warm-up + ${DURATION} measured, $ROUNDS rounds alternating"

wait_quiet
dir="$TMP/app"
mkdir -p "$dir"
# Logs go to a file, as they would to a journal: writing them is part of the
# app's cost per request, the terminal's speed is not.
GOMAXPROCS=$SERVER_PROCS "${SERVER_PIN[@]}" "$BIN" serve --addr "127.0.0.1:$APP_PORT" --data-dir "$dir/data" >"$dir/serve.log" 2>&1 &
APP_PID=$!
PIDS+=("$APP_PID")
GOMAXPROCS=$SERVER_PROCS "${SERVER_PIN[@]}" "$TMP/hello" -addr "127.0.0.1:$HELLO_PORT" 2>"$TMP/hello.log" &
HELLO_PID=$!
PIDS+=("$HELLO_PID")
wait_ready "$APP_PID" "$APP_PORT" /readyz
wait_ready "$HELLO_PID" "$HELLO_PORT" /
HOME_BYTES=$(curl -fsS "http://127.0.0.1:$APP_PORT/" | wc -c)

# load_round NAME PID URL: one warm-up and one measured run against the
# server PID; prints "rps server-cpu% others-cpu%" (percent of one CPU).
# others is what the rest of the machine used meanwhile, beside the server
# and the load generator: other people's builds and tests skew the figures.
load_round() {
	local name=$1 pid=$2 url=$3 c0 c1 b0 b1 t0 t1 out rps client cpu others
	"${LOAD_PIN[@]}" env GOMAXPROCS="$LOAD_PROCS" "$TMP/load" -url "$url" -c "$CONCURRENCY" -d "$WARMUP" >/dev/null
	c0=$(cpu_ticks "$pid")
	b0=$(busy_ticks)
	t0=$(now_ns)
	out=$("${LOAD_PIN[@]}" env GOMAXPROCS="$LOAD_PROCS" "$TMP/load" -url "$url" -c "$CONCURRENCY" -d "$DURATION")
	t1=$(now_ns)
	b1=$(busy_ticks)
	c1=$(cpu_ticks "$pid")
	rps=$(grep -oE 'rps=[0-9.]+' <<<"$out" | cut -d= -f2)
	client=$(grep -oE 'client_cpu=[0-9.]+' <<<"$out" | cut -d= -f2)
	read -r cpu others < <(awk -v c="$((c1 - c0))" -v b="$((b1 - b0))" -v hz="$CLK_TCK" -v ns="$((t1 - t0))" -v cl="$client" \
		'BEGIN {s = ns / 1e9; cpu = 100 * c / hz / s; o = 100 * b / hz / s - cpu - 100 * cl; if (o < 0) o = 0; printf "%.0f %.0f\n", cpu, o}')
	echo "$name: $out server_cpu=${cpu}% others_cpu=${others}%" >&2
	grep -q 'errors=0 non2xx=0' <<<"$out" || echo "$name: WARNING: errors or non-2xx answers in this round" >&2
	echo "$rps $cpu $others"
}

APP_RPS=()
HELLO_RPS=()
APP_CPU=()
HELLO_CPU=()
OTHERS_CPU=()
for r in $(seq 1 "$ROUNDS"); do
	read -r rps cpu others < <(load_round "round $r hello" "$HELLO_PID" "http://127.0.0.1:$HELLO_PORT/")
	HELLO_RPS+=("$rps")
	HELLO_CPU+=("$cpu")
	OTHERS_CPU+=("$others")
	read -r rps cpu others < <(load_round "round $r app  " "$APP_PID" "http://127.0.0.1:$APP_PORT/")
	APP_RPS+=("$rps")
	APP_CPU+=("$cpu")
	OTHERS_CPU+=("$others")
done
RSS_LOADED_KB=$(status_kb "$APP_PID" VmRSS)
HWM_LOADED_KB=$(status_kb "$APP_PID" VmHWM)
APP_LOG_BYTES=$(stat -c %s "$dir/serve.log")
stop_pid "$APP_PID"
stop_pid "$HELLO_PID"

# Outside load only ever lowers throughput, so the best round of each is
# the figure least disturbed by it; the median is printed beside it.
# Requests per server CPU-second is the cost per request, whichever side
# (server or load generator) was the bottleneck.
per_cpu() { awk -v r="$1" -v c="$2" 'BEGIN {if (c > 0) printf "%.0f", r / (c / 100); else print 0}'; }
HELLO_PER=()
APP_PER=()
for i in "${!HELLO_RPS[@]}"; do
	HELLO_PER+=("$(per_cpu "${HELLO_RPS[$i]}" "${HELLO_CPU[$i]}")")
	APP_PER+=("$(per_cpu "${APP_RPS[$i]}" "${APP_CPU[$i]}")")
done
HELLO_BEST=$(printf '%s\n' "${HELLO_RPS[@]}" | maxof)
APP_BEST=$(printf '%s\n' "${APP_RPS[@]}" | maxof)
HELLO_MED=$(printf '%s\n' "${HELLO_RPS[@]}" | median)
APP_MED=$(printf '%s\n' "${APP_RPS[@]}" | median)
HELLO_CPU_MED=$(printf '%s\n' "${HELLO_CPU[@]}" | median)
APP_CPU_MED=$(printf '%s\n' "${APP_CPU[@]}" | median)
HELLO_PER_BEST=$(printf '%s\n' "${HELLO_PER[@]}" | maxof)
APP_PER_BEST=$(printf '%s\n' "${APP_PER[@]}" | maxof)
OTHERS_MAX=$(printf '%s\n' "${OTHERS_CPU[@]}" | maxof)
ratio() { awk -v a="$1" -v h="$2" 'BEGIN {if (h > 0) printf "%.2f", a / h; else print 0}'; }
RATIO=$(ratio "$APP_BEST" "$HELLO_BEST")
RATIO_MED=$(ratio "$APP_MED" "$HELLO_MED")
RATIO_CPU=$(ratio "$APP_PER_BEST" "$HELLO_PER_BEST")

# --- summary ---------------------------------------------------------------

verdict() { # verdict AWK-CONDITION: "meets" or "MISSES"
	if awk "BEGIN {exit !($1)}"; then echo "meets"; else echo "MISSES"; fi
}
row() { printf '%-38s %-30s %s\n' "$@"; }
# RSS in MiB and in MB (10^6 bytes): the target is read in MB, the stricter.
RSS_IDLE=$(awk -v k="$RSS_IDLE_KB" 'BEGIN {printf "%.1f MiB = %.1f MB", k / 1024, k * 1024 / 1e6}')

section "Summary"
cat <<EOF
date:     $(date -u +%Y-%m-%dT%H:%MZ)
machine:  $CPUS CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)
build:    $GOVERSION, app from ${REV:-the work tree}, commit $COMMIT$DIRTY
load:     -c $CONCURRENCY, $ROUNDS x $DURATION after $WARMUP warm-up each, GOMAXPROCS=$SERVER_PROCS for both servers,
          $PIN_DESC
others:   other processes used up to ${OTHERS_MAX}% of one CPU during the load rounds

EOF
row "figure" "measured" "target"
row "1. GET / requests/s, best round" "$APP_BEST (median $APP_MED)" "home page, $HOME_BYTES bytes"
row "   hello requests/s, best round" "$HELLO_BEST (median $HELLO_MED)" ""
row "   ratio GET / : hello, best rounds" "$RATIO (medians: $RATIO_MED)" ">= 0.5    $(verdict "$RATIO >= 0.5")"
row "   server CPU under load (median)" "app ${APP_CPU_MED}%, hello ${HELLO_CPU_MED}%" "of one CPU"
row "   requests per server CPU-second" "app $APP_PER_BEST, hello $HELLO_PER_BEST" "ratio $RATIO_CPU (cost per request)"
row "2. start to ready, median of $STARTS" "$READY_MEDIAN ms" "<= 500 ms $(verdict "$READY_MEDIAN <= 500")"
row "   start to ready, max" "$READY_MAX ms" "<= 500 ms $(verdict "$READY_MAX <= 500")"
row "   every run" "$(printf '%s ' "${READY_MS[@]}")ms" ""
row "3. idle VmRSS" "$RSS_IDLE" "<= 40 MB  $(verdict "$RSS_IDLE_KB * 1024 <= 40e6")"
row "   VmRSS / VmHWM after load rounds" "$((RSS_LOADED_KB / 1024)) / $((HWM_LOADED_KB / 1024)) MiB" "informative"
row "4. binary, -trimpath -ldflags=-s -w" "$(mib "$SIZE_SMALL")" "no target"
row "   binary, plain go build" "$(mib "$SIZE_PLAIN")" "no target"
echo
echo "app log written during the load rounds: $(mib "$APP_LOG_BYTES") (every request is logged)"
if [ "$OTHERS_MAX" -gt 10 ]; then
	echo "NOTE: other processes were busy during the load rounds; requests/s are"
	echo "      lower and noisier than on a quiet machine (the best rounds suffer least;"
	echo "      the per-CPU-second ratio is the steadier figure). Re-run when it is idle."
fi
