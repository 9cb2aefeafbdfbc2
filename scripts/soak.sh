#!/usr/bin/env bash
# make soak (docs/architecture.md §5): 4 smoke trainers started from the TUI under tmux, a second process running
# `siamon watch`, and `siamon ctl` steering one run through the command channel every few seconds, for
# SOAK_SECONDS (default 600). Prints lock errors, the memory of both processes over time (and its growth after
# the first 10 minutes), failed commands, and rows written (steps.jsonl lines × 9 scalars) against rows read back.
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
# The command channel in use: pause, resume and a no-op LR scale on the first run, one every ~2 s.
steer() {
  local run ok=0 bad=0
  run=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select name from run order by id limit 1').fetchone()[0])" "$RUNS/siamon.sqlite")
  while [ ! -f "$RUNS/stop-steering" ]; do
    for verb in pause resume "lr-scale 1"; do
      # shellcheck disable=SC2086
      if "$BIN" ctl --runs "$RUNS" "$run" $verb >/dev/null 2>>"$RUNS/ctl.err"; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
      sleep 0.6
    done
    echo "$ok $bad" > "$RUNS/ctl.count"
  done
}
steer &
start=$(date +%s); ui_rss10=""; watch_rss10=""
while [ $(( $(date +%s) - start )) -lt "$SECONDS_TOTAL" ]; do
  sleep 30
  if [ -z "$ui_rss10" ] && [ $(( $(date +%s) - start )) -ge 600 ]; then ui_rss10=$(rss_of "$UI_PID"); watch_rss10=$(rss_of "$WATCH_PID"); fi
  echo "t=$(( $(date +%s) - start ))s  TUI RSS $(rss_of "$UI_PID") KiB  watch RSS $(rss_of "$WATCH_PID") KiB  commands ok/failed $(cat "$RUNS/ctl.count" 2>/dev/null)  $(tm capture-pane -p -t ui | head -1 | cut -c1-60)"
done
touch "$RUNS/stop-steering"; wait
ui_rss1=$(rss_of "$UI_PID"); watch_rss1=$(rss_of "$WATCH_PID")
tm send-keys -t ui q; sleep 1; tm send-keys -t ui y
for _ in $(seq 1 120); do [ -f "$RUNS/ui.exit" ] && break; sleep 1; done
tm send-keys -t watch q; sleep 1; tm send-keys -t watch y
for _ in $(seq 1 20); do [ -f "$RUNS/watch.exit" ] && break; sleep 1; done
written=0; for f in "$RUNS"/*/steps.jsonl; do [ -f "$f" ] && written=$(( written + $(wc -l < "$f") * 9 )); done
read_back=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from scalar').fetchone()[0])" "$RUNS/siamon.sqlite")
locks=$(cat "$RUNS"/*.err 2>/dev/null | grep -ci "locked" || true)
echo "soak memory: TUI RSS $ui_rss0 -> $ui_rss1 KiB, watch RSS $watch_rss0 -> $watch_rss1 KiB"
[ -n "$ui_rss10" ] && echo "soak growth after minute 10: TUI $(( ui_rss1 - ui_rss10 )) KiB, watch $(( watch_rss1 - watch_rss10 )) KiB (over 1024 KiB is a leak to find)"
echo "soak commands: ok/failed $(cat "$RUNS/ctl.count" 2>/dev/null); failures: $(sort "$RUNS/ctl.err" 2>/dev/null | uniq -c | sort -rn | head -3 | tr '\n' ';')"
echo "soak result: watch exit $(cat "$RUNS/watch.exit" 2>/dev/null || echo none), TUI exit $(cat "$RUNS/ui.exit" 2>/dev/null || echo none), lock errors $locks, rows written $written, rows read back $read_back"
[ "$locks" = 0 ] && [ "$written" = "$read_back" ]
