CREATE TABLE checkpoint (
  id INTEGER PRIMARY KEY,
  runId INTEGER NOT NULL,
  step INTEGER NOT NULL,
  path TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  wallTime REAL NOT NULL
);
CREATE INDEX checkpointByRun ON checkpoint (runId, step);
CREATE TABLE command (
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
CREATE INDEX commandByRunState ON command (runId, state);
CREATE TABLE event (
  id INTEGER PRIMARY KEY,
  runId INTEGER NOT NULL,
  step INTEGER NOT NULL,
  wallTime REAL NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX eventByRun ON event (runId, step);
CREATE TABLE latest (
  runId INTEGER NOT NULL,
  keyId INTEGER NOT NULL,
  step INTEGER NOT NULL,
  value REAL,
  wallTime REAL,
  PRIMARY KEY (runId, keyId)
) WITHOUT ROWID;
CREATE TABLE migrations (name TEXT NOT NULL PRIMARY KEY, appliedAt REAL NOT NULL);
CREATE TABLE probe (
  id INTEGER PRIMARY KEY,
  runId INTEGER NOT NULL,
  step INTEGER NOT NULL,
  linear REAL,
  knn REAL,
  protocol TEXT NOT NULL,
  wallTime REAL NOT NULL
);
CREATE INDEX probeByRun ON probe (runId, step);
CREATE TABLE run (
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
  keyId INTEGER NOT NULL,
  step INTEGER NOT NULL,
  value REAL,
  wallTime REAL,
  PRIMARY KEY (runId, keyId, step)
);
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
  nanCount INTEGER NOT NULL, sum REAL, wallFirst REAL, wallLast REAL,
  PRIMARY KEY (runId, keyId, level, bucket)
) WITHOUT ROWID;
CREATE TABLE scalarKey (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
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
