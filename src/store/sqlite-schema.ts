/**
 * Versioned schema migrations for the SQLite store. Append new entries; never
 * edit a shipped one. `user_version` records how far a file has come.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     workflow TEXT NOT NULL,
     version TEXT NOT NULL,
     status TEXT NOT NULL,
     input TEXT NOT NULL,
     output TEXT,
     error TEXT,
     trigger TEXT NOT NULL,
     dry_run INTEGER NOT NULL DEFAULT 0,
     parent_run_id TEXT,
     owner TEXT,
     lease_until TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     finished_at TEXT
   );
   CREATE INDEX runs_status ON runs(status);
   CREATE INDEX runs_workflow_created ON runs(workflow, created_at);
   CREATE TABLE decisions (
     run_id TEXT NOT NULL,
     key TEXT NOT NULL,
     sequence INTEGER NOT NULL,
     node TEXT NOT NULL,
     kind TEXT NOT NULL,
     decided_by TEXT NOT NULL,
     at TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (run_id, key)
   );
   CREATE INDEX decisions_kind_at ON decisions(kind, at);
   CREATE TABLE effects (
     key TEXT PRIMARY KEY,
     run_id TEXT NOT NULL,
     node TEXT NOT NULL,
     name TEXT NOT NULL,
     effect TEXT NOT NULL,
     status TEXT NOT NULL,
     args TEXT,
     result TEXT,
     error TEXT,
     started_at TEXT NOT NULL,
     finished_at TEXT
   );
   CREATE INDEX effects_run ON effects(run_id, started_at);
   CREATE TABLE approvals (
     id TEXT PRIMARY KEY,
     run_id TEXT NOT NULL,
     node TEXT NOT NULL,
     status TEXT NOT NULL,
     message TEXT NOT NULL,
     details TEXT,
     requested_at TEXT NOT NULL,
     deadline TEXT,
     decided_by TEXT,
     decided_at TEXT,
     comment TEXT
   );
   CREATE INDEX approvals_run ON approvals(run_id);`,
  // 2: the next decision sequence of a run is looked up on every decision.
  "CREATE INDEX decisions_run_sequence ON decisions(run_id, sequence);",
  // 3: fencing (issue 9): every claim bumps a run's epoch; an effect remembers the epoch
  // that claimed it; run events cross processes through a table followers poll.
  // Runs that exist already count as claimed once: their next claim (epoch 2) looks for
  // a checkpoint, since only a first claim (epoch 1) may skip that look.
  `ALTER TABLE runs ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
   UPDATE runs SET epoch = 1;
   ALTER TABLE effects ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX runs_claimable ON runs(status, lease_until);
   CREATE INDEX approvals_pending ON approvals(status, deadline);
   CREATE TABLE run_events (
     run_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     event TEXT NOT NULL,
     at TEXT NOT NULL,
     PRIMARY KEY (run_id, seq)
   ) WITHOUT ROWID;`,
  // 4 (issue 11): a failed run's error as a structured record (code, message, node,
  // details); who asked for a run, so its approvals can refuse that person.
  `ALTER TABLE runs ADD COLUMN error_detail TEXT;
   ALTER TABLE runs ADD COLUMN requested_by TEXT;`,
  // 5 (issue 17): replay, drift and labels read one route's decisions
  // over a time window; kept inputs and correction links live in the record itself.
  "CREATE INDEX IF NOT EXISTS decisions_node_at ON decisions(node, at);",
  // 6 (issue 13): the dashboard: runs listed newest first and keyset-paged on (created_at, id),
  // by status or workflow; runs filtered by who decided and by escalation. runs_status is a
  // prefix of runs_status_created.
  `CREATE INDEX IF NOT EXISTS runs_created_id ON runs(created_at DESC, id DESC);
   DROP INDEX IF EXISTS runs_status;
   CREATE INDEX IF NOT EXISTS runs_status_created ON runs(status, created_at DESC, id DESC);
   CREATE INDEX IF NOT EXISTS runs_workflow_created_id ON runs(workflow, created_at DESC, id DESC);
   CREATE INDEX IF NOT EXISTS decisions_run_decided_by ON decisions(run_id, decided_by);
   CREATE INDEX IF NOT EXISTS decisions_run_kind ON decisions(run_id, kind);`,
  // 7 (issue 14): triggers: each trigger event (webhook delivery, fire time, claimed file)
  // starts at most one run; the row is written with the run, in one transaction.
  `CREATE TABLE IF NOT EXISTS trigger_starts (
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     key TEXT NOT NULL,
     run_id TEXT NOT NULL,
     details TEXT,
     at TEXT NOT NULL,
     PRIMARY KEY (kind, name, key)
   ) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS trigger_starts_run ON trigger_starts(run_id);`,
  // 8 (issue 12): run events in a rowid table, appended at its end, with their (run_id, seq)
  // key in an index. Keyed by a random run id, the WITHOUT ROWID table took every run's
  // events into the middle of its b-tree, splitting pages: measured 45% full, 22 KB per
  // support_triage run paused at approval for 10 KB of events.
  `CREATE TABLE run_events_appended (
     run_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     event TEXT NOT NULL,
     at TEXT NOT NULL
   );
   INSERT INTO run_events_appended (run_id, seq, event, at)
     SELECT run_id, seq, event, at FROM run_events ORDER BY run_id, seq;
   DROP TABLE run_events;
   ALTER TABLE run_events_appended RENAME TO run_events;
   CREATE UNIQUE INDEX run_events_run_seq ON run_events(run_id, seq);`,
];
