-- What is left of a deleted case: that it existed, who deleted it, when and why, and the
-- fingerprints of the customer's bundle and of every escalation bundle handed out. None of
-- the customer's data: no title, no words, no notes, no files.
CREATE TABLE deletions (
    case_id        INTEGER PRIMARY KEY,         -- case ids are never reused (AUTOINCREMENT)
    created_at     TEXT NOT NULL,
    deleted_at     TEXT NOT NULL,
    deleted_by     TEXT NOT NULL,               -- an agent, or 'retention' for `weaklink purge`
    bundle_sha256  TEXT NOT NULL,
    escalations    TEXT NOT NULL                -- JSON: [{party, sha256, created_at}, …]
);
