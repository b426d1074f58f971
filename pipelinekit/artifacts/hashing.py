"""sha256 computed while bytes stream to S3, never in a separate pass.

Hashing 1 GiB takes about a second of CPU here, which is a tenth of the whole upload; a second
read of the file would also double the disk traffic. (Downloads are hashed after they land:
s3transfer writes ranged parts in place only into a seekable file.)
"""

from __future__ import annotations

import hashlib
from typing import BinaryIO

CHUNK = 1 << 20


class HashingReader:
    """A seekable file wrapper fed to `upload_fileobj` that hashes what is read.

    botocore re-reads a body (for its own checksums and after a retry) by seeking back, so
    only bytes beyond the furthest point already hashed are added: the digest is of the file
    exactly once, in order, however often parts of it are read.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._sha = hashlib.sha256()
        self.hashed = 0
        """Bytes hashed so far: the contiguous prefix of the file."""

    def read(self, size: int = -1) -> bytes:
        start = self._raw.tell()
        data = self._raw.read(size)
        end = start + len(data)
        if start <= self.hashed < end:
            self._sha.update(memoryview(data)[self.hashed - start :])
            self.hashed = end
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """s3transfer closes the body after a single PUT; the owner closes the real file."""

    def hexdigest(self, size: int) -> str:
        """The sha256 of the whole file; finishes reading if a caller skipped the tail."""
        if self.hashed < size:
            position = self._raw.tell()
            self._raw.seek(self.hashed)
            while chunk := self._raw.read(CHUNK):
                self._sha.update(chunk)
                self.hashed += len(chunk)
            self._raw.seek(position)
        return self._sha.hexdigest()
