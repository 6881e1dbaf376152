"""Opening files to import: a path, raw bytes or a binary stream, gzip or not."""

from __future__ import annotations

import gzip
import io
import zlib
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator, Union

from twinspace.errors import FormatError, NotFound

Source = Union[str, Path, bytes, BinaryIO]

GZIP_MAGIC = b"\x1f\x8b"
READ_ERRORS = (OSError, EOFError, zlib.error)  # what a damaged gzip stream raises while being read


def source_name(source: Source, name: str | None = None) -> str:
    """The name errors and reports use for a source: the given name, else its file name."""
    if name:
        return name
    if isinstance(source, (str, Path)):
        return Path(source).name
    return str(getattr(source, "name", None) or "<data>")


@contextmanager
def open_binary(source: Source, name: str) -> Iterator[BinaryIO]:
    """A readable binary stream over the source, decompressed when it starts like gzip.

    Compression is recognised by content rather than by the `.gz` suffix so a renamed file,
    or bytes handed over by the home importer, still read. Streams opened here are closed
    on exit; a stream passed in is left open for its owner.
    """
    with ExitStack() as opened:
        if isinstance(source, bytes):
            stream: BinaryIO = io.BytesIO(source)
        elif isinstance(source, (str, Path)):
            try:
                stream = opened.enter_context(open(source, "rb"))
            except (FileNotFoundError, IsADirectoryError):
                raise NotFound(f"{name}: there is no file at {source}") from None
        elif source.seekable():
            stream = source
        else:  # e.g. a pipe: buffer it so the gzip check can look ahead
            stream = io.BytesIO(source.read())
        head = stream.read(2)
        stream.seek(-len(head), io.SEEK_CUR)
        if head == GZIP_MAGIC:
            stream = opened.enter_context(gzip.GzipFile(fileobj=stream))  # type: ignore[assignment]
        yield stream


def unreadable(name: str, error: Exception) -> FormatError:
    return FormatError(name, "", f"could not be read (a damaged gzip file?): {error}")


def read_bytes(source: Source, name: str) -> bytes:
    """The whole (decompressed) content of a small source, such as a lineup or vod.json."""
    with open_binary(source, name) as stream:
        try:
            return stream.read()
        except READ_ERRORS as e:
            raise unreadable(name, e) from None


def where(line: int | None, column: int | None = None) -> str:
    """A location inside a text file as people read it: 'line 3, column 12'."""
    if line is None:
        return ""
    return f"line {line}" if column is None else f"line {line}, column {column}"
