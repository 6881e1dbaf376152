-- Resume points: where each person left each on-demand title, for "resume" and continue
-- watching. Written by twinspace.content.services only. Live content has no position, so
-- only vod: refs appear here.

CREATE TABLE playback_resume (
    home_id     TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    person      TEXT NOT NULL,
    content     TEXT NOT NULL,      -- content ref, e.g. vod:starfall
    position_s  REAL NOT NULL,      -- seconds from the start
    updated_at  TEXT NOT NULL,      -- ISO 8601, UTC
    PRIMARY KEY (home_id, person, content)
) WITHOUT ROWID;
-- Continue watching: a person's titles, most recent first.
CREATE INDEX playback_resume_recent ON playback_resume (home_id, person, updated_at);
