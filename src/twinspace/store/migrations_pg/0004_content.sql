-- The content catalogue, as migrations/0002_content.sql (SQLite), and its search index:
-- tsvectors of each document's title, keywords and description, ranked by the same BM25 as
-- SQLite's FTS5 (store/search_pg.py), and a pg_trgm index of every indexed word for typo
-- correction. Written by store/catalog_pg.py, searched by store/search_pg.py.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE content_channel (
    home_id   TEXT NOT NULL,
    id        TEXT NOT NULL,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    name_key  TEXT NOT NULL,
    url       TEXT NOT NULL,
    number    TEXT,
    grp       TEXT,
    logo      TEXT,
    tvg_name  TEXT,
    PRIMARY KEY (home_id, id)
);
CREATE INDEX content_channel_by_name ON content_channel (home_id, name_key);

CREATE TABLE content_programme (
    rowid             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- named as SQLite's, for the shared code
    home_id           TEXT NOT NULL,
    channel_id        TEXT NOT NULL,
    start_utc         BIGINT NOT NULL,
    stop_utc          BIGINT NOT NULL,
    start_offset_min  INTEGER NOT NULL,
    stop_offset_min   INTEGER NOT NULL,
    title             TEXT NOT NULL,
    description       TEXT,
    titles            TEXT NOT NULL,
    descriptions      TEXT NOT NULL,
    categories        TEXT NOT NULL,
    rating            TEXT,
    rating_system     TEXT,
    rating_age        INTEGER,
    season            INTEGER,
    episode           INTEGER,
    UNIQUE (home_id, channel_id, start_utc)
);
CREATE INDEX content_programme_by_show ON content_programme (home_id, channel_id, title, stop_utc);

CREATE TABLE content_vod (
    home_id     TEXT NOT NULL,
    id          TEXT NOT NULL,
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    rating_age  INTEGER,
    data        TEXT NOT NULL,
    PRIMARY KEY (home_id, id)
);

CREATE TABLE content_app (
    home_id   TEXT NOT NULL,
    id        TEXT NOT NULL,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (home_id, id)
);

-- title/keywords/body as imported; the tsvectors are built from their words as content.search
-- reads a query (casefolded, accents removed), so a query word and an indexed word compare
-- alike. Each field has its own vector so a match counts 10, 4 or 1 by field, as in SQLite's
-- bm25(10, 4, 1); `doc` (all three) is what the GIN index matches.
CREATE TABLE content_search (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    home_id   TEXT NOT NULL,
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    title     TEXT NOT NULL,
    keywords  TEXT NOT NULL,
    body      TEXT NOT NULL,
    title_doc     TSVECTOR NOT NULL,
    keywords_doc  TSVECTOR NOT NULL,
    body_doc      TSVECTOR NOT NULL,
    length        INTEGER NOT NULL,   -- words in title, keywords and body together (BM25's document length)
    doc           TSVECTOR GENERATED ALWAYS AS (setweight(title_doc, 'A') || setweight(keywords_doc, 'B')
                                                || setweight(body_doc, 'C')) STORED
);
CREATE INDEX content_search_doc ON content_search USING gin (doc);
CREATE INDEX content_search_by_home ON content_search (home_id, kind, key);

-- Every indexed word, for "no indexed word starts with this" and "the words closest to it".
CREATE TABLE content_search_term (
    term  TEXT PRIMARY KEY
);
CREATE INDEX content_search_term_trgm ON content_search_term USING gin (term gin_trgm_ops);
