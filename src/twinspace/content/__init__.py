"""Content: live channels and their guide, on-demand titles and apps, for each home.

Parsers for the home format's files (extended M3U, XMLTV, vod.json), the rating rule,
and `Catalog`, which stores it all in SQLite and answers what's on, lookups and search.
No web framework here; the store hands in the connection.
"""

from twinspace.content.catalog import Catalog, ContentItem
from twinspace.content.m3u import Lineup, format_m3u, parse_m3u, parse_m3u_text
from twinspace.content.models import App, Channel, Listing, NowNext, Programme
from twinspace.content.ratings import allowed, rating_age
from twinspace.content.report import ImportReport, SkipLog
from twinspace.content.search import SearchHit
from twinspace.content.vod import VodTitle, parse_vod
from twinspace.content.xmltv import GuideReader, parse_time, write_xmltv

__all__ = [
    "App", "Catalog", "Channel", "ContentItem", "GuideReader", "ImportReport", "Lineup", "Listing", "NowNext",
    "Programme", "SearchHit", "SkipLog", "VodTitle", "allowed", "format_m3u", "parse_m3u", "parse_m3u_text",
    "parse_time", "parse_vod", "rating_age", "write_xmltv",
]
