"""Properties of the runtime's pure parts (no server): the request body, error previews, and the
stream upload / download bookkeeping for any content and chunk size."""

from __future__ import annotations

import ast
import base64
import string
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from onebot_client._envelope import PREVIEW_CHARS, preview, request_body
from onebot_client._stream import Download, Upload
from onebot_client._types import NOT_GIVEN

values = st.none() | st.booleans() | st.integers() | st.text() | st.just(NOT_GIVEN)


@given(st.dictionaries(st.text(), values))
def test_request_body_leaves_out_exactly_the_not_given(params: dict[str, object]) -> None:
    body = request_body(params)
    assert body == {k: v for k, v in params.items() if v is not NOT_GIVEN}
    assert list(body) == [k for k, v in params.items() if v is not NOT_GIVEN]  # order kept


@given(
    st.text() | st.binary(),
    st.text(string.ascii_letters + string.digits + "-_.", min_size=4, max_size=40),
)
def test_previews_are_short_and_never_show_the_secret(raw: str | bytes, secret: str) -> None:
    if isinstance(raw, bytes):
        raw = raw + secret.encode() + raw
    else:
        raw = raw + secret + raw
    shown = preview(raw, secret)
    assert secret not in shown
    # at most PREVIEW_CHARS characters and "…", each escaped to at most 10 ("\U0001f600")
    assert shown[0] == shown[-1] in "'\"" and len(shown) <= 10 * (PREVIEW_CHARS + 1) + 2


def test_previews_cut_long_answers() -> None:
    assert ast.literal_eval(preview(b"x" * 1000, None)) == "x" * PREVIEW_CHARS + "…"
    assert ast.literal_eval(preview("短" * 10, None)) == "短" * 10


@given(st.binary(min_size=1, max_size=5000), st.integers(1, 700))
def test_upload_chunks_cover_the_content_once(data: bytes, chunk_size: int) -> None:
    upload = Upload(
        data,
        chunk_size=chunk_size,
        filename=None,
        stream_id=None,
        file_retention=NOT_GIVEN,
        secret=None,
    )
    chunks = [upload.chunk(i) for i in upload.missing(None)]
    assert b"".join(base64.b64decode(str(c["chunk_data"])) for c in chunks) == data
    assert [c["chunk_index"] for c in chunks] == list(range(upload.total))
    assert all(0 < len(base64.b64decode(str(c["chunk_data"]))) <= chunk_size for c in chunks)
    state = {"received_chunks": upload.total // 2, "total_chunks": upload.total}
    assert upload.missing(state) == range(upload.total // 2, upload.total)


@given(st.binary(max_size=5000), st.integers(1, 700))
def test_download_reassembles_the_frames(data: bytes, chunk_size: int) -> None:
    def frame(payload: dict[str, Any]) -> dict[str, Any]:
        return {"status": "ok", "retcode": 0, "data": payload, "echo": "1"}

    chunks = [data[i : i + chunk_size] for i in range(0, len(data), chunk_size)]
    frames = [frame({"type": "stream", "data_type": "file_info", "file_size": len(data)})]
    frames += [
        frame(
            {
                "type": "stream",
                "data_type": "file_chunk",
                "index": i,
                "data": base64.b64encode(chunk).decode(),
                "size": len(chunk),
            }
        )
        for i, chunk in enumerate(chunks)
    ]
    last = {"total_chunks": len(chunks), "total_bytes": len(data)}
    frames.append(frame({"type": "response", "data_type": "file_complete", **last}))
    sink = Download("download_file_stream", None, None)
    assert [sink.feed(f) for f in frames] == [False] * (len(frames) - 1) + [True]
    assert sink.result() == data
