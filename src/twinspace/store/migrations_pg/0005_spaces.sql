-- Spaces across homes, as migrations/0004_spaces.sql, so twinspace.spaces works on either store.

-- One-time invites into a virtual space this hub hosts. The code is stored only as an HMAC
-- under the hub's key (like pairing codes); redeeming it issues one guest token (a row of
-- `tokens` for the space) whose hash is kept here, so revoking the invite revokes the token.
CREATE TABLE space_invites (
    id            TEXT PRIMARY KEY,      -- short public id, for lists and revocation
    code_hash     TEXT NOT NULL UNIQUE,
    space_id      TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    label         TEXT NOT NULL,         -- whom it is for, e.g. "the Kims"
    created_by    TEXT,                  -- person id of the host who made it
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    redeemed_at   TEXT,
    guest         TEXT,                  -- the guest's person id in the space, once redeemed
    token_hash    TEXT UNIQUE,           -- the guest token's hash, once redeemed
    revoked_at    TEXT
);
CREATE INDEX space_invites_space ON space_invites (space_id);

-- Spaces hosted by other hubs that this hub joined as a guest: where they are and the
-- guest token that reaches them (it is a secret of this hub: the database is 0600).
CREATE TABLE joined_spaces (
    id            TEXT PRIMARY KEY,      -- the space's id on its host
    home_id       TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,  -- the home here that joined
    name          TEXT NOT NULL,
    host_url      TEXT NOT NULL,
    token         TEXT NOT NULL,
    guest         TEXT NOT NULL,         -- our person id in the space
    joined_at     TEXT NOT NULL
);
