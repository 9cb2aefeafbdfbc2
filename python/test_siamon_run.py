"""Tests of the command channel, the SummaryWriter drop-in and siamon_run.py, standard library only:
python3 -m unittest python/test_siamon_run.py (siamon's Swift suite runs this file too; see
Tests/MetricsStoreTests/PythonShimTests.swift). Training scripts run under the launcher with a fake torch
(python/testing/fake_torch.py) on PYTHONPATH, so the patching is exercised without PyTorch."""

import io
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "testing"))
import fake_torch  # noqa: E402
import siamon_log  # noqa: E402

LAUNCHER = os.path.join(HERE, "siamon_run.py")
ENGINE = os.path.join(HERE, "testing", "engine", "main_pretrain.py")
sys.path.insert(0, os.path.join(HERE, "testing", "engine"))
from util.lr_sched import lr_at  # noqa: E402


class Store:
    """A scratch runs folder, a fake torch, and helpers to start launched runs and read the database."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.db = os.path.join(self.dir, "siamon.sqlite")
        self.torch = fake_torch.write(os.path.join(self.dir, "fake"))
        self.procs = []

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.tmp.cleanup()

    def start(self, argv, popen=None, **env):
        """A child process that cleanup() kills if a failed test left it running."""
        proc = subprocess.Popen(argv, cwd=self.dir, env=self.env(**env), **(popen or {}))
        self.procs.append(proc)
        return proc

    def wait_for_run(self, name, timeout=30):
        deadline = time.time() + timeout
        while True:
            try:
                if self.rows("SELECT 1 FROM run WHERE name = ?", (name,)):
                    return
            except sqlite3.OperationalError:  # the file exists before its schema does
                pass
            if time.time() > deadline:
                raise AssertionError("run %s never appeared" % name)
            time.sleep(0.02)

    def env(self, **extra):
        env = dict(os.environ, PYTHONPATH=self.torch, PYTHONDONTWRITEBYTECODE="1")
        for k in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "SIAMON_RUN_NAME"):
            env.pop(k, None)
        env.update(extra)
        return env

    def launch(self, name, *args, script=ENGINE, **env):
        self.last = name
        env.setdefault("FAKE_TORCH_STEPS", os.path.join(self.dir, name.replace("/", "_") + "-steps"))
        with open(self.out_path(name, env.get("RANK", "0")), "w") as out:
            return self.start([sys.executable, LAUNCHER, "--name", name, "--runs", self.dir, script] + list(args),
                              popen={"stdout": out, "stderr": subprocess.STDOUT}, **env)

    def out_path(self, name, rank):
        return os.path.join(self.dir, "%s-%s.out" % (name.replace("/", "_"), rank))

    def output(self, name, rank="0"):
        with open(self.out_path(name, rank)) as f:
            return f.read()

    def rows(self, sql, args=()):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def steps(self, rank=0):
        """(time, lrs) of every optimizer step the fake AdamW took on a rank of the last run launched."""
        path = os.path.join(self.dir, "%s-steps.rank%d" % (self.last, rank))
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f if line.endswith("\n")]

    def wait_for_steps(self, n, rank=0, timeout=30):
        deadline = time.time() + timeout
        while len(self.steps(rank)) < n:
            if time.time() > deadline:
                raise AssertionError("fewer than %d steps after %d s" % (n, timeout))
            time.sleep(0.02)

    def issue(self, name, kind, argument=None):
        return siamon_log.issue(self.db, name, kind, argument, timeout=30)

    def scalars(self, name, key):
        return dict(self.rows("SELECT s.step, s.value FROM scalar s JOIN scalarKey k ON k.id = s.keyId "
                              "JOIN run r ON r.id = s.runId WHERE r.name = ? AND k.name = ?", (name, key)))

    def events(self, name):
        return [(kind, step, json.loads(detail)) for kind, step, detail in self.rows(
            "SELECT e.kind, e.step, e.detail FROM event e JOIN run r ON r.id = e.runId WHERE r.name = ? ORDER BY e.id",
            (name,))]

    def status(self, name):
        return self.rows("SELECT status FROM run WHERE name = ?", (name,))[0][0]

    def command(self, cid):
        return self.rows("SELECT state, result, issuedAt, doneAt FROM command WHERE id = ?", (cid,))[0]


def wait(proc, timeout=60):
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


class LauncherTests(unittest.TestCase):
    def setUp(self):
        self.s = Store()

    def tearDown(self):
        self.s.cleanup()

    def test_pause_resume_lr_scale_stop_on_an_engine_shaped_script(self):
        s = self.s
        proc = s.launch("eng", "--epochs", "1000", "--iters", "50", "--step_seconds", "0.004")
        s.wait_for_steps(20)
        paused = s.issue("eng", "pause")
        self.assertEqual(paused["state"], "applied", paused)
        self.assertEqual(s.status("eng"), "paused")
        n_paused = len(s.steps())
        time.sleep(1.0)
        self.assertEqual(len(s.steps()), n_paused, "an optimizer step ran while paused")
        self.assertEqual(s.issue("eng", "pause")["result"], "run is already paused at step %d" % n_paused)
        self.assertEqual(s.issue("eng", "resume")["state"], "applied")
        self.assertEqual(s.status("eng"), "running")
        gap = s.steps()[n_paused]["t"] - s.steps()[n_paused - 1]["t"]
        self.assertGreaterEqual(gap, 1.0, "the pause lasted %.2f s between two optimizer steps" % gap)
        scaled = s.issue("eng", "lr_scale", 1.25)
        self.assertEqual(scaled["state"], "applied", scaled)
        s.wait_for_steps(len(s.steps()) + 30)
        stopped = s.issue("eng", "stop")
        self.assertEqual(stopped["state"], "applied", stopped)
        self.assertEqual(wait(proc), 0, s.output("eng"))
        self.assertEqual(s.status("eng"), "stopped")
        self.check_scaled_lr("eng", 1.25)
        self.check_events_name_commands("eng", [paused["id"], scaled["id"], stopped["id"]])
        (config,) = s.rows("SELECT config FROM run WHERE name = 'eng'")[0]
        config = json.loads(config)
        self.assertEqual(config["argv"][1:3], ["--epochs", "1000"])
        self.assertEqual(config["args"]["lr"], 4e-3, "args as the script left them at the first step")

    def check_scaled_lr(self, name, factor):
        """Steps from the lr_scale event on applied factor x the schedule's lr; the stored lr is the applied one."""
        (at,) = [step for kind, step, _ in self.s.events(name) if kind == "lr_scale"]
        steps, stored = self.s.steps(), self.s.scalars(name, "lr")
        args = type("Args", (), {"lr": 4e-3, "min_lr": 1e-5, "warmup_epochs": 1, "epochs": 1000})
        self.assertGreater(len(steps), at + 10)
        for i, step in enumerate(steps):
            expected = lr_at(i / 50, args) * (factor if i >= at else 1.0)
            self.assertAlmostEqual(step["lrs"][0], expected, delta=1e-12, msg="step %d" % i)
            if i in stored:
                self.assertAlmostEqual(stored[i], expected, delta=1e-12, msg="stored lr at step %d" % i)
        self.assertGreater(len(stored), at + 5)
        # Steps are optimizer steps, not the script's epoch_1000x.
        self.assertLessEqual(max(self.s.scalars(name, "loss")), len(steps) - 1)

    def check_events_name_commands(self, name, ids):
        by_command = {e[2].get("command"): e[0] for e in self.s.events(name)}
        self.assertEqual([by_command.get(i) for i in ids], ["pause", "lr_scale", "stop"])

    def test_a_recursive_scheduler_keeps_its_own_lr_under_scale(self):
        s = self.s
        proc = s.launch("steplr", "--sched", "step", "--epochs", "1000", "--step_seconds", "0.003", "--subclass")
        s.wait_for_steps(10)
        self.assertEqual(s.issue("steplr", "lr_scale", 0.5)["state"], "applied")
        s.wait_for_steps(len(s.steps()) + 40)
        self.assertEqual(s.issue("steplr", "stop")["state"], "applied")
        self.assertEqual(wait(proc), 0, s.output("steplr"))
        (at,) = [step for kind, step, _ in s.events("steplr") if kind == "lr_scale"]
        for i, step in enumerate(s.steps()):
            schedule = 4e-3 * 0.9 ** (i // 7)             # StepLR(step_size=7, gamma=0.9), stepped per iteration
            self.assertAlmostEqual(step["lrs"][0], schedule * (0.5 if i >= at else 1.0), delta=1e-12, msg="step %d" % i)

    def test_checkpoint_calls_the_scripts_save_model_and_probe_is_refused(self):
        s = self.s
        out = os.path.join(s.dir, "out")
        os.makedirs(out)
        proc = s.launch("ckpt", "--epochs", "1000", "--step_seconds", "0.003", "--output_dir", out)
        s.wait_for_steps(10)
        done = s.issue("ckpt", "checkpoint")
        self.assertEqual(done["state"], "applied", done)
        (path,) = [e[2]["path"] for e in s.events("ckpt") if e[0] == "checkpoint"]
        self.assertTrue(os.path.exists(path) and "checkpoint-siamon-step" in path, path)
        with open(path) as f:
            self.assertIn("optimizer", json.load(f))
        probe = s.issue("ckpt", "probe")
        self.assertEqual(probe["state"], "refused")
        self.assertIn("siamon runs only", probe["result"])
        self.assertEqual(s.issue("ckpt", "stop")["state"], "applied")
        self.assertEqual(wait(proc), 0, s.output("ckpt"))

    def test_checkpoint_is_refused_with_a_reason_when_it_cannot_be_saved_safely(self):
        s = self.s
        proc = s.launch("nockpt", "--epochs", "1000", "--step_seconds", "0.003")     # no --output_dir
        s.wait_for_steps(5)
        refused = s.issue("nockpt", "checkpoint")
        self.assertEqual((refused["state"], refused["result"]), ("refused", "args.output_dir is empty: the script saves no checkpoints"))
        self.assertEqual(s.issue("nockpt", "stop")["state"], "applied")
        self.assertEqual(wait(proc), 0)
        plain = os.path.join(s.dir, "plain.py")
        with open(plain, "w") as f:
            f.write(PLAIN_LOOP)
        proc = s.launch("plain", "0.003", script=plain)
        s.wait_for_steps(5)
        refused = s.issue("plain", "checkpoint")
        self.assertEqual(refused["state"], "refused")
        self.assertIn("exposes no save_model", refused["result"])
        self.assertEqual(s.issue("plain", "stop")["state"], "applied")
        self.assertEqual(wait(proc), 0)
        proc = s.launch("own", "0.003", "register", script=plain)      # the script answers checkpoint itself
        s.wait_for_steps(5)
        saved = s.issue("own", "checkpoint")
        self.assertEqual(saved["state"], "applied", saved)
        self.assertRegex(saved["result"], r"^checkpoint saved at step \d+: saved-\d+$")
        self.assertEqual(s.issue("own", "stop")["state"], "applied")
        self.assertEqual(wait(proc), 0)

    def test_a_bad_run_name_is_refused_with_siamons_line(self):
        proc = self.s.launch("../x", "--epochs", "1")
        self.assertEqual(wait(proc), 2)
        self.assertIn("run name \"../x\" contains '/'", self.s.output("../x"))

    def test_done_on_a_normal_end_failed_on_an_exception(self):
        s = self.s
        self.assertEqual(wait(s.launch("short", "--epochs", "2", "--iters", "10", "--step_seconds", "0")), 0)
        self.assertEqual(s.status("short"), "done")
        self.assertEqual(sorted(s.scalars("short", "loss")), list(range(20)))
        late = s.issue("short", "pause")
        self.assertEqual((late["state"], late["result"]), ("refused", "run is done"))
        proc = s.launch("boom", "--fail_at_step", "5", "--step_seconds", "0")
        self.assertNotEqual(wait(proc), 0)
        self.assertIn("failing on purpose", s.output("boom"))
        self.assertEqual(s.status("boom"), "failed")

    def test_killed_owner_expires_its_pending_command_and_nothing_is_corrupt(self):
        s = self.s
        proc = s.launch("killed", "--step_seconds", "30")       # sits between two steps: nothing claims
        s.wait_for_steps(1)
        pending = siamon_log.issue(s.db, "killed", "pause", wait=False)
        self.assertEqual(s.command(pending["id"])[0], "pending")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.assertEqual(siamon_log.mark_vanished(s.db), ["killed"])
        state, result, _, _ = s.command(pending["id"])
        self.assertEqual(state, "expired")
        self.assertRegex(result, r"^owner not responding since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(s.status("killed"), "interrupted")
        self.assertEqual(s.rows("PRAGMA integrity_check"), [("ok",)])
        again = s.issue("killed", "resume")
        self.assertEqual((again["state"], again["result"]), ("refused", "run is interrupted"))

    def test_a_waiting_issuer_expires_the_command_of_a_dead_owner(self):
        s = self.s
        proc = s.launch("dead", "--step_seconds", "30")
        s.wait_for_steps(1)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        got = s.issue("dead", "stop")
        self.assertEqual(got["state"], "expired", got)
        self.assertEqual(s.rows("PRAGMA integrity_check"), [("ok",)])

    @staticmethod
    def settle(read, timeout=5.0):
        """read()'s value once it is the same twice 0.2 s apart (a lagging rank finishes the step it is in)."""
        deadline, last = time.time() + timeout, read()
        while time.time() < deadline:
            time.sleep(0.2)
            now = read()
            if now == last:
                return now
            last = now
        return last

    def test_two_ranks_pause_scale_and_stop_at_the_same_step(self):
        s = self.s
        os.makedirs(os.path.join(s.dir, "dist"))
        args = ("--epochs", "1000", "--step_seconds", "0.004")
        procs = [s.launch("ddp", *args, RANK=str(r), WORLD_SIZE="2", FAKE_DIST_DIR=os.path.join(s.dir, "dist"))
                 for r in (0, 1)]
        s.wait_for_steps(20, rank=1)
        self.assertEqual(s.issue("ddp", "pause")["state"], "applied")
        counts = self.settle(lambda: [len(s.steps(r)) for r in (0, 1)])
        time.sleep(1.0)
        self.assertEqual([len(s.steps(r)) for r in (0, 1)], counts, "a rank stepped while paused")
        self.assertEqual(counts[0], counts[1], "the ranks paused at different steps")
        self.assertEqual(s.issue("ddp", "resume")["state"], "applied")
        self.assertEqual(s.issue("ddp", "lr_scale", 1.25)["state"], "applied")
        s.wait_for_steps(counts[0] + 30, rank=1)
        self.assertEqual(s.issue("ddp", "stop")["state"], "applied")
        self.assertEqual([wait(p) for p in procs], [0, 0], s.output("ddp", "1"))
        self.assertEqual(s.status("ddp"), "stopped")
        lrs = [[step["lrs"][0] for step in s.steps(r)] for r in (0, 1)]
        self.assertEqual(lrs[0], lrs[1], "the ranks applied different lrs or stopped at different steps")
        self.check_scaled_lr("ddp", 1.25)


    @unittest.skipUnless(os.environ.get("SIAMON_BIN"), "SIAMON_BIN names no siamon binary")
    def test_through_siamon_ctl(self):
        s, siamon = self.s, os.environ["SIAMON_BIN"]
        if subprocess.run([siamon, "ctl", "--help"], capture_output=True).returncode != 0:
            self.skipTest("this siamon has no ctl")

        def ctl(*args):
            done = subprocess.run([siamon, "ctl", "--runs", s.dir, "ctl-run"] + list(args), capture_output=True, text=True)
            return done.returncode, done.stdout + done.stderr
        proc = s.launch("ctl-run", "--epochs", "1000", "--step_seconds", "0.003")
        s.wait_for_steps(10)
        for args, code, said in ((["pause"], 0, "paused at step"), (["resume"], 0, "resumed at step"),
                                 (["lr-scale", "1.25"], 0, "now \u00d71.25 from step"), (["checkpoint"], 1, "args.output_dir is empty"),
                                 (["probe"], 1, "siamon runs only"), (["stop"], 0, "stopped at step")):
            got = ctl(*args)
            self.assertEqual(got[0], code, got[1])
            self.assertIn(said, got[1])
        self.assertEqual(wait(proc), 0, s.output("ctl-run"))
        self.assertEqual(s.status("ctl-run"), "stopped")


PLAIN_LOOP = """
import sys, time
import torch
import siamon_log

class P:
    data, grad = 1.0, 0.1

opt = torch.optim.AdamW([P()], lr=0.01)
while True:
    opt.step()
    time.sleep(float(sys.argv[1]))
    if len(sys.argv) > 2 and siamon_log.active_run() is not None:
        siamon_log.active_run().on_checkpoint(lambda step: "saved-%d" % step)
"""


class ShimControlTests(unittest.TestCase):
    """The command channel through Run itself, as a script that calls it directly uses it."""

    def setUp(self):
        self.s = Store()
        for k in ("RANK", "LOCAL_RANK"):
            os.environ.pop(k, None)

    def tearDown(self):
        self.s.cleanup()

    def test_checkpoint_needs_a_registered_callback(self):
        run = siamon_log.Run(self.s.dir, "api")
        cid = siamon_log.issue(self.s.db, "api", "checkpoint", wait=False)["id"]
        run.step_boundary(3)
        self.assertEqual(self.s.command(cid)[:2], ("refused", "no checkpoint registered"))
        run.on_checkpoint(lambda step: "/ckpt/%d.pth" % step)
        cid = siamon_log.issue(self.s.db, "api", "checkpoint", wait=False)["id"]
        time.sleep(0.06)
        run.step_boundary(4)
        self.assertEqual(self.s.command(cid)[:2], ("applied", "checkpoint saved at step 4: /ckpt/4.pth"))
        self.assertEqual(self.s.events("api"), [("checkpoint", 4, {"path": "/ckpt/4.pth", "command": cid})])
        cid = siamon_log.issue(self.s.db, "api", "lr_scale", -1.0, wait=False)["id"]
        time.sleep(0.06)
        run.step_boundary(5)
        self.assertEqual(self.s.command(cid)[0], "refused")
        self.assertEqual(run.lr_scale, 1.0)
        pending = siamon_log.issue(self.s.db, "api", "pause", wait=False)["id"]
        run.finish()
        self.assertEqual(self.s.command(pending)[:2], ("refused", "run is done"))

    def test_stop_makes_finish_record_stopped(self):
        run = siamon_log.Run(self.s.dir, "api-stop")
        cid = siamon_log.issue(self.s.db, "api-stop", "stop", wait=False)["id"]
        run.step_boundary(0)
        self.assertTrue(run.should_stop)
        run.finish()
        self.assertEqual(self.s.status("api-stop"), "stopped")
        self.assertEqual(self.s.command(cid)[:2], ("applied", "stopped at step 0"))

    def test_a_paused_run_keeps_its_heartbeat_and_stop_ends_the_pause(self):
        beat, siamon_log._HEARTBEAT_SECONDS = siamon_log._HEARTBEAT_SECONDS, 0.2
        self.addCleanup(setattr, siamon_log, "_HEARTBEAT_SECONDS", beat)
        run = siamon_log.Run(self.s.dir, "api-pause")
        siamon_log.issue(self.s.db, "api-pause", "pause", wait=False)
        loop = threading.Thread(target=run.step_boundary, args=(7,))
        loop.start()
        time.sleep(0.3)
        self.assertTrue(loop.is_alive() and run.paused)
        (first,) = self.s.rows("SELECT heartbeat FROM run")[0]
        time.sleep(0.8)
        (later,) = self.s.rows("SELECT heartbeat FROM run")[0]
        self.assertGreater(later, first, "no heartbeat while paused")
        self.assertEqual(self.s.status("api-pause"), "paused")
        self.assertEqual(siamon_log.issue(self.s.db, "api-pause", "stop")["result"], "stopped at step 7")
        loop.join(5)
        self.assertFalse(loop.is_alive(), "step_boundary still blocked after stop")
        self.assertTrue(run.should_stop and not run.paused)
        run.finish()
        self.assertEqual(self.s.status("api-pause"), "stopped")

    def test_a_locked_database_delays_a_command_without_failing_the_loop(self):
        run = siamon_log.Run(self.s.dir, "api-locked")
        run._ctl.execute("PRAGMA busy_timeout = 50")
        cid = siamon_log.issue(self.s.db, "api-locked", "lr_scale", 2.0, wait=False)["id"]
        blocker = sqlite3.connect(self.s.db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        siamon_log._warned.clear()
        err, sys.stderr = sys.stderr, io.StringIO()
        try:
            run.step_boundary(1)
        finally:
            err, sys.stderr = sys.stderr.getvalue(), err
            blocker.execute("COMMIT")
            blocker.close()
        self.assertIn("could not read commands, will retry", err)
        self.assertEqual((run.lr_scale, self.s.command(cid)[0]), (1.0, "pending"))
        run._ctl.execute("PRAGMA busy_timeout = 10000")     # the flusher may be committing what it held back
        time.sleep(0.06)
        run.step_boundary(2)
        self.assertEqual((run.lr_scale, self.s.command(cid)[:2]), (2.0, ("applied", "lr scale \u00d72, now \u00d72 from step 2")))
        run.finish()

    def test_a_live_writer_revives_a_run_wrongly_marked_interrupted(self):
        run = siamon_log.Run(self.s.dir, "api-revive")
        con = sqlite3.connect(self.s.db, isolation_level=None)
        con.execute("UPDATE run SET status = 'interrupted', endedAt = 1 WHERE name = 'api-revive'")
        con.close()
        run.flush()
        self.assertEqual(self.s.rows("SELECT status, endedAt FROM run"), [("running", None)])
        run.finish()

    def test_each_command_is_claimed_exactly_once_by_racing_claimers(self):
        run = siamon_log.Run(self.s.dir, "race")
        done = os.path.join(self.s.dir, "inserted")
        claimers = [self.s.start([sys.executable, "-c", CLAIMER, HERE, self.s.db, str(run.run_id), done],
                                 popen={"stdout": subprocess.PIPE, "text": True}) for _ in range(2)]
        for c in claimers:
            self.assertEqual(c.stdout.readline(), "ready\n")
        con = sqlite3.connect(self.s.db, timeout=10, isolation_level=None)
        for _ in range(300):                             # one row per transaction, as issuers insert them
            con.execute("INSERT INTO command (runId, kind, issuerPid, issuerHost, issuedAt) VALUES (?, 'resume', ?, 'h', ?)",
                        (run.run_id, os.getpid(), time.time()))
            time.sleep(0.003)
        con.close()
        open(done, "w").close()
        got = [json.loads(c.communicate(timeout=30)[0]) for c in claimers]
        run.finish()
        self.assertTrue(got[0] and got[1], "one claimer got nothing: the race was not exercised")
        sys.stderr.write("\nracing claimers took %d and %d of 300 commands\n" % (len(got[0]), len(got[1])))
        self.assertEqual(set(got[0]) & set(got[1]), set())
        self.assertEqual(sorted(got[0] + got[1]), list(range(1, 301)))

    def test_command_to_applied_latency(self):
        proc = self.s.start([sys.executable, "-c", FAST_LOOP, HERE, self.s.dir])
        self.s.wait_for_run("fast")
        latencies = []
        for i in range(60):
            got = siamon_log.issue(self.s.db, "fast", "lr_scale", 1.0)
            self.assertEqual(got["state"], "applied", got)
            _, _, issued, done = self.s.command(got["id"])
            latencies.append(done - issued)
        siamon_log.issue(self.s.db, "fast", "stop")
        self.assertEqual(wait(proc), 0)
        latencies.sort()
        median, p99 = latencies[len(latencies) // 2], latencies[math.ceil(0.99 * len(latencies)) - 1]
        sys.stderr.write("\ncommand-to-applied over %d commands: median %.1f ms, p99 %.1f ms\n"
                         % (len(latencies), median * 1000, p99 * 1000))
        self.assertLess(median, 1.0)


CLAIMER = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import siamon_log
con = siamon_log._connect(sys.argv[2])
run_id, got = int(sys.argv[3]), []
print("ready", flush=True)
while True:
    finished = os.path.exists(sys.argv[4])      # every row is in before this file appears
    # Both claimers see a new row at about the same time and both try to claim it: the race under test.
    if con.execute("SELECT 1 FROM command WHERE runId = ? AND state = 'pending'", (run_id,)).fetchone():
        got += [r[0] for r in siamon_log._claim(con, run_id)]
    elif finished:
        break
    else:
        time.sleep(0.0005)
print(json.dumps(got))
"""


FAST_LOOP = """
import sys, time
sys.path.insert(0, sys.argv[1])
import siamon_log
run = siamon_log.Run(sys.argv[2], "fast")
step = 0
while not run.should_stop:
    run.step_boundary(step)
    run.log(step, loss=1.0 / (step + 1))
    step += 1
    time.sleep(0.001)
run.finish()
"""


class SummaryWriterTests(unittest.TestCase):
    def setUp(self):
        self.s = Store()
        for k in ("RANK", "LOCAL_RANK"):
            os.environ.pop(k, None)

    def tearDown(self):
        self.s.cleanup()

    def test_tags_map_to_siamon_keys_and_other_methods_warn_once(self):
        run = siamon_log.Run(self.s.dir, "tb")
        siamon_log._warned.clear()
        err, sys.stderr = sys.stderr, io.StringIO()
        try:
            self.write_a_few(run)
        finally:
            err, sys.stderr = sys.stderr.getvalue(), err
        self.assertEqual(err.count("add_image is ignored"), 1, err)
        self.assertEqual(err.count("add_histogram is ignored"), 1, err)
        got = {k: dict(self.s.scalars("tb", k)) for k in ("loss", "ema_momentum", "loss_pos", "test/acc_1", "grad/norm_a")}
        self.assertEqual(got, {"loss": {10: 2.0}, "ema_momentum": {10: 0.99}, "loss_pos": {10: 1.0},
                               "test/acc_1": {11: 50.0}, "grad/norm_a": {12: 3.0}})

    def write_a_few(self, run):
        with siamon_log.SummaryWriter(log_dir="x", run=run) as w:
            w.add_scalar("train_loss", 2.0, 10)
            w.add_scalar("mm", 0.99, 10)
            w.add_scalar("train/loss_pos", 1.0, 10)
            w.add_scalar("test/acc@1", 50.0, 11)
            w.add_scalars("grad", {"norm a": 3.0}, 12)
            w.add_image("img", object(), 10)
            w.add_image("img", object(), 11)
            w.add_histogram("h", [1, 2], 10)
        run.finish()

    def test_a_writer_without_a_run_makes_one_named_after_its_log_dir(self):
        os.environ["SIAMON_RUNS"] = self.s.dir
        try:
            for _ in range(2):
                w = siamon_log.SummaryWriter(log_dir=os.path.join("logs", "vit-b 800ep"))
                w.add_scalar("loss", 1.5, 0)
                w.close()
        finally:
            del os.environ["SIAMON_RUNS"]
        (first, second) = self.s.rows("SELECT name, status FROM run ORDER BY id")
        self.assertEqual(first, ("vit-b_800ep", "done"))
        self.assertRegex(second[0], r"^vit-b_800ep-\d{8}-\d{6}$", "a second writer on the same log_dir")


if __name__ == "__main__":
    unittest.main()
