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
  logs nothing (step_boundary still takes part in each decision), so every rank may call it unconditionally.
- NaN and +-inf are kept (NaN is stored as SQL NULL, as siamon reads it).
- Keys: use siamon's names where they apply (loss, loss_pos, loss_neg, lr, ema_momentum, grad_norm,
  images_per_s, epoch, step_seconds); any other name becomes its own series.

Steering (docs/command-channel.md): call run.step_boundary(step) once per optimizer step and siamon (the TUI,
`siamon ctl RUN pause|resume|stop|lr-scale F|checkpoint`) can steer the run:

    for step, batch in enumerate(loader):
        run.step_boundary(step)                 # applies commands; blocks while paused
        if run.should_stop:
            break                               # finish() then records status "stopped"
        for g in optimizer.param_groups: g["lr"] = schedule(step) * run.lr_scale
        ...
    run.on_checkpoint(lambda step: save(step))  # else checkpoint is refused: "no checkpoint registered"

  step_boundary looks at the channel at most every 50 ms (one indexed read when nothing is pending) and, while
  paused, every 50 ms with the heartbeat going on. Under torch.distributed every rank calls it: rank 0 claims
  and decides, and one broadcast hands every rank the same decision at the same call. probe is refused
  (probe-v1 runs on siamon runs only). python3 siamon_run.py does all of this for an unmodified script.
- SummaryWriter is a drop-in for torch.utils.tensorboard.SummaryWriter that writes scalars here.
- issue(), expire_commands() and mark_vanished() are the issuer's and the reaper's side, for scripts and tests.
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

__all__ = ["Run", "SchemaError", "SummaryWriter", "CheckpointRefused", "active_run", "issue", "expire_commands",
           "mark_vanished", "owner_alive"]

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
    ("2026-12-06 v3 command channel", """CREATE TABLE command (
  id INTEGER PRIMARY KEY,
  runId INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('pause','resume','stop','lr_scale','checkpoint','probe')),
  argument REAL,
  issuerPid INTEGER NOT NULL,
  issuerHost TEXT NOT NULL,
  issuedAt REAL NOT NULL,
  claimedAt REAL,
  doneAt REAL,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending','claimed','applied','refused','expired')),
  result TEXT
);
CREATE INDEX commandByRunState ON command (runId, state);"""),
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


def _connect(path, warn=True):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    con = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA busy_timeout = 10000")
    con.execute("PRAGMA page_size = 8192")      # as siamon: only takes effect on a new file
    con.execute("PRAGMA temp_store = MEMORY")
    if _wal_unsafe(directory):
        if warn:
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


# ----- the command channel (docs/command-channel.md) -----

_CLAIM_SECONDS = 0.05            # a fast loop looks for commands at most 20 times a second
_PAUSE_POLL_SECONDS = 0.05       # while paused: how often the owner looks for resume or stop
_MAX_SYNC_EVERY = 100            # under torch.distributed: at most this many steps between two syncs
_STALE_HEARTBEAT_SECONDS = 30.0  # an owner on another host is gone after this long without a heartbeat
_PROBE_REFUSAL = "probe-v1 runs on siamon runs only"


class CheckpointRefused(Exception):
    """Raised by a checkpoint callback to refuse the command with a reason (the command's result)."""


class _Outcome:
    """What became of one claimed command: its final state, the result sentence and the event it writes."""
    __slots__ = ("id", "state", "result", "event")

    def __init__(self, cid, state, result, event=None):
        self.id, self.state, self.result, self.event = cid, state, result, event


def _distributed():
    """torch.distributed when this process is one rank of several, else None. Never imports torch: a script
    that uses DDP has imported it already."""
    dist = sys.modules.get("torch.distributed")
    try:
        if dist is not None and dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            return dist
    except Exception:  # a half-initialised or foreign torch: behave as a single process
        return None
    return None


_PLAN_FIELDS = ("paused", "stop", "scale", "checkpoint", "next")


def _broadcast(dist, plan):
    """Rank 0's plan to every rank, as one float64 tensor: one collective, and no pickling (torch's
    broadcast_object_list needs numpy). On the current GPU under NCCL, which only moves GPU tensors."""
    torch = sys.modules["torch"]
    device = torch.device("cuda", torch.cuda.current_device()) if "nccl" in str(dist.get_backend()) else torch.device("cpu")
    values = [float(plan[k]) for k in _PLAN_FIELDS] if plan is not None else [0.0] * len(_PLAN_FIELDS)
    box = torch.tensor(values, dtype=torch.float64, device=device)
    dist.broadcast(box, src=0)
    got = dict(zip(_PLAN_FIELDS, box.tolist()))
    return {"paused": got["paused"] != 0, "stop": got["stop"] != 0, "scale": got["scale"],
            "checkpoint": got["checkpoint"] != 0, "next": int(got["next"])}


def _claim(con, run_id, now=None):
    """Claims every pending command of a run in one UPDATE, so two claimers never get the same row."""
    con.execute("BEGIN IMMEDIATE")
    try:
        rows = con.execute("UPDATE command SET state = 'claimed', claimedAt = ? WHERE runId = ? AND state = 'pending' "
                           "RETURNING id, kind, argument", (time.time() if now is None else now, run_id)).fetchall()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return sorted(rows)


class _Steering:
    """The owner's side of the command channel, mixed into Run. Rank 0 claims and decides; under
    torch.distributed every rank receives the same decision at the same boundary, so no rank pauses alone,
    and while paused rank 0 broadcasts each poll's decision, so no rank waits in a collective for long."""

    def _init_steering(self):
        self._paused = False
        self._stopping = False
        self._lr_scale = 1.0
        self._checkpoint_fn = None
        self._unrecorded = []                    # outcomes the database refused to record, retried at each look
        self._boundaries = 0                     # step_boundary calls: the sync clock all ranks share
        self._next_sync = 0
        self._last_sync = 0.0                    # monotonic time of the last look at the channel
        self._rate_mark = (0, time.monotonic())  # (boundaries, time) at the last sync, to size the next interval

    @property
    def lr_scale(self):
        """The product of every applied lr_scale factor (1.0 until one is applied)."""
        return self._lr_scale

    @property
    def should_stop(self):
        """True once a stop command is applied: end the loop; finish() then records status stopped."""
        return self._stopping

    @property
    def paused(self):
        return self._paused

    def on_checkpoint(self, fn):
        """Registers fn(step) -> path or None, run by the checkpoint command at a step boundary. Raise
        CheckpointRefused(reason) to refuse. Under torch.distributed it runs on every rank at the same step
        (as a script's own saves do); rank 0's outcome is recorded."""
        self._checkpoint_fn = fn

    def step_boundary(self, step):
        """Applies the commands issued since the last look (at most every 50 ms) and blocks while the run is
        paused. Under torch.distributed every rank must call it at every step."""
        dist = _distributed()
        if self.finished or (dist is None and not self.enabled):
            return
        self._boundaries += 1
        if not self._sync_due(dist):
            return
        self._sync(dist, int(step))
        while self._paused:
            time.sleep(_PAUSE_POLL_SECONDS)
            self._sync(dist, int(step))

    def _sync_due(self, dist):
        if dist is not None:                     # every rank must reach the same decision: count steps
            return self._boundaries >= self._next_sync
        return time.monotonic() - self._last_sync >= _CLAIM_SECONDS

    def _sync(self, dist, step):
        outcomes, plan = [], None
        if self.enabled:
            outcomes, plan = self._plan(self._claim_pending(), step)
        if dist is not None:
            plan = _broadcast(dist, plan)
        was_paused = self._paused
        self._enact(plan, step, outcomes)
        if self.enabled and (outcomes or was_paused != self._paused or self._unrecorded):
            self._record(outcomes, step)

    def _claim_pending(self):
        con = self._ctl
        try:
            # A plain read first: WAL readers never wait, so a loop without commands never takes the write lock.
            if con.execute("SELECT 1 FROM command WHERE runId = ? AND state = 'pending' LIMIT 1",
                           (self.run_id,)).fetchone() is None:
                return []
            return _claim(con, self.run_id)
        except sqlite3.Error as e:  # the commands stay pending for the next look
            _warn_once(("claim", str(e)), "could not read commands, will retry: %s" % e)
            return []

    def _plan(self, commands, step):
        state = {"paused": self._paused, "stop": self._stopping, "scale": self._lr_scale, "checkpoint": False}
        outcomes = [self._decide(state, cid, kind, arg, step) for cid, kind, arg in commands]
        state["next"] = self._next_sync_after()
        return outcomes, state

    def _next_sync_after(self):
        """The boundary of the next look under torch.distributed: about 50 ms of steps at the current rate."""
        count, then = self._rate_mark
        now = time.monotonic()
        self._rate_mark = (self._boundaries, now)
        steps, dt = self._boundaries - count, now - then
        every = 1 if steps <= 0 or dt <= 0 else int(steps * _CLAIM_SECONDS / dt)
        return self._boundaries + max(1, min(_MAX_SYNC_EVERY, every))

    def _decide(self, s, cid, kind, arg, step):
        if s["stop"] and kind != "stop":
            return _Outcome(cid, "refused", "run is stopping")
        decide = {"pause": self._decide_pause, "resume": self._decide_resume, "stop": self._decide_stop,
                  "lr_scale": self._decide_lr_scale, "checkpoint": self._decide_checkpoint}.get(kind)
        if decide is None:
            return _Outcome(cid, "refused", _PROBE_REFUSAL if kind == "probe" else "unknown command %r" % kind)
        return decide(s, cid, arg, step)

    def _decide_pause(self, s, cid, arg, step):
        if s["paused"]:
            return _Outcome(cid, "refused", "run is already paused at step %d" % step)
        s["paused"] = True
        return _Outcome(cid, "applied", "paused at step %d" % step, ("pause", {}))

    def _decide_resume(self, s, cid, arg, step):
        if not s["paused"]:
            return _Outcome(cid, "refused", "run is not paused (step %d)" % step)
        s["paused"] = False
        return _Outcome(cid, "applied", "resumed at step %d" % step, ("resume", {}))

    def _decide_stop(self, s, cid, arg, step):
        if s["stop"]:
            return _Outcome(cid, "refused", "run is already stopping")
        s["stop"], s["paused"] = True, False
        return _Outcome(cid, "applied", "stopped at step %d" % step, ("stop", {"reason": "command"}))

    def _decide_lr_scale(self, s, cid, arg, step):
        if arg is None or not 0 < arg < math.inf:
            return _Outcome(cid, "refused", "lr_scale needs a factor > 0, not %r" % (arg,))
        s["scale"] *= arg
        return _Outcome(cid, "applied", "lr scale \u00d7%g, now \u00d7%g from step %d" % (arg, s["scale"], step),
                        ("lr_scale", {"factor": arg, "scale": s["scale"]}))

    def _decide_checkpoint(self, s, cid, arg, step):
        if self._checkpoint_fn is None:
            return _Outcome(cid, "refused", "no checkpoint registered")
        s["checkpoint"] = True
        return _Outcome(cid, None, None)         # decided once the callback has run

    def _enact(self, plan, step, outcomes):
        self._paused, self._stopping, self._lr_scale = plan["paused"], plan["stop"], plan["scale"]
        self._next_sync = plan["next"]
        self._last_sync = time.monotonic()
        if plan["checkpoint"] and self._checkpoint_fn is not None:
            state, result, event = self._run_checkpoint(step)
            for o in outcomes:
                if o.state is None:
                    o.state, o.result, o.event = state, result, event

    def _run_checkpoint(self, step):
        try:
            path = self._checkpoint_fn(step)
        except CheckpointRefused as e:
            return "refused", str(e), None
        except Exception as e:  # the run goes on; the issuer learns why
            return "refused", "checkpoint failed: %s: %s" % (type(e).__name__, e), None
        where = ": %s" % path if path else ""
        return "applied", "checkpoint saved at step %d%s" % (step, where), ("checkpoint", {"path": path} if path else {})

    def _record(self, outcomes, step):
        """Writes each outcome's event and final state, and the run's status, in one transaction. When the
        database refuses, the outcomes wait for the next look: the training loop never dies of the channel."""
        outcomes, self._unrecorded = self._unrecorded + outcomes, []
        try:
            self._write_outcomes(outcomes, step)
        except sqlite3.Error as e:
            self._unrecorded = outcomes
            _warn_once(("record", str(e)), "could not record commands, will retry: %s" % e)

    def _write_outcomes(self, outcomes, step):
        now = time.time()
        con = self._ctl
        con.execute("BEGIN IMMEDIATE")
        try:
            for o in outcomes:
                if o.event is not None and o.state == "applied":
                    detail = dict(o.event[1], command=o.id)
                    con.execute("INSERT INTO event (runId, step, wallTime, kind, detail) VALUES (?, ?, ?, ?, ?)",
                                (self.run_id, step, now, o.event[0], json.dumps(detail)))
                con.execute("UPDATE command SET state = ?, doneAt = ?, result = ? WHERE id = ?",
                            (o.state or "refused", now, o.result or "not applied", o.id))
            con.execute("UPDATE run SET status = ?, heartbeat = ? WHERE id = ? AND status IN ('running','paused')",
                        ("paused" if self._paused else "running", now, self.run_id))
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise


# ----- owners that vanished, and issuing commands -----

def _open(db):
    path = os.path.join(db, "siamon.sqlite") if os.path.isdir(db) else db
    con = _connect(path)
    _migrate(con, path)
    return con


def owner_alive(pid, host, heartbeat, now=None):
    """The contract's liveness rule: on this host kill(pid, 0) succeeds; elsewhere the heartbeat is < 30 s old."""
    if pid and host == socket.gethostname():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # someone else's process, but alive
            return True
        return True
    now = time.time() if now is None else now
    return heartbeat is not None and now - heartbeat < _STALE_HEARTBEAT_SECONDS


def _iso(t):
    if t is None:
        return "never"
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _expire(con, command_id, heartbeat, now):
    return con.execute("UPDATE command SET state = 'expired', doneAt = ?, result = ? WHERE id = ? AND state = 'pending'",
                       (now, "owner not responding since %s" % _iso(heartbeat), command_id)).rowcount


def expire_commands(db):
    """Expires every pending command whose run's owner is not alive. Returns the expired command ids."""
    con = _open(db)
    try:
        now = time.time()
        rows = con.execute("SELECT c.id, r.writerPid, r.writerHost, r.heartbeat FROM command c JOIN run r "
                           "ON r.id = c.runId WHERE c.state = 'pending'").fetchall()
        gone = [(cid, hb) for cid, pid, host, hb in rows if not owner_alive(pid, host, hb, now)]
        con.execute("BEGIN IMMEDIATE")
        done = [cid for cid, hb in gone if _expire(con, cid, hb, now)]
        con.execute("COMMIT")
        return done
    finally:
        con.close()


def mark_vanished(db):
    """Marks live runs whose owner vanished as interrupted (with a crash-detected event, as siamon does) and
    expires their pending commands. Returns the names of the runs marked."""
    con = _open(db)
    try:
        now = time.time()
        rows = con.execute("SELECT id, name, writerPid, writerHost, heartbeat FROM run "
                           "WHERE status IN ('running','paused')").fetchall()
        gone = [r for r in rows if not owner_alive(r[2], r[3], r[4], now)]
        con.execute("BEGIN IMMEDIATE")
        marked = [name for (rid, name, pid, host, hb) in gone if _interrupt(con, rid, pid, hb, now)]
        con.execute("COMMIT")
    finally:
        con.close()
    expire_commands(db)
    return marked


def _interrupt(con, run_id, pid, heartbeat, now):
    if con.execute("UPDATE run SET status = 'interrupted', endedAt = ? WHERE id = ? AND status IN ('running','paused')",
                   (now, run_id)).rowcount == 0:
        return False
    last = con.execute("SELECT max(step) FROM latest WHERE runId = ?", (run_id,)).fetchone()[0] or 0
    con.execute("INSERT INTO event (runId, step, wallTime, kind, detail) VALUES (?, ?, ?, 'crash-detected', ?)",
                (run_id, last, now, json.dumps({"writerPid": pid or 0})))
    return True


def issue(db, run, kind, argument=None, wait=True, timeout=60.0):
    """Issues one command to the run named `run` and (with wait) waits for its final state, expiring it when
    the owner is gone. Returns {"id", "state", "result"}; state stays "pending" when timeout passes first."""
    con = _open(db)
    try:
        row = con.execute("SELECT id, status FROM run WHERE name = ?", (run,)).fetchone()
        if row is None:
            raise ValueError("no run named '%s'" % run)
        cid = _insert_command(con, row[0], row[1], kind, argument)
        return _wait_for(con, cid, timeout) if wait else {"id": cid, "state": "pending", "result": None}
    finally:
        con.close()


def _insert_command(con, run_id, status, kind, argument):
    live = status in ("running", "paused")
    now = time.time()
    cur = con.execute("INSERT INTO command (runId, kind, argument, issuerPid, issuerHost, issuedAt, doneAt, state, result) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (run_id, kind, argument, os.getpid(), socket.gethostname(), now, None if live else now,
                       "pending" if live else "refused", None if live else "run is %s" % status))
    return cur.lastrowid


def _wait_for(con, cid, timeout):
    deadline = time.monotonic() + timeout
    while True:
        state, result, pid, host, hb = con.execute(
            "SELECT c.state, c.result, r.writerPid, r.writerHost, r.heartbeat FROM command c JOIN run r "
            "ON r.id = c.runId WHERE c.id = ?", (cid,)).fetchone()
        if state in ("applied", "refused", "expired"):
            return {"id": cid, "state": state, "result": result}
        if not owner_alive(pid, host, hb):
            if state == "claimed":
                return {"id": cid, "state": state, "result": "owner gone after claiming it"}
            con.execute("BEGIN IMMEDIATE")
            _expire(con, cid, hb, time.time())
            con.execute("COMMIT")
            continue
        if time.monotonic() > deadline:
            return {"id": cid, "state": state, "result": result}
        time.sleep(0.01)


class Run(_Steering):
    """One run in siamon's database. Logging is a no-op on ranks other than 0; step_boundary is not (under
    torch.distributed every rank takes part in each decision)."""

    def __init__(self, db, name, config=None, preset="", resume=False, parent=None, parent_step=None):
        self.enabled = _is_rank_zero()
        self.name = name
        self.finished = False
        self._init_steering()
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
        self._ctl = _connect(path, warn=False)               # the command channel's own connection: never waits for the flusher
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

    def set_config(self, config):
        """Replaces the run's recorded config (a JSON-serialisable dict; other values are stored as strings)."""
        if self.enabled and not self.finished:
            self._ctl.execute("UPDATE run SET config = ? WHERE id = ?", (json.dumps(config, default=str), self.run_id))

    def finish(self, status=None):
        """Flushes, records the final status and closes the database. The default status is stopped after a
        stop command, done otherwise; pending commands are refused with "run is <status>"."""
        if not self.enabled or self.finished:
            return
        status = status or ("stopped" if self._stopping else "done")
        self._stop = True
        self._wake.set()
        self._thread.join()
        self._commit(status=status)
        self.finished = True
        with self._db_lock:
            self._con.close()
        self._ctl.close()

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
                    if not live:
                        con.execute("UPDATE command SET state = 'refused', claimedAt = ?, doneAt = ?, result = ? "
                                    "WHERE runId = ? AND state = 'pending'", (now, now, "run is %s" % status, self.run_id))
                else:
                    # A live writer revives a run that a reader on another host wrongly marked interrupted.
                    con.execute("UPDATE run SET heartbeat = ?, status = CASE WHEN status = 'interrupted' AND writerPid = ? "
                                "THEN ? ELSE status END, endedAt = CASE WHEN status = 'interrupted' AND writerPid = ? "
                                "THEN NULL ELSE endedAt END WHERE id = ?",
                                (now, os.getpid(), "paused" if self._paused else "running", os.getpid(), self.run_id))
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
            self.finish("failed" if self._failed else None)
        except Exception as e:  # at exit there is no one left to raise to
            sys.stderr.write("siamon_log: could not finish run %s: %s\n" % (self.name, e))

# ----- a TensorBoard drop-in -----

_TAG_KEYS = {"loss": "loss", "train_loss": "loss", "lr": "lr", "mm": "ema_momentum", "grad_norm": "grad_norm",
             "loss_scale": "loss_scale"}
_KEY_CHAR = re.compile(r"[^A-Za-z0-9._/-]")
_warned = set()
_step_clock = None               # set by siamon_run.py: the launcher's optimizer-step clock


def use_step_clock(clock):
    """Makes every SummaryWriter store scalars at clock.step (and `lr` as clock.applied_lr) instead of the
    script's global_step; clock.run is the run they write to. siamon_run.py installs its clock here."""
    global _step_clock
    _step_clock = clock


def active_run():
    """The Run that siamon_run.py opened for this process, or None without the launcher. A launched script
    may call active_run().on_checkpoint(fn) to answer checkpoint itself."""
    return _step_clock.run if _step_clock is not None else None


def _warn_once(what, message):
    if what not in _warned:
        _warned.add(what)
        sys.stderr.write("siamon_log: %s\n" % message)


def scalar_key(tag):
    """siamon's key for a TensorBoard tag: a leading train/ or train_ goes, the common names map to
    siamon's (train_loss and loss -> loss, mm -> ema_momentum), anything else keeps its name, with
    characters other than letters, digits and . _ / - replaced by _."""
    tag = str(tag).strip().strip("/")
    if tag in _TAG_KEYS:
        return _TAG_KEYS[tag]
    for prefix in ("train/", "train_"):
        if tag.startswith(prefix) and len(tag) > len(prefix):
            tag = tag[len(prefix):]
            break
    return _TAG_KEYS.get(tag) or _KEY_CHAR.sub("_", tag)[:128] or "unnamed"


def _tensorboard_run_name(log_dir):
    name = os.environ.get("SIAMON_RUN_NAME")
    if name:
        return name
    base = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(os.path.normpath(log_dir))).lstrip(".")[:48]
    return base if base and not run_name_error(base) else "tensorboard-" + time.strftime("%Y%m%d-%H%M%S", time.gmtime())


def runs_folder(db):
    """Creates a runs folder named without an extension that does not exist yet, so Run does not take it
    for a database file; a path like runs/siamon.sqlite is left alone."""
    if not os.path.splitext(db)[1] and not os.path.isfile(db):
        os.makedirs(db, exist_ok=True)
    return db


def _own_run(log_dir):
    """The run a SummaryWriter opens without the launcher; a name already taken gets a UTC time suffix."""
    db = runs_folder(os.environ.get("SIAMON_RUNS", "runs"))
    name = _tensorboard_run_name(log_dir)
    try:
        return Run(db, name, config={"log_dir": log_dir})
    except ValueError:
        if run_name_error(name):
            raise
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        return Run(db, "%s-%s" % (name[:48], stamp), config={"log_dir": log_dir})


class SummaryWriter:
    """Stands in for torch.utils.tensorboard.SummaryWriter and writes scalars into siamon's store.

    Without the launcher it logs to the Run given as run=, or to a new run in $SIAMON_RUNS (default runs/)
    named $SIAMON_RUN_NAME or after log_dir, and global_step is the step. Under siamon_run.py every scalar
    is stored at the launcher's optimizer step instead (MAE-style epoch_1000x x-values become steps), and
    `lr` is the lr the optimizer applied at that step, LR scale included. Methods for images, histograms,
    graphs, text, hparams and the like are accepted and ignored, with one warning each."""

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120, filename_suffix="",
                 run=None):
        self.log_dir = log_dir or os.path.join("runs", time.strftime("%b%d_%H-%M-%S") + "_" + socket.gethostname() + comment)
        self._own = False
        self._run = run or (_step_clock.run if _step_clock is not None else None)
        if self._run is None:
            self._run = _own_run(self.log_dir)
            self._own = True
        self._last_step = {}

    def get_logdir(self):
        return self.log_dir

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False, double_precision=False):
        key = scalar_key(tag)
        step, value = self._point(key, scalar_value, global_step)
        if self._last_step.get(key) == step:
            _warn_once(("twice", key), "%s logged twice at step %d; the first value is kept" % (key, step))
            return
        self._last_step[key] = step
        self._run.log(step, **{key: value})

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        for tag, value in tag_scalar_dict.items():
            self.add_scalar("%s/%s" % (main_tag, tag), value, global_step, walltime)

    def flush(self):
        self._run.flush()

    def close(self):
        if self._own:
            self._run.finish()
        else:
            self._run.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def ignored(*args, **kwargs):
            _warn_once(name, "SummaryWriter.%s is ignored (siamon stores scalars only)" % name)
        return ignored

    def _point(self, key, value, global_step):
        clock = _step_clock
        if clock is not None:
            if key == "lr" and clock.applied_lr is not None:
                value = clock.applied_lr
            return clock.step, value
        if global_step is None:
            return max(self._last_step.values(), default=0), value
        return int(global_step), value


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
