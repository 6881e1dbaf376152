import json

import pytest

from twinspace.content.models import App
from twinspace.content.vod import parse_vod
from twinspace.errors import FormatError, InvalidInput

TITLE = {"id": "dune", "title": "Dune", "kind": "movie", "year": 2021, "duration_s": 9360, "rating": "12",
         "genres": ["science fiction"], "description": "Sand."}


def vod(*titles) -> bytes:
    return json.dumps(list(titles)).encode()


def test_reads_titles_and_keeps_unknown_fields():
    [title, immersive] = parse_vod(vod(TITLE, {"id": "alps", "title": "Alps", "kind": "immersive",
                                               "projection": "360", "studio": "Air"}), name="vod.json")
    assert (title.id, title.duration_s, title.genres, title.ref) == ("dune", 9360, ["science fiction"], "vod:dune")
    assert immersive.projection == "360"
    assert immersive.model_dump()["studio"] == "Air"  # kept so an export writes it back


@pytest.mark.parametrize("titles, path, words", [
    ([TITLE, TITLE, TITLE, {**TITLE, "id": "x", "duration_s": "long"}], "[3].duration_s", "integer"),
    ([{**TITLE, "duration_s": -5}], "[0].duration_s", "greater than 0"),
    ([{**TITLE, "title": ""}], "[0].title", "at least 1"),
    ([{"id": "a"}], "[0].title", "required"),
    ([{**TITLE, "genres": ["ok", 3]}], "[0].genres[1]", "string"),
    ([{**TITLE, "projection": "270"}], "[0].projection", "'180'"),
    ([TITLE, {**TITLE, "title": "Dune again"}], "[1].id", "duplicate id 'dune' (first used at [0])"),
])
def test_errors_name_the_file_and_the_json_path(titles, path, words):
    with pytest.raises(FormatError) as error:
        parse_vod(vod(*titles), name="vod.json")
    assert (error.value.file, error.value.where) == ("vod.json", path)
    assert words in error.value.message


def test_not_a_list_and_broken_json():
    with pytest.raises(FormatError, match=r"vod.json: \(top level\): Input should be a valid list"):
        parse_vod(b'{"id": "a"}', name="vod.json")
    with pytest.raises(FormatError) as error:
        parse_vod(b'[\n  {"id": "a",}\n]', name="vod.json")
    assert error.value.where == "line 2, column 14"


def test_apps_from_mappings_or_objects():
    assert App.coerce({"id": "youtube", "name": "YouTube"}) == App(id="youtube", name="YouTube")
    assert App.coerce(App(id="a", name="A")).ref == "app:a"
    with pytest.raises(InvalidInput):
        App.coerce({"id": "", "name": "Nothing"})
    with pytest.raises(InvalidInput, match="and nothing else"):
        App.coerce({"id": "web", "name": "Browser", "icon": "w.png"})
