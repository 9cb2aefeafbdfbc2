#!/usr/bin/env python3
"""Command latency of the store's command channel against a live headless run.

Starts `siamon train --preset PRESET --headless` in a scratch runs folder, sends N `siamon ctl RUN lr-scale 1`
commands one after another (a factor of 1 changes nothing), then stops the run and reads the command table:

  channel latency   = doneAt - issuedAt  (insert to the owner's answer: claim poll + the step in flight)
  round trip        = what `siamon ctl` itself waited, process start included

and prints the median and p99 of each, with the run's median step time for scale.
Usage: python3 scripts/command_latency.py [--siamon .build/release/siamon] [--preset fmnist-tiny] [-n 100]
"""
import argparse, os, re, sqlite3, statistics, subprocess, sys, tempfile, time


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--siamon", default=".build/release/siamon")
    ap.add_argument("--preset", default="fmnist-tiny")
    ap.add_argument("-n", type=int, default=100)
    a = ap.parse_args()
    runs = tempfile.mkdtemp(prefix="siamon-latency-")
    db = os.path.join(runs, "siamon.sqlite")
    train = subprocess.Popen([a.siamon, "train", "--preset", a.preset, "--headless", "--name", "lat", "--runs", runs,
                              "--set", "train.log_every=100000"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:   # wait for the first steps, so the data set is loaded and steps are steady
            time.sleep(0.5)
            if train.poll() is not None:
                sys.exit("the run ended early: " + train.stderr.read().decode())
            if os.path.exists(db):
                with sqlite3.connect(db) as c:
                    n = c.execute("SELECT count(*) FROM latest").fetchone()[0]
                    top = c.execute("SELECT max(step) FROM latest").fetchone()[0]
                if n and top is not None and top >= 3:
                    break
        trips = []
        for _ in range(a.n):
            t0 = time.monotonic()
            r = subprocess.run([a.siamon, "ctl", "--runs", runs, "lat", "lr-scale", "1"], capture_output=True, text=True)
            trips.append((time.monotonic() - t0) * 1000)
            if r.returncode != 0:
                sys.exit("ctl failed: " + r.stderr)
        subprocess.run([a.siamon, "ctl", "--runs", runs, "lat", "stop"], capture_output=True)
        train.wait(timeout=120)
    finally:
        if train.poll() is None:
            train.kill()
    with sqlite3.connect(db) as c:
        lat = [(d - i) * 1000 for i, d in c.execute(
            "SELECT issuedAt, doneAt FROM command WHERE kind = 'lr_scale' AND state = 'applied'")]
        steps = [v for (v,) in c.execute(
            "SELECT s.value FROM scalar s JOIN scalarKey k ON k.id = s.keyId WHERE k.name = 'step_seconds'")]
    print(f"preset {a.preset}, {len(lat)} commands, median step {statistics.median(steps) * 1000:.0f} ms")
    print(f"channel latency (issued -> applied): median {statistics.median(lat):.0f} ms, p99 {pct(lat, 0.99):.0f} ms, max {max(lat):.0f} ms")
    print(f"siamon ctl round trip:               median {statistics.median(trips):.0f} ms, p99 {pct(trips, 0.99):.0f} ms")


if __name__ == "__main__":
    main()
