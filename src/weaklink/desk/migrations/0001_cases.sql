-- Cases, the trace runs made on them, and agents' notes.
CREATE TABLE cases (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title           TEXT NOT NULL,
    customer_words  TEXT NOT NULL DEFAULT '',
    incident_at     TEXT,                       -- ISO 8601, UTC; NULL: the latest run
    status          TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'waiting_on_vendor', 'solved')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    bundle_name     TEXT NOT NULL,              -- the uploaded file's name, as the agent gave it
    bundle_sha256   TEXT NOT NULL,
    bundle_bytes    INTEGER NOT NULL,
    automation      TEXT,                       -- the chain asked for, when the agent named one
    -- The latest finished run's outcome, kept here so the list can filter and count on it.
    verdict         TEXT,
    summary         TEXT,
    scenario        TEXT,
    layer           TEXT,
    cause           TEXT,
    responsible     TEXT,
    party           TEXT
);
CREATE INDEX cases_by_status ON cases (status);

CREATE TABLE case_brands (
    case_id  INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    brand    TEXT NOT NULL,
    broken   INTEGER NOT NULL DEFAULT 0,        -- 1: a brand of the broken hop (what the breakdown counts)
    PRIMARY KEY (case_id, brand)
);

CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id       INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,             -- 1, 2, … within its case
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    requested_by  TEXT NOT NULL,
    incident_at   TEXT,
    automation    TEXT,
    scenario_file TEXT,                         -- a scenario uploaded for this run, stored beside the case
    queued_at     TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT,
    error         TEXT,
    result        TEXT,                         -- JSON: every report traced, which one the case is about
    UNIQUE (case_id, number)
);

CREATE TABLE notes (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id  INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at       TEXT NOT NULL,
    author   TEXT NOT NULL,
    text     TEXT NOT NULL
);
