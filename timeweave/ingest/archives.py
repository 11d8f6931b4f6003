"""Zip-based formats (.docx, and any other zip a reader opens) checked before a byte is unpacked.

A zip bomb is a few megabytes on disk and gigabytes inside: python-docx would parse all of it into
memory (a 9 MB .docx once took a build past 8 GB). The central directory declares each member's
unpacked size; Python's zipfile never unpacks more than that declared size (a member that lies
fails its CRC check), so checking the declared total and the compression ratio up front bounds the
memory any later extraction can take.
"""

from __future__ import annotations

import io
import zipfile

from timeweave.errors import IngestError
from timeweave.ingest import errors as codes

MB = 2**20
_SMALL = 1 * MB  # ratios are not judged below this unpacked size: tiny XML parts compress very well


def check_zip(data: bytes, *, path: str, max_unzipped_bytes: int, max_ratio: float) -> None:
    """Raise T019 when the archive would unpack beyond `max_unzipped_bytes` or compresses more than `max_ratio`:1.

    A file that is not a zip at all is left to the format's reader, which reports it with its own code.
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return
    unpacked = sum(max(m.file_size, 0) for m in members)
    packed = sum(max(m.compress_size, 0) for m in members)
    hint = ("Check where the file comes from; if it is a genuine document, raise --set max_unzipped_mb=N "
            "or --set max_zip_ratio=N.")
    if unpacked > max_unzipped_bytes:
        raise IngestError(codes.ARCHIVE_BOMB, path,
                          f"it is a zip archive of {len(data) / MB:.1f} MB that would unpack to {unpacked / MB:,.0f} MB, "
                          f"over the {max_unzipped_bytes / MB:g} MB limit (a zip bomb?); nothing was unpacked", hint)
    if unpacked > _SMALL and unpacked > max_ratio * max(packed, 1):
        raise IngestError(codes.ARCHIVE_BOMB, path,
                          f"it unpacks {unpacked / max(packed, 1):,.0f} times larger than it is packed "
                          f"({packed / MB:.2f} MB to {unpacked / MB:,.0f} MB), over the {max_ratio:g}:1 limit "
                          "(a zip bomb?); nothing was unpacked", hint)
