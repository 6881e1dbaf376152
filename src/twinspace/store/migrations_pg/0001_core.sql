-- The home twin, its imported files, the action journal, and access: the same tables and
-- meanings as migrations/0001_core.sql (SQLite), in PostgreSQL types. Times stay ISO 8601
-- text so both stores compare and return them identically.

CREATE TABLE homes (
    id          TEXT PRIMARY KEY,
    doc         TEXT NOT NULL,
    version     BIGINT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE home_files (
    home_id  TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    data     BYTEA NOT NULL,
    PRIMARY KEY (home_id, name)
);

CREATE TABLE journal (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    home_id     TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    version     BIGINT NOT NULL,
    at          TEXT NOT NULL,
    person      TEXT,
    device      TEXT,
    action      TEXT NOT NULL,
    args        TEXT NOT NULL,
    message     TEXT NOT NULL,
    before_doc  TEXT NOT NULL,
    undone      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX journal_home ON journal(home_id, seq);

CREATE TABLE tokens (
    hash          TEXT PRIMARY KEY,
    home_id       TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    person        TEXT,
    device        TEXT,
    label         TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE pair_codes (
    hash        TEXT PRIMARY KEY,
    home_id     TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    person      TEXT,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

CREATE TABLE pair_failures (
    at  TEXT NOT NULL
);
