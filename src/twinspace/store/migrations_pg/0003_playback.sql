-- Resume points, as migrations/0003_playback.sql, so content.services can save them on either store.

CREATE TABLE playback_resume (
    home_id     TEXT NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
    person      TEXT NOT NULL,
    content     TEXT NOT NULL,
    position_s  DOUBLE PRECISION NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (home_id, person, content)
);
CREATE INDEX playback_resume_recent ON playback_resume (home_id, person, updated_at);
