-- Agents who log in with a token, their sessions, and the escalation bundles handed to vendors.
CREATE TABLE agents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    token_hash  TEXT NOT NULL UNIQUE,           -- sha256 of the token: the token itself is never stored
    created_at  TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,               -- sha256 of the cookie's value
    agent       TEXT NOT NULL,
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

CREATE TABLE escalations (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id           INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    number            INTEGER NOT NULL,
    run_number        INTEGER NOT NULL,
    party             TEXT NOT NULL,
    share_device_ids  INTEGER NOT NULL,
    file_name         TEXT NOT NULL,
    sha256            TEXT NOT NULL,
    bytes             INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    UNIQUE (case_id, number)
);
