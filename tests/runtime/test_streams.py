"""NapCat's Stream API through the clients: a 5 MB file up in chunks and back, byte for byte;
an interrupted upload resumed; the wire shape of both directions; their failures."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from onebot_client.errors import ActionFailed, ProtocolError, ServerTimeout
from tests.onebot_server import OneBotServer

from .conftest import Driver

SIZE = 5 * 1024 * 1024 + 123  # not a whole number of chunks


@pytest.fixture(scope="module")
def content() -> bytes:
    return os.urandom(SIZE)


def test_round_trip_of_a_5_mb_file(
    ws_client: Driver, server: OneBotServer, content: bytes, tmp_path: Path
) -> None:
    source = tmp_path / "photo.bin"
    source.write_bytes(content)
    path = ws_client(lambda b: b.upload_stream(source))
    assert path == str(server.files / "photo.bin")
    assert Path(path).read_bytes() == content

    assert ws_client(lambda b: b.download_stream("photo.bin")) == content
    target = tmp_path / "down" / "copy.bin"
    target.parent.mkdir()
    assert ws_client(lambda b: b.download_stream("photo.bin", to=target)) == target
    assert target.read_bytes() == content
    assert list(target.parent.iterdir()) == [target]  # the .part file was renamed


def test_upload_on_the_wire(client: Driver, server: OneBotServer) -> None:
    data = b"0123456789" * 25  # 250 bytes: 3 chunks of 100
    path = client(
        lambda b: b.upload_stream(data, filename="a.txt", chunk_size=100, file_retention=0)
    )
    assert Path(path).read_bytes() == data
    query, *chunks, complete = [r.params for r in server.calls("upload_file_stream")]
    stream_id = query["stream_id"]
    assert query == {"stream_id": stream_id, "verify_only": True}
    creation = {
        "total_chunks": 3,
        "file_size": 250,
        "expected_sha256": hashlib.sha256(data).hexdigest(),
        "filename": "a.txt",
        "file_retention": 0,
    }
    assert chunks == [
        {
            "stream_id": stream_id,
            "chunk_data": base64.b64encode(data[i * 100 : i * 100 + 100]).decode(),
            "chunk_index": i,
            **creation,
        }
        for i in range(3)
    ]
    assert complete == {"stream_id": stream_id, "is_complete": True, **creation}


def test_interrupted_upload_resumes(
    client: Driver, server: OneBotServer, content: bytes, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(content)
    total = -(-SIZE // 65536)
    server.on(
        "upload_file_stream",
        status="failed",
        retcode=1200,
        message="Memory limit exceeded",
        when=lambda params: params.get("chunk_index") == 40,
        times=1,
    )
    with pytest.raises(ServerTimeout, match="Memory limit exceeded"):
        client(lambda b: b.upload_stream(source))
    first_attempt = len(server.requests)

    path = client(lambda b: b.upload_stream(source))
    assert Path(path).read_bytes() == content
    second = [r.params for r in server.requests[first_attempt:]]
    assert second[0]["verify_only"] is True  # the server says it holds chunks 0-39
    assert [p["chunk_index"] for p in second[1:-1]] == list(range(40, total))
    assert second[-1]["is_complete"] is True
    assert len({p["stream_id"] for p in second} | {server.requests[0].params["stream_id"]}) == 1


def test_explicit_stream_id_and_a_mismatched_stream(client: Driver, server: OneBotServer) -> None:
    client(lambda b: b.call("upload_file_stream", {"stream_id": "s1", "total_chunks": 9}))
    with pytest.raises(ValueError, match="has 9 chunks, this upload 1"):
        client(lambda b: b.upload_stream(b"abc", stream_id="s1"))
    assert client(lambda b: b.upload_stream(b"abc", stream_id="s2")).endswith("upload_s2")


def test_upload_refuses_an_empty_file(client: Driver) -> None:
    with pytest.raises(ValueError, match="empty"):
        client(lambda b: b.upload_stream(b""))


def test_upload_checks_the_servers_answer(client: Driver, server: OneBotServer) -> None:
    server.on(
        "upload_file_stream",
        {"type": "response", "status": "file_complete", "file_path": "/x", "sha256": "00"},
        when=lambda params: bool(params.get("is_complete")),
    )
    with pytest.raises(ProtocolError, match="merged a different file"):
        client(lambda b: b.upload_stream(b"abc"))


@pytest.mark.parametrize(
    ("kind", "out_format", "action"),
    [
        ("file", None, "download_file_stream"),
        ("image", None, "download_file_image_stream"),
        ("record", "mp3", "download_file_record_stream"),
    ],
)
def test_download_on_the_wire(
    ws_client: Driver, server: OneBotServer, kind: str, out_format: str | None, action: str
) -> None:
    (server.files / "v.amr").write_bytes(b"#!AMR\n" + bytes(range(256)) * 3)
    options = {"out_format": out_format} if out_format else {}
    got = ws_client(lambda b: b.download_stream("v.amr", kind=kind, chunk_size=100, **options))
    assert got == (server.files / "v.amr").read_bytes()
    request = server.requests[-1]
    assert (request.action, request.params) == (
        action,
        {"file": "v.amr", "chunk_size": 100, **options},
    )


def test_download_failure_leaves_no_file(
    ws_client: Driver, server: OneBotServer, tmp_path: Path
) -> None:
    with pytest.raises(ActionFailed, match="Download failed: file not found") as caught:
        ws_client(lambda b: b.download_stream("missing.bin", to=tmp_path / "out.bin"))
    assert caught.value.retcode == 1200
    assert list(tmp_path.iterdir()) == [server.files]


def test_download_checks_the_frames(ws_client: Driver, server: OneBotServer) -> None:
    chunk = {"type": "stream", "data_type": "file_chunk", "index": 0, "data": "!!", "size": 2}
    server.on("download_file_stream", frame={"status": "ok", "retcode": 0, "data": chunk})
    with pytest.raises(ProtocolError, match="chunk 0 is not base64"):
        ws_client(lambda b: b.download_stream("x"))
    skipped = {**chunk, "index": 1, "data": "YWI="}
    server.on("download_file_stream", frame={"status": "ok", "retcode": 0, "data": skipped})
    with pytest.raises(ProtocolError, match="chunk 1 came, expected 0"):
        ws_client(lambda b: b.download_stream("x"))


@pytest.mark.parametrize("kind", ["sync-http", "async-http"])
def test_download_needs_a_websocket(kind: str, connect: Callable[..., Driver]) -> None:
    with pytest.raises(TypeError, match="websocket"):
        connect(kind)(lambda b: b.download_stream("x"))


def test_download_arguments(ws_client: Driver) -> None:
    with pytest.raises(ValueError, match="out_format"):
        ws_client(lambda b: b.download_stream("x", kind="image", out_format="mp3"))
    with pytest.raises(ValueError, match="kind must be one of file, image, record"):
        ws_client(lambda b: b.download_stream("x", kind="video"))
