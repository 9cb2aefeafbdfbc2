"""Steers ddp_tensorboard.py under torchrun (2 ranks, gloo) through siamon's command channel and checks the
outcome; `make test-torch` runs it with a venv's python that has torch.

    python steer_ddp_check.py [--siamon PATH] [--runs DIR]

With --siamon, commands go through `siamon ctl`; without it, through siamon_log.issue (the same rows).
Checks: pause stops every rank for 3 s at the same step; resume; lr-scale 1.25 makes the stored lr 1.25x the
scheduler's from the command's step on, while the recursive CosineAnnealingLR keeps its own curve; stop ends
every rank with exit status 0 and the run as stopped. Prints each command's issued-to-applied latency.
"""

import argparse
import math
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import siamon_log  # noqa: E402

NAME = "ddp-steer-check"
STEPS, LR = 100000, 1e-2
STEP_LINE = re.compile(r"^rank (\d+) step (\d+) t ([\d.]+)$")


class Job:
    def __init__(self, runs, siamon):
        self.runs, self.siamon = runs, siamon
        self.db = os.path.join(runs, "siamon.sqlite")
        self.log = os.path.join(runs, "torchrun.out")
        launcher = os.path.join(os.path.dirname(HERE), "siamon_run.py")
        argv = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", launcher, "--name", NAME,
                "--runs", runs, os.path.join(HERE, "ddp_tensorboard.py"), "--steps", str(STEPS), "--lr", str(LR),
                "--step-seconds", "0.02", "--log-dir", os.path.join(runs, "tb")]
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(argv, cwd=runs, stdout=out, stderr=subprocess.STDOUT,
                                         env=dict(os.environ, OMP_NUM_THREADS="1"))

    def steps(self):
        """rank -> [(step, time)] from the ranks' progress lines."""
        seen = {0: [], 1: []}
        with open(self.log) as f:
            for line in f:
                m = STEP_LINE.match(line.strip())
                if m:
                    seen[int(m.group(1))].append((int(m.group(2)), float(m.group(3))))
        return seen

    def wait_steps(self, n, timeout=300):
        deadline = time.time() + timeout
        while min(len(v) for v in self.steps().values()) < n:
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit("torchrun ended or stalled before %d steps:\n%s" % (n, open(self.log).read()[-3000:]))
            time.sleep(0.1)

    def command(self, verb, factor=None, refused_with=None):
        """Issues a command; checks it is applied, or refused with a result containing refused_with."""
        if self.siamon:
            argv = [self.siamon, "ctl", "--runs", self.runs, NAME, verb] + ([str(factor)] if factor else [])
            done = subprocess.run(argv, capture_output=True, text=True)
            said = done.stdout.strip() or done.stderr.strip()
            print("  $ siamon ctl %s %s -> %d %s" % (verb, factor or "", done.returncode, said))
            applied = done.returncode == 0
        else:
            got = siamon_log.issue(self.db, NAME, verb.replace("-", "_"), factor)
            said = "%s: %s" % (got["state"], got["result"])
            print("  issue %s %s -> %s" % (verb, factor or "", said))
            applied = got["state"] == "applied"
        if refused_with is None:
            check(applied, "%s applied" % verb)
        else:
            check(not applied and refused_with in said, "%s refused: %s" % (verb, refused_with))

    def rows(self, sql, args=()):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def series(self, key):
        return dict(self.rows("SELECT s.step, s.value FROM scalar s JOIN scalarKey k ON k.id = s.keyId "
                              "JOIN run r ON r.id = s.runId WHERE r.name = ? AND k.name = ?", (NAME, key)))


results = []                     # (passed, what) of every check, for the closing line


def check(ok, what):
    print("%s %s" % ("ok  " if ok else "FAIL", what), flush=True)
    results.append((bool(ok), what))


def check_pause(job):
    job.command("pause")
    time.sleep(0.3)
    before = {r: len(v) for r, v in job.steps().items()}
    time.sleep(3.0)
    after = {r: len(v) for r, v in job.steps().items()}
    check(before == after, "no optimizer step on any rank for 3 s while paused (%s -> %s)" % (before, after))
    check(before[0] == before[1], "both ranks paused after the same step (%s)" % before)
    job.command("resume")
    job.wait_steps(before[0] + 5)
    gaps = {r: max(b[1] - a[1] for a, b in zip(v, v[1:])) for r, v in job.steps().items()}
    check(all(g >= 3.0 for g in gaps.values()), "each rank's longest gap between steps >= 3 s (%s)" % gaps)


def check_lr(job):
    (at,) = [s for (s,) in job.rows("SELECT e.step FROM event e JOIN run r ON r.id = e.runId "
                                     "WHERE r.name = ? AND e.kind = 'lr_scale'", (NAME,))]
    lr, schedule = job.series("lr"), job.series("schedule_lr")
    cosine = {s: LR * (1 + math.cos(math.pi * s / STEPS)) / 2 for s in schedule}
    check(all(math.isclose(schedule[s], cosine[s], rel_tol=1e-5) for s in schedule),
          "CosineAnnealingLR (recursive) kept its own curve through the scale (%d steps)" % len(schedule))
    ratio = {s: lr[s] / schedule[s] for s in schedule if s in lr and schedule[s] > 0}
    check(all(math.isclose(r, 1.25 if s >= at else 1.0, rel_tol=1e-6) for s, r in ratio.items()),
          "stored lr = schedule lr before step %d and 1.25x from it on" % at)


def report_latency(job):
    rows = job.rows("SELECT c.kind, c.state, (c.doneAt - c.issuedAt) * 1000 FROM command c JOIN run r "
                    "ON r.id = c.runId WHERE r.name = ? ORDER BY c.id", (NAME,))
    for kind, state, ms in rows:
        print("  %-9s %-8s issued->done %.0f ms" % (kind, state, ms or 0))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--siamon", help="siamon binary, to steer through `siamon ctl`")
    parser.add_argument("--runs", help="runs folder (default: a fresh temporary one)")
    opts = parser.parse_args()
    runs = opts.runs or tempfile.mkdtemp(prefix="siamon-torch-")
    os.makedirs(runs, exist_ok=True)
    job = Job(runs, opts.siamon if opts.siamon and os.access(opts.siamon, os.X_OK) else None)
    try:
        job.wait_steps(20)
        check_pause(job)
        job.command("lr-scale", 1.25)
        job.command("checkpoint", refused_with="exposes no save_model")
        job.command("probe", refused_with="siamon runs only")
        job.wait_steps(max(len(v) for v in job.steps().values()) + 30)
        job.command("stop")
        check(job.proc.wait(120) == 0, "torchrun (every rank) exited 0")
    finally:
        if job.proc.poll() is None:
            job.proc.kill()
    check(job.rows("SELECT status FROM run WHERE name = ?", (NAME,)) == [("stopped",)], "run status stopped")
    check_lr(job)
    report_latency(job)
    passed = sum(ok for ok, _ in results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
