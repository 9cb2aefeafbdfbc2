#!/usr/bin/env bash
# make soak (docs/architecture.md §5): 4 smoke trainers started from the TUI under tmux, a second process running
# `siamon watch`, for SOAK_SECONDS (default 600). Prints lock errors, the TUI's memory over time, and rows
# written (steps.jsonl lines × 9 scalars) against rows read back from the store.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL=${SOAK_SECONDS:-600}
BIN=${SIAMON_BIN:-./.build/release/siamon}
RUNS=$(mktemp -d /tmp/siamon-soak.XXXXXX)
SOCK=siamon-soak-$$
tm() { tmux -L "$SOCK" "$@"; }
cleanup() { tm kill-server 2>/dev/null || true; }
trap cleanup EXIT

tm -f /dev/null new-session -d -s ui -x 120 -y 40 -e TERM=tmux-256color -e LANG=C.UTF-8 \
   "$BIN --runs $RUNS 2> $RUNS/ui.err; echo \$? > $RUNS/ui.exit; sleep 3600"
sleep 2
for i in 1 2 3 4; do
  # n → the smoke preset → steps field → a long run → Enter (synthetic data keeps it off the disk cache)
  tm send-keys -t ui n; sleep 0.5
  tm send-keys -t ui Right; sleep 0.3
  tm send-keys -t ui Down Down Down Down BSpace BSpace BSpace BSpace 1 0 0 0 0 0 Enter; sleep 2
done
tm new-session -d -s watch -x 120 -y 40 -e TERM=tmux-256color -e LANG=C.UTF-8 \
   "$BIN watch --runs $RUNS 2> $RUNS/watch.err; echo \$? > $RUNS/watch.exit; sleep 3600"
# Each pane runs `sh -c "siamon …; echo …"`, so siamon is the pane shell's child (its BLAS re-exec keeps the pid).
child_of_pane() { pgrep -P "$(tm display -p -t "$1" '#{pane_pid}')" | head -1 || true; }
sleep 1
UI_PID=$(child_of_pane ui); WATCH_PID=$(child_of_pane watch)
rss_of() { ps -o rss= -p "${1:-1}" 2>/dev/null | tr -d ' ' || echo 0; }
echo "soak: $SECONDS_TOTAL s, runs in $RUNS, TUI pid ${UI_PID:-?}, watch pid ${WATCH_PID:-?}"
ui_rss0=$(rss_of "$UI_PID"); watch_rss0=$(rss_of "$WATCH_PID")
start=$(date +%s)
while [ $(( $(date +%s) - start )) -lt "$SECONDS_TOTAL" ]; do
  sleep 30
  echo "t=$(( $(date +%s) - start ))s  TUI RSS $(rss_of "$UI_PID") KiB  watch RSS $(rss_of "$WATCH_PID") KiB  $(tm capture-pane -p -t ui | head -1 | cut -c1-60)"
done
ui_rss1=$(rss_of "$UI_PID"); watch_rss1=$(rss_of "$WATCH_PID")
tm send-keys -t ui q; sleep 1; tm send-keys -t ui y
for _ in $(seq 1 120); do [ -f "$RUNS/ui.exit" ] && break; sleep 1; done
tm send-keys -t watch q; sleep 1; tm send-keys -t watch y
for _ in $(seq 1 20); do [ -f "$RUNS/watch.exit" ] && break; sleep 1; done
written=0; for f in "$RUNS"/*/steps.jsonl; do [ -f "$f" ] && written=$(( written + $(wc -l < "$f") * 9 )); done
read_back=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from scalar').fetchone()[0])" "$RUNS/siamon.sqlite")
locks=$(cat "$RUNS"/*.err 2>/dev/null | grep -ci "locked" || true)
echo "soak memory: TUI RSS $ui_rss0 -> $ui_rss1 KiB, watch RSS $watch_rss0 -> $watch_rss1 KiB"
echo "soak result: watch exit $(cat "$RUNS/watch.exit" 2>/dev/null || echo none), TUI exit $(cat "$RUNS/ui.exit" 2>/dev/null || echo none), lock errors $locks, rows written $written, rows read back $read_back"
[ "$locks" = 0 ] && [ "$written" = "$read_back" ]
