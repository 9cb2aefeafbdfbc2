"""Unit tests of siamon_log.py with the standard library only: python3 -m unittest python/test_siamon_log.py
(siamon's Swift suite runs this file too; see Tests/MetricsStoreTests/PythonShimTests.swift)."""

import math
import os
import sqlite3
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import siamon_log  # noqa: E402


class RunTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.dir.name, "siamon.sqlite")
        for k in ("RANK", "LOCAL_RANK"):
            os.environ.pop(k, None)

    def tearDown(self):
        self.dir.cleanup()

    def rows(self, sql, args=()):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def test_log_does_not_wait_for_a_locked_database(self):
        run = siamon_log.Run(self.db, "locked")
        blocker = sqlite3.connect(self.db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")           # the flusher now waits on the busy timeout
        worst = 0.0
        start = time.time()
        step = 0
        while time.time() - start < 1.5:
            t0 = time.perf_counter()
            run.log(step, loss=1.0 / (step + 1))
            worst = max(worst, time.perf_counter() - t0)
            step += 1
            time.sleep(0.0005)
        blocker.execute("COMMIT")
        blocker.close()
        run.finish()
        self.assertLess(worst, 0.05, "log() blocked for %.3f s while the database was locked" % worst)
        self.assertEqual(self.rows("SELECT count(*) FROM scalar")[0][0], step)

    def test_nan_is_null_and_infinity_is_real(self):
        run = siamon_log.Run(self.db, "nan")
        run.log(0, loss=float("nan"), grad_norm=float("inf"), lr=-float("inf"))
        run.finish()
        got = dict(self.rows("SELECT k.name, s.value FROM scalar s JOIN scalarKey k ON k.id = s.keyId"))
        self.assertIsNone(got["loss"])
        self.assertEqual(got["grad_norm"], math.inf)
        self.assertEqual(got["lr"], -math.inf)

    def test_duplicate_name_is_refused_unless_resuming(self):
        siamon_log.Run(self.db, "dup").finish()
        with self.assertRaises(ValueError):
            siamon_log.Run(self.db, "dup")
        again = siamon_log.Run(self.db, "dup", resume=True)
        again.log(5, loss=0.5)
        again.finish("stopped")
        self.assertEqual(self.rows("SELECT status, source FROM run WHERE name = 'dup'"), [("stopped", "pytorch")])

    def test_other_ranks_are_no_ops(self):
        os.environ["LOCAL_RANK"] = "3"
        run = siamon_log.Run(self.db, "rank3")
        run.log(0, loss=1.0)
        run.finish()
        self.assertFalse(os.path.exists(self.db))

    def test_values_must_be_numbers(self):
        run = siamon_log.Run(self.db, "types")
        with self.assertRaises(TypeError):
            run.log(0, loss="high")
        run.log(1, loss=True, lr=3)                  # bool and int are numbers
        run.finish()
        self.assertEqual(sorted(v for (v,) in self.rows("SELECT value FROM scalar")), [1.0, 3.0])

    def test_events_and_concurrent_loggers_threads(self):
        run = siamon_log.Run(self.db, "threads")
        def work(offset):
            for i in range(500):
                run.log(offset + i, **{"k%d" % offset: float(i)})
        threads = [threading.Thread(target=work, args=(o,)) for o in (0, 1000, 2000)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        run.event("checkpoint", {"path": "x.safetensors"})
        run.finish()
        self.assertEqual(self.rows("SELECT count(*) FROM scalar")[0][0], 1500)
        self.assertEqual(self.rows("SELECT kind, detail FROM event"), [("checkpoint", '{"path": "x.safetensors"}')])
        # latest and the pyramid are kept: level 1 buckets of 16 steps cover all 500 points of each key.
        self.assertEqual(self.rows("SELECT sum(count) FROM scalarBucket WHERE level = 1")[0][0], 1500)
        self.assertEqual(sorted(s for (s,) in self.rows("SELECT step FROM latest")), [499, 1499, 2499])


if __name__ == "__main__":
    unittest.main()
