# Copied from templates/runtime/_stream.py by `onebot-gen build`. Do not edit: change it there.
"""NapCat's Stream API, without I/O: the requests of a chunked upload and the assembly of a
streamed download. The clients drive these over their transport (sync or async).

Upload (``upload_file_stream``, one reply per request): ask the server how far a stream got
(``verify_only``), send the missing chunks in order (base64), then ``is_complete`` to merge; the
server checks the SHA-256 and answers with the file's path on its machine.

Download (``download_file_stream`` and its image / record variants, WebSocket): one request,
several reply frames with its echo: ``file_info``, then ``file_chunk`` frames (base64, in order),
then ``file_complete``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path
from typing import IO, Any, Literal, Self, TypeAlias

from ._envelope import as_object, encode, preview, unwrap
from ._types import NOT_GIVEN, NotGiven
from .errors import ProtocolError

UPLOAD_ACTION = "upload_file_stream"
DownloadKind: TypeAlias = Literal["file", "image", "record"]
DOWNLOAD_ACTIONS: dict[DownloadKind, str] = {
    "file": "download_file_stream",
    "image": "download_file_image_stream",
    "record": "download_file_record_stream",
}
#: Bytes read from a file at a time while hashing it.
_READ_BLOCK = 1024 * 1024


class Upload:
    """One file to upload: its size, SHA-256, chunks and the stream id it goes under.

    Without ``stream_id`` the id is derived from the content, the chunk size and the file name,
    so uploading the same file again resumes where an interrupted upload stopped.
    """

    #: The action each of the upload's calls goes through.
    action = UPLOAD_ACTION

    def __init__(
        self,
        source: str | os.PathLike[str] | bytes | bytearray | memoryview,
        *,
        chunk_size: int,
        filename: str | None,
        stream_id: str | None,
        file_retention: int | NotGiven,
        secret: str | None,
    ) -> None:
        if chunk_size <= 0:
            raise ValueError(f"chunk_size must be positive, got {chunk_size}")
        self.chunk_size = chunk_size
        self._secret = secret  # for error messages
        digest = hashlib.sha256()
        if isinstance(source, (bytes, bytearray, memoryview)):
            self._data: bytes | None = bytes(source)
            self._path: Path | None = None
            self.size = len(self._data)
            digest.update(self._data)
        else:
            self._data = None
            self._path = Path(source)
            self.size = self._path.stat().st_size
            filename = filename or self._path.name
            with self._path.open("rb") as file:
                while block := file.read(_READ_BLOCK):
                    digest.update(block)
        if self.size == 0:
            raise ValueError("NapCat's upload_file_stream cannot take an empty file")
        self.sha256 = digest.hexdigest()
        self.total = -(-self.size // chunk_size)
        key = f"{self.sha256}:{self.size}:{chunk_size}:{filename or ''}"
        self.stream_id = stream_id or "onebot-" + hashlib.sha256(key.encode()).hexdigest()[:32]
        self._creation: dict[str, object] = {
            "total_chunks": self.total,
            "file_size": self.size,
            "expected_sha256": self.sha256,
            "filename": filename if filename else NOT_GIVEN,
            "file_retention": file_retention,
        }

    def query(self) -> dict[str, object]:
        """Params that ask how far the stream got (NapCat fails the call for an unknown one)."""
        return {"stream_id": self.stream_id, "verify_only": True}

    def missing(self, state: object) -> range:
        """The chunks to send, given the reply to ``query()`` (``None``: no such stream yet).

        Chunks go in order, so the server holds the first ``received_chunks`` of them.
        """
        reply = as_object(state)
        if reply is None:
            return range(self.total)
        total, received = reply.get("total_chunks"), reply.get("received_chunks")
        if total != self.total:
            raise ValueError(
                f"stream {self.stream_id!r} on the server has {total} chunks, this upload "
                f"{self.total}: pass another stream_id"
            )
        if not isinstance(received, int) or not 0 <= received <= self.total:
            raise ProtocolError(
                f"{UPLOAD_ACTION}: unexpected stream state {_show(state, self._secret)}"
            )
        return range(received, self.total)

    def chunk(self, index: int) -> dict[str, object]:
        """Params that send chunk ``index`` (with what creates the stream, should it be new)."""
        start = index * self.chunk_size
        if self._data is not None:
            data = self._data[start : start + self.chunk_size]
        else:
            assert self._path is not None
            with self._path.open("rb") as file:
                file.seek(start)
                data = file.read(self.chunk_size)
        return {
            "stream_id": self.stream_id,
            "chunk_data": base64.b64encode(data).decode("ascii"),
            "chunk_index": index,
            **self._creation,
        }

    def check(self, reply: object) -> None:
        """Raise unless ``reply`` acknowledges a chunk."""
        state = as_object(reply)
        if state is None or state.get("status") not in ("chunk_received", "file_created"):
            raise ProtocolError(
                f"{UPLOAD_ACTION}: unexpected reply to a chunk: {_show(reply, self._secret)}"
            )

    def complete(self) -> dict[str, object]:
        """Params that ask the server to merge the chunks into the file."""
        return {"stream_id": self.stream_id, "is_complete": True, **self._creation}

    def finish(self, reply: object) -> str:
        """The merged file's path on the server, from the reply to ``complete()``."""
        state = as_object(reply) or {}
        path = state.get("file_path")
        if state.get("status") != "file_complete" or not isinstance(path, str):
            raise ProtocolError(
                f"{UPLOAD_ACTION}: unexpected reply to is_complete: {_show(reply, self._secret)}"
            )
        sha256, size = state.get("sha256", self.sha256), state.get("file_size", self.size)
        if sha256 != self.sha256 or size != self.size:
            raise ProtocolError(
                f"{UPLOAD_ACTION}: the server merged a different file "
                f"(sha256 {sha256}, {size} bytes; "
                f"sent sha256 {self.sha256}, {self.size} bytes)"
            )
        return path


def download_params(
    kind: DownloadKind, file: str, chunk_size: int, out_format: str | NotGiven
) -> tuple[str, dict[str, object]]:
    """The action and params of a streamed download."""
    if kind not in DOWNLOAD_ACTIONS:
        raise ValueError(f"kind must be one of {', '.join(DOWNLOAD_ACTIONS)}, got {kind!r}")
    if kind != "record" and not isinstance(out_format, NotGiven):
        raise ValueError("out_format applies to kind='record' only")
    params: dict[str, object] = {"file": file, "chunk_size": chunk_size, "out_format": out_format}
    return DOWNLOAD_ACTIONS[kind], params


class Download:
    """Assembles the frames of a streamed download, in memory or into ``to`` (written to
    ``<to>.part`` and renamed once the download is complete and checked). As a context manager,
    it discards what came when its block fails."""

    def __init__(self, action: str, to: str | os.PathLike[str] | None, secret: str | None) -> None:
        self.action = action
        self._secret = secret  # for error messages
        self._target = Path(to) if to is not None else None
        self._buffer = bytearray()
        self._file: IO[bytes] | None = None
        if self._target is not None:
            self._part = self._target.with_name(self._target.name + ".part")
            self._file = self._part.open("wb")
        self._next = 0
        self._received = 0

    def feed(self, frame: dict[str, Any]) -> bool:
        """Take one reply frame; True once the download is complete."""
        data = as_object(unwrap(self.action, frame, self._secret))
        if data is None:
            raise ProtocolError(f"{self.action}: unexpected frame {_show(frame, self._secret)}")
        kind = data.get("data_type")
        if kind == "file_chunk":
            self._take(data)
            return False
        if kind == "file_complete":
            chunks, size = data.get("total_chunks"), data.get("total_bytes")
            if (isinstance(chunks, int) and chunks != self._next) or (
                isinstance(size, int) and size != self._received
            ):
                raise ProtocolError(
                    f"{self.action}: the server sent {chunks} chunks of {size} bytes in all; "
                    f"{self._next} chunks of {self._received} bytes came"
                )
            return True
        if kind == "file_info" or data.get("type") == "stream":
            return False
        raise ProtocolError(f"{self.action}: unexpected frame {_show(frame, self._secret)}")

    def result(self) -> bytes | Path:
        """The content (no ``to``) or the path written."""
        if self._file is None or self._target is None:
            return bytes(self._buffer)
        self._file.close()
        os.replace(self._part, self._target)
        return self._target

    def discard(self) -> None:
        """Drop what came so far (after a failure)."""
        if self._file is not None:
            self._file.close()
            self._part.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is not None:
            self.discard()

    def _take(self, data: dict[str, Any]) -> None:
        index = data.get("index")
        if index != self._next:
            raise ProtocolError(f"{self.action}: chunk {index!r} came, expected {self._next}")
        try:
            chunk = base64.b64decode(data["data"], validate=True)
        except (KeyError, TypeError, binascii.Error) as exc:
            raise ProtocolError(f"{self.action}: chunk {index} is not base64: {exc}") from None
        size = data.get("size")
        if isinstance(size, int) and size != len(chunk):
            raise ProtocolError(f"{self.action}: chunk {index} has {len(chunk)} bytes, not {size}")
        if self._file is not None:
            self._file.write(chunk)
        else:
            self._buffer += chunk
        self._next += 1
        self._received += len(chunk)


def _show(value: object, secret: str | None) -> str:
    return preview(encode(value), secret)
