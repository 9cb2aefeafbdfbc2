"""siamon_log: log a PyTorch (or any Python) training run into siamon's metrics database.

One stdlib-only file; copy it next to your training script.

    import siamon_log
    run = siamon_log.Run("runs/siamon.sqlite", "vitb-800ep", config=vars(args))   # or a runs/ folder
    for step, batch in enumerate(loader):
        ...
        run.log(step, loss=loss.item(), lr=optimizer.param_groups[0]["lr"], ema_momentum=mm)
    run.event("checkpoint", {"path": "ckpt.pth"})
    run.finish()            # also called at exit: "done", or "failed" after an uncaught exception

Then `siamon watch` (or `siamon runs`) shows the run live, on the same host.

- Writes the same schema as siamon (docs/store.md): WAL with a 10 s busy timeout (a rollback journal
  on NFS/CIFS/FUSE/Lustre/9p, where WAL is unsafe), batched: one transaction every <= 0.5 s or 1000 rows,
  from a background thread; log() never touches the disk.
- Creates the database and its schema when the file is new (a cluster may not have siamon installed), and
  refuses a database whose schema is newer than this file knows (a migration name it does not know).
- Distributed jobs: only rank 0 logs. When RANK (or LOCAL_RANK when RANK is unset) is set and not 0, Run
  is a no-op, so every rank may call it unconditionally.
- NaN and +-inf are kept (NaN is stored as SQL NULL, as siamon reads it).
- Keys: use siamon's names where they apply (loss, loss_pos, loss_neg, lr, ema_momentum, grad_norm,
  images_per_s, epoch, step_seconds); any other name becomes its own series.
"""

import atexit
import json
import math
import os
import re
import socket
import sqlite3
import sys
import threading
import time

__all__ = ["Run", "SchemaError"]

# Identical to Sources/MetricsStore/Schema.swift (a Swift test compares the resulting schemas).
MIGRATIONS_TABLE = "CREATE TABLE IF NOT EXISTS migrations (name TEXT NOT NULL PRIMARY KEY, appliedAt REAL NOT NULL)"
MIGRATIONS = [
    ("2026-11-26 v1 core tables", """CREATE TABLE run (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('running','paused','done','failed','interrupted','stopped')),
  preset TEXT NOT NULL DEFAULT '',
  config TEXT NOT NULL DEFAULT '{}',
  createdAt REAL NOT NULL,
  endedAt REAL,
  parentRunId INTEGER,
  parentStep INTEGER,
  source TEXT NOT NULL CHECK (source IN ('siamon','pytorch','import')),
  writerPid INTEGER,
  writerHost TEXT,
  heartbeat REAL
);
CREATE TABLE scalar (
  runId INTEGER NOT NULL,
  key TEXT NOT NULL,
  step INTEGER NOT NULL,
  value REAL,
  wallTime REAL,
  PRIMARY KEY (runId, key, step)
);
CREATE TABLE scalarBucket (
  runId INTEGER NOT NULL,
  key TEXT NOT NULL,
  level INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  stepMin INTEGER NOT NULL,
  stepMax INTEGER NOT NULL,
  first REAL,
  last REAL,
  min REAL,
  max REAL,
  count INTEGER NOT NULL,
  nanCount INTEGER NOT NULL,
  PRIMARY KEY (runId, key, level, bucket)
) WITHOUT ROWID;
CREATE TABLE latest (
  runId INTEGER NOT NULL,
  key TEXT NOT NULL,
  step INTEGER NOT NULL,
  value REAL,
  wallTime REAL,
  PRIMARY KEY (runId, key)
) WITHOUT ROWID;
CREATE TABLE event (
  id INTEGER PRIMARY KEY,
  runId INTEGER NOT NULL,
  step INTEGER NOT NULL,
  wallTime REAL NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX eventByRun ON event (runId, step);
CREATE TABLE snapshot (
  id INTEGER PRIMARY KEY,
  runId INTEGER NOT NULL,
  step INTEGER NOT NULL,
  viewWidth INTEGER NOT NULL,
  viewHeight INTEGER NOT NULL,
  viewChannels INTEGER NOT NULL,
  view1 BLOB NOT NULL,
  view2 BLOB NOT NULL,
  sourceWidth INTEGER NOT NULL,
  sourceHeight INTEGER NOT NULL,
  sourceChannels INTEGER NOT NULL,
  source BLOB NOT NULL,
  gridWidth INTEGER NOT NULL,
  gridHeight INTEGER NOT NULL,
  maskBits BLOB NOT NULL,
  geometry TEXT NOT NULL DEFAULT '{}',
  sourceId INTEGER NOT NULL,
  wallTime REAL NOT NULL,
  UNIQUE (runId, step)
);
CREATE TABLE checkpoint (
  id INTEGER PRIMARY KEY,
  runId INTEGER NOT NULL,
  step INTEGER NOT NULL,
  path TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  wallTime REAL NOT NULL
);
CREATE INDEX checkpointByRun ON checkpoint (runId, step);
CREATE TABLE probe (
  id INTEGER PRIMARY KEY,
  runId INTEGER NOT NULL,
  step INTEGER NOT NULL,
  linear REAL,
  knn REAL,
  protocol TEXT NOT NULL,
  wallTime REAL NOT NULL
);
CREATE INDEX probeByRun ON probe (runId, step);"""),
    ("2026-11-26 v2 integer metric keys", """CREATE TABLE scalarKey (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
INSERT INTO scalarKey (name)
  SELECT key FROM scalar UNION SELECT key FROM latest UNION SELECT key FROM scalarBucket ORDER BY 1;
ALTER TABLE scalar RENAME TO scalarV1;
CREATE TABLE scalar (
  runId INTEGER NOT NULL,
  keyId INTEGER NOT NULL,
  step INTEGER NOT NULL,
  value REAL,
  wallTime REAL,
  PRIMARY KEY (runId, keyId, step)
);
INSERT INTO scalar (rowid, runId, keyId, step, value, wallTime)
  SELECT s.rowid, s.runId, k.id, s.step, s.value, s.wallTime
  FROM scalarV1 s JOIN scalarKey k ON k.name = s.key ORDER BY s.rowid;
DROP TABLE scalarV1;
ALTER TABLE scalarBucket RENAME TO scalarBucketV1;
CREATE TABLE scalarBucket (
  runId INTEGER NOT NULL,
  keyId INTEGER NOT NULL,
  level INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  stepMin INTEGER NOT NULL,
  stepMax INTEGER NOT NULL,
  first REAL,
  last REAL,
  min REAL,
  max REAL,
  count INTEGER NOT NULL,
  nanCount INTEGER NOT NULL,
  PRIMARY KEY (runId, keyId, level, bucket)
) WITHOUT ROWID;
INSERT INTO scalarBucket
  SELECT b.runId, k.id, b.level, b.bucket, b.stepMin, b.stepMax, b.first, b.last, b.min, b.max, b.count, b.nanCount
  FROM scalarBucketV1 b JOIN scalarKey k ON k.name = b.key;
DROP TABLE scalarBucketV1;
ALTER TABLE latest RENAME TO latestV1;
CREATE TABLE latest (
  runId INTEGER NOT NULL,
  keyId INTEGER NOT NULL,
  step INTEGER NOT NULL,
  value REAL,
  wallTime REAL,
  PRIMARY KEY (runId, keyId)
) WITHOUT ROWID;
INSERT INTO latest SELECT l.runId, k.id, l.step, l.value, l.wallTime FROM latestV1 l JOIN scalarKey k ON k.name = l.key;
DROP TABLE latestV1;"""),
]

# Appended, not inserted: migrations are applied in list order and never edited once shipped.
MIGRATIONS.append(("2026-12-06 v4 pyramid sums", """ALTER TABLE scalarBucket ADD COLUMN sum REAL;
ALTER TABLE scalarBucket ADD COLUMN wallFirst REAL;
ALTER TABLE scalarBucket ADD COLUMN wallLast REAL;
UPDATE scalarBucket SET
  sum = coalesce((SELECT sum(s.value) FROM scalar s WHERE s.runId = scalarBucket.runId
                    AND s.keyId = scalarBucket.keyId AND s.step BETWEEN scalarBucket.stepMin AND scalarBucket.stepMax), 0.0),
  wallFirst = (SELECT s.wallTime FROM scalar s WHERE s.runId = scalarBucket.runId
                 AND s.keyId = scalarBucket.keyId AND s.step = scalarBucket.stepMin),
  wallLast = (SELECT s.wallTime FROM scalar s WHERE s.runId = scalarBucket.runId
                AND s.keyId = scalarBucket.keyId AND s.step = scalarBucket.stepMax);"""))

_NAME_CHAR = re.compile(r"[A-Za-z0-9._-]\Z")


def _quote(s):
    """A JSON string literal escaped exactly as siamon's JSONValue.quote does (for identical messages)."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif o < 0x20:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    return "".join(out) + '"'


def run_name_error(name):
    """siamon's run-name rule (SiamTrain RunName.validate) with its one-line messages; None for a good name.
    Run names become folders under runs/: 1-64 of [A-Za-z0-9._-], no leading '.', no '..', not 'presets'."""
    if not isinstance(name, str):
        return "run name %r is not a string" % (name,)
    shown = _quote(name)
    if len(shown) > 80:
        shown = shown[:77] + '..."'
    def fail(reason):
        return "run name %s %s" % (shown, reason)
    if name == "":
        return fail("is empty")
    if "\0" in name:
        return fail("contains a NUL byte")
    if name.startswith("/"):
        return fail("is an absolute path; give a plain name, it becomes runs/NAME")
    if "/" in name:
        return fail("contains '/'; a run name is one folder under runs/")
    if ".." in name:
        return fail("contains '..'")
    if name.startswith("."):
        return fail("starts with '.'")
    if len(name) > 64:
        return fail("is %d characters long; the limit is 64" % len(name))
    for ch in name:
        if not _NAME_CHAR.match(ch):
            what = "'%s'" % ch if 0x20 <= ord(ch) < 0x7F else "U+%X" % ord(ch)
            return fail("contains %s; use letters, digits, '.', '_' and '-'" % what)
    if name == "presets":
        return fail("is reserved (runs/presets holds the presets)")
    return None
_UNSAFE_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "lustre", "afs", "ceph", "gpfs", "virtiofs",
              "beegfs", "wekafs", "fuseblk", "glusterfs", "ocfs2", "gfs2"}
_LEVELS = (1, 2, 3, 4)          # scalarBucket level l holds buckets of 16**l steps
_FLUSH_SECONDS = 0.5
_FLUSH_ROWS = 1000
_HEARTBEAT_SECONDS = 5.0


class SchemaError(RuntimeError):
    """The database cannot be used by this version of siamon_log."""


def _is_rank_zero():
    rank = os.environ.get("RANK")
    if rank is None:
        rank = os.environ.get("LOCAL_RANK")
    return rank is None or rank.strip() in ("", "0")


def _filesystem_type(path):
    real = os.path.realpath(path)
    best, kind = -1, None
    try:
        with open("/proc/self/mounts") as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mount = parts[1].replace("\\040", " ")
                if (mount == "/" or real == mount or real.startswith(mount + "/")) and len(mount) >= best:
                    best, kind = len(mount), parts[2]
    except OSError:
        pass
    return kind


def _wal_unsafe(directory):
    if os.environ.get("SIAMON_JOURNAL", "").lower() == "delete":
        return True
    fs = _filesystem_type(directory) or ""
    return fs in _UNSAFE_FS or fs == "fuse" or fs.startswith("fuse.")


def _connect(path):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    con = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA busy_timeout = 10000")
    con.execute("PRAGMA page_size = 8192")      # as siamon: only takes effect on a new file
    con.execute("PRAGMA temp_store = MEMORY")
    if _wal_unsafe(directory):
        sys.stderr.write("siamon_log: warning: %s is on a filesystem where SQLite WAL is unsafe; using a rollback journal\n" % directory)
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("PRAGMA synchronous = FULL")
    else:
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")
    return con


def _migrate(con, path):
    con.execute("BEGIN IMMEDIATE")
    con.execute(MIGRATIONS_TABLE)
    con.execute("COMMIT")
    known = {name for name, _ in MIGRATIONS}
    for (name,) in con.execute("SELECT name FROM migrations ORDER BY rowid").fetchall():
        if name not in known:
            raise SchemaError("%s: schema has migration '%s' that this siamon_log.py does not know; "
                              "use the siamon_log.py of a newer siamon" % (path, name))
    for name, sql in MIGRATIONS:
        con.execute("BEGIN IMMEDIATE")
        try:
            if con.execute("SELECT count(*) FROM migrations WHERE name = ?", (name,)).fetchone()[0] == 0:
                for statement in sql.split(";\n"):
                    if statement.strip():
                        con.execute(statement)
                con.execute("INSERT INTO migrations (name, appliedAt) VALUES (?, ?)", (name, time.time()))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


class _Agg:
    """One pyramid bucket: the same fields and merge rules as Pyramid.Agg in Swift."""
    __slots__ = ("step_min", "step_max", "first", "last", "min", "max", "count", "nan_count", "sum",
                 "wall_first", "wall_last")

    def __init__(self, step, value, wall=None):
        nan = math.isnan(value)
        self.step_min = self.step_max = step
        self.first = self.last = value
        self.min = self.max = value
        self.count = 1
        self.nan_count = 1 if nan else 0
        self.sum = 0.0 if nan else value
        self.wall_first = self.wall_last = wall

    def add(self, step, value, wall=None):
        if step < self.step_min:
            self.step_min, self.first, self.wall_first = step, value, wall
        if step > self.step_max:
            self.step_max, self.last, self.wall_last = step, value, wall
        if not math.isnan(value):
            if math.isnan(self.min) or value < self.min:
                self.min = value
            if math.isnan(self.max) or value > self.max:
                self.max = value
            self.sum += value
        else:
            self.nan_count += 1
        self.count += 1


_BUCKET_UPSERT = """
INSERT INTO scalarBucket (runId, keyId, level, bucket, stepMin, stepMax, first, last, min, max, count, nanCount,
                          sum, wallFirst, wallLast)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (runId, keyId, level, bucket) DO UPDATE SET
  first = CASE WHEN excluded.stepMin < stepMin THEN excluded.first ELSE first END,
  last = CASE WHEN excluded.stepMax > stepMax THEN excluded.last ELSE last END,
  wallFirst = CASE WHEN excluded.stepMin < stepMin THEN excluded.wallFirst ELSE wallFirst END,
  wallLast = CASE WHEN excluded.stepMax > stepMax THEN excluded.wallLast ELSE wallLast END,
  sum = sum + excluded.sum,
  stepMin = min(stepMin, excluded.stepMin),
  stepMax = max(stepMax, excluded.stepMax),
  min = min(coalesce(min, excluded.min), coalesce(excluded.min, min)),
  max = max(coalesce(max, excluded.max), coalesce(excluded.max, max)),
  count = count + excluded.count,
  nanCount = nanCount + excluded.nanCount
"""

_LATEST_UPSERT = """
INSERT INTO latest (runId, keyId, step, value, wallTime) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (runId, keyId) DO UPDATE SET step = excluded.step, value = excluded.value,
  wallTime = excluded.wallTime WHERE excluded.step >= latest.step
"""


def _nan_to_none(x):
    return None if math.isnan(x) else x


class Run:
    """One run in siamon's database. All methods are no-ops on ranks other than 0."""

    def __init__(self, db, name, config=None, preset="", resume=False, parent=None, parent_step=None):
        self.enabled = _is_rank_zero()
        self.name = name
        self.finished = False
        if not self.enabled:
            return
        bad = run_name_error(name)
        if bad:
            raise ValueError(bad)
        path = os.path.join(db, "siamon.sqlite") if os.path.isdir(db) else db
        self.path = path
        self._con = _connect(path)
        _migrate(self._con, path)
        self._lock = threading.Lock()            # guards the queue only: log() never waits for the disk
        self._db_lock = threading.Lock()         # guards the connection (flusher thread, flush(), finish())
        self._wake = threading.Event()
        self._rows = []                          # (key, step, value, wallTime)
        self._events = []                        # (step, wallTime, kind, detailJSON)
        self._last_step = 0
        self._failed = False
        self._key_ids = {}                       # metric name -> scalarKey.id (ids never change)
        self.run_id = self._create(name, config, preset, resume, parent, parent_step)
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name="siamon_log", daemon=True)
        self._thread.start()
        atexit.register(self._at_exit)
        self._previous_hook = sys.excepthook
        sys.excepthook = self._excepthook

    # ----- public API -----

    def log(self, step, **scalars):
        """Queues one point per keyword at `step` (an int). Values: anything float() accepts (tensors too)."""
        if not self.enabled or self.finished:
            return
        step = int(step)
        now = time.time()
        rows = []
        for key, value in scalars.items():
            try:
                rows.append((key, step, float(value), now))
            except (TypeError, ValueError):
                raise TypeError("siamon_log: %s=%r is not a number" % (key, value)) from None
        with self._lock:
            self._rows.extend(rows)
            self._last_step = max(self._last_step, step)
            if len(self._rows) >= _FLUSH_ROWS:
                self._wake.set()

    def event(self, kind, detail=None, step=None):
        """Queues an event (pause, checkpoint, nan, ...) with a JSON-serialisable detail."""
        if not self.enabled or self.finished:
            return
        with self._lock:
            s = self._last_step if step is None else int(step)
            self._events.append((s, time.time(), str(kind), json.dumps(detail if detail is not None else {})))

    def flush(self):
        """Commits everything queued so far (blocks until written)."""
        if self.enabled and not self.finished:
            self._commit()

    def finish(self, status="done"):
        """Flushes, records the final status (done, failed, stopped) and closes the database."""
        if not self.enabled or self.finished:
            return
        self._stop = True
        self._wake.set()
        self._thread.join()
        self._commit(status=status)
        self.finished = True
        with self._db_lock:
            self._con.close()

    # ----- internals -----

    def _create(self, name, config, preset, resume, parent, parent_step):
        now = time.time()
        con = self._con
        with self._db_lock:
            con.execute("BEGIN IMMEDIATE")
            try:
                row = con.execute("SELECT id FROM run WHERE name = ?", (name,)).fetchone()
                if row is not None and not resume:
                    raise ValueError("a run named '%s' already exists in %s; pick another name or pass resume=True"
                                     % (name, self.path))
                if row is not None:
                    run_id = row[0]
                    con.execute("UPDATE run SET status = 'running', endedAt = NULL, writerPid = ?, writerHost = ?, "
                                "heartbeat = ? WHERE id = ?", (os.getpid(), socket.gethostname(), now, run_id))
                else:
                    cur = con.execute(
                        "INSERT INTO run (name, status, preset, config, createdAt, parentRunId, parentStep, source, "
                        "writerPid, writerHost, heartbeat) VALUES (?, 'running', ?, ?, ?, ?, ?, 'pytorch', ?, ?, ?)",
                        (name, preset, json.dumps(config if config is not None else {}, default=str), now,
                         parent, parent_step, os.getpid(), socket.gethostname(), now))
                    run_id = cur.lastrowid
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return run_id

    def _loop(self):
        last_beat = time.time()
        while not self._stop:
            self._wake.wait(_FLUSH_SECONDS)
            self._wake.clear()
            if self._stop:
                break
            with self._lock:
                pending = bool(self._rows or self._events)
            if pending or time.time() - last_beat >= _HEARTBEAT_SECONDS:
                try:
                    self._commit()
                    last_beat = time.time()
                except sqlite3.Error as e:  # keep the rows queued and retry; never kill the training loop
                    sys.stderr.write("siamon_log: write failed, will retry: %s\n" % e)

    def _commit(self, status=None):
        with self._db_lock:
            with self._lock:
                rows, events = self._rows, self._events
                self._rows, self._events = [], []
            con = self._con
            try:
                con.execute("BEGIN IMMEDIATE")
                self._write(con, rows, events)
                now = time.time()
                if status is not None:
                    live = status in ("running", "paused")
                    con.execute("UPDATE run SET status = ?, endedAt = ?, heartbeat = ? WHERE id = ?",
                                (status, None if live else now, now, self.run_id))
                else:
                    con.execute("UPDATE run SET heartbeat = ? WHERE id = ?", (now, self.run_id))
                con.execute("COMMIT")
            except BaseException:
                try:
                    con.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                with self._lock:
                    self._rows, self._events = rows + self._rows, events + self._events
                raise

    def _key_id(self, con, name):
        kid = self._key_ids.get(name)
        if kid is None:
            row = con.execute("SELECT id FROM scalarKey WHERE name = ?", (name,)).fetchone()
            kid = row[0] if row else con.execute("INSERT INTO scalarKey (name) VALUES (?)", (name,)).lastrowid
            self._key_ids[name] = kid
        return kid

    def _write(self, con, rows, events):
        run_id = self.run_id
        ids = {k: self._key_id(con, k) for k in {r[0] for r in rows}}
        con.executemany("INSERT OR REPLACE INTO scalar (runId, keyId, step, value, wallTime) VALUES (?, ?, ?, ?, ?)",
                        [(run_id, ids[k], s, _nan_to_none(v), w) for (k, s, v, w) in rows])
        buckets = {}
        latest = {}
        for (k, s, v, w) in rows:
            for level in _LEVELS:
                b = (k, level, s >> (4 * level))
                agg = buckets.get(b)
                if agg is None:
                    buckets[b] = _Agg(s, v, w)
                else:
                    agg.add(s, v, w)
            if k not in latest or latest[k][0] <= s:
                latest[k] = (s, v, w)
        con.executemany(_BUCKET_UPSERT, [
            (run_id, ids[k], level, bucket, a.step_min, a.step_max, _nan_to_none(a.first), _nan_to_none(a.last),
             _nan_to_none(a.min), _nan_to_none(a.max), a.count, a.nan_count, _nan_to_none(a.sum), a.wall_first, a.wall_last)
            for (k, level, bucket), a in buckets.items()])
        con.executemany(_LATEST_UPSERT, [(run_id, ids[k], s, _nan_to_none(v), w) for k, (s, v, w) in latest.items()])
        con.executemany("INSERT INTO event (runId, step, wallTime, kind, detail) VALUES (?, ?, ?, ?, ?)",
                        [(run_id, s, w, kind, d) for (s, w, kind, d) in events])

    def _excepthook(self, kind, value, tb):
        self._failed = True
        self._previous_hook(kind, value, tb)

    def _at_exit(self):
        try:
            self.finish("failed" if self._failed else "done")
        except Exception as e:  # at exit there is no one left to raise to
            sys.stderr.write("siamon_log: could not finish run %s: %s\n" % (self.name, e))


if __name__ == "__main__":
    # Smoke use: python3 siamon_log.py DB NAME STEPS [DELAY]  (logs a synthetic run; used by siamon's tests)
    db_path, run_name, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    delay = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    r = Run(db_path, run_name, config={"synthetic": True})
    for i in range(steps):
        r.log(i, loss=2.5 * math.exp(-i / 100.0), lr=1e-3 * min(1.0, (i + 1) / 10.0), grad_norm=float("nan") if i == 3 else 1.0 / (i + 1),
              ema_momentum=0.995 + 0.005 * i / max(1, steps), spike=float("inf") if i == 5 else float(i % 7))
        if i % 50 == 0:
            r.event("probe", {"step": i})
        if delay:
            time.sleep(delay)
    r.finish()
