-- The home twin, its imported files, the action journal, and access.

CREATE TABLE homes (
    id          TEXT PRIMARY KEY,
    doc         TEXT NOT NULL,      -- the home as JSON: twinspace.home/1 plus live state
    version     INTEGER NOT NULL,   -- bumped by every committed change
    updated_at  TEXT NOT NULL
);

-- Content files as imported (M3U, XMLTV, vod.json), so an export writes back the same bytes.
CREATE TABLE home_files (
    home_id  TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    data     BLOB NOT NULL,
    PRIMARY KEY (home_id, name)
);

-- Every applied action, with the home before it, for audit and undo.
CREATE TABLE journal (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    home_id     TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,   -- the home version this entry produced
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

-- Device tokens, stored as SHA-256 hashes; the token itself is shown once.
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

-- Short-lived one-time pairing codes, also hashed.
CREATE TABLE pair_codes (
    hash        TEXT PRIMARY KEY,
    home_id     TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    person      TEXT,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

-- Failed pairing attempts, to slow down guessing.
CREATE TABLE pair_failures (
    at  TEXT NOT NULL
);
