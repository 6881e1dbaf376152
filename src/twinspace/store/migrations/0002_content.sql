-- The content catalogue: live channels, the programme guide, on-demand titles and apps,
-- each scoped by home_id, and one full-text index over all of them for search.
-- Written by twinspace.content.catalog only. No foreign key to homes: FTS5 tables cannot
-- have one, so Catalog.forget(home_id) removes a home's content in one place instead.

CREATE TABLE content_channel (
    home_id   TEXT NOT NULL,
    id        TEXT NOT NULL,          -- tvg-id, or derived from the name
    position  INTEGER NOT NULL,       -- order in the lineup file
    name      TEXT NOT NULL,
    name_key  TEXT NOT NULL,          -- casefolded letters and digits, for lookups by name
    url       TEXT NOT NULL,
    number    TEXT,                   -- tvg-chno as written ("5", "5.1")
    grp       TEXT,                   -- group-title
    logo      TEXT,
    tvg_name  TEXT,
    PRIMARY KEY (home_id, id)
) WITHOUT ROWID;
CREATE INDEX content_channel_by_name ON content_channel (home_id, name_key);

-- Times are UTC epoch seconds; the *_offset_min columns keep the guide's own UTC offset
-- so times are shown, and exported, as the source wrote them.
CREATE TABLE content_programme (
    home_id           TEXT NOT NULL,
    channel_id        TEXT NOT NULL,  -- may name a channel the lineup does not (yet) have
    start_utc         INTEGER NOT NULL,
    stop_utc          INTEGER NOT NULL,
    start_offset_min  INTEGER NOT NULL,
    stop_offset_min   INTEGER NOT NULL,
    title             TEXT NOT NULL,  -- in the preferred language
    description       TEXT,
    titles            TEXT NOT NULL,  -- JSON [[lang, text], ...]: every language in the source
    descriptions      TEXT NOT NULL,
    categories        TEXT NOT NULL,  -- JSON [text, ...]
    rating            TEXT,
    rating_system     TEXT,
    rating_age        INTEGER,        -- ratings.rating_age(rating); NULL when unknown
    season            INTEGER,
    episode           INTEGER,
    UNIQUE (home_id, channel_id, start_utc)  -- also the index for now/next on a channel
);
-- Finding the airings of one show (search hits are shows; this picks the airing to offer).
CREATE INDEX content_programme_by_show ON content_programme (home_id, channel_id, title, stop_utc);

CREATE TABLE content_vod (
    home_id     TEXT NOT NULL,
    id          TEXT NOT NULL,
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    rating_age  INTEGER,
    data        TEXT NOT NULL,        -- the title as imported (JSON), so export is lossless
    PRIMARY KEY (home_id, id)
) WITHOUT ROWID;

CREATE TABLE content_app (
    home_id   TEXT NOT NULL,
    id        TEXT NOT NULL,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (home_id, id)
) WITHOUT ROWID;

-- One document per channel, per show (a title on a channel, all its airings), per
-- on-demand title and per app. `key` is the id within its kind (a show's is its channel id;
-- its title is the title column). BM25 weighs title over keywords over body.
CREATE VIRTUAL TABLE content_search USING fts5 (
    title, keywords, body,
    home_id UNINDEXED, kind UNINDEXED, key UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO content_search (content_search, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)');
-- Every indexed word (fts5vocab reads it from the index, but slowly), copied into a trigram
-- index after each import so a misspelt query word finds the words it was meant to be.
CREATE VIRTUAL TABLE content_search_vocab USING fts5vocab (content_search, 'row');
CREATE VIRTUAL TABLE content_search_term USING fts5 (term, tokenize = 'trigram');
