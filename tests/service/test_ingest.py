"""Media ingest: content sniffing, safe names, size caps, path containment,
URL checks and capped downloads from a real local HTTP server."""

from __future__ import annotations

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vidclip.jobs import netguard
from vidclip.jobs.download import download
from vidclip.jobs.errors import (IngestError, PathRefusedError, TooLargeError, TransientError,
                                 UnsupportedMediaError, UrlRefusedError)
from vidclip.jobs.media import CappedFile, display_name, resolve_media_path
from vidclip.jobs.sniff import container_of, require_video


def test_sniff_knows_containers(clip):
    assert container_of(clip.read_bytes()[:512]) == "mp4"
    assert container_of(b"\x1a\x45\xdf\xa3" + b"\x00" * 30 + b"webm") == "webm"
    assert container_of(b"RIFF\x00\x00\x00\x00AVI LIST") == "avi"


@pytest.mark.parametrize("head, looks", [(b"hello, world\n", "text"),
                                         (b"\x89PNG\r\n\x1a\n", "an image"),
                                         (b"PK\x03\x04", "an archive"), (b"", "an empty file")],
                         ids=["text", "png", "zip", "empty"])
def test_sniff_says_what_it_saw(head, looks):
    with pytest.raises(UnsupportedMediaError, match=looks):
        require_video(head)


@pytest.mark.parametrize("given, shown", [
    ("../../etc/passwd.mp4", "passwd.mp4"), ("..\\..\\boot.ini", "boot.ini"),
    ("a\x00b\r\n.mp4", "ab.mp4"), ("", None), ("/", None)])
def test_display_name_is_only_for_display(given, shown):
    assert display_name(given) == shown


def test_capped_file_stops_at_the_limit(tmp_path, clip):
    data = clip.read_bytes()
    out = CappedFile(tmp_path / "job", max_bytes=len(data) - 1)
    with pytest.raises(TooLargeError):
        out.write(data)
    out.discard()
    assert not (tmp_path / "job").exists()
    ok = CappedFile(tmp_path / "job2", max_bytes=len(data))
    ok.write(data[:100])
    ok.write(data[100:])
    assert ok.finish() == tmp_path / "job2" / "source.mp4"


def test_media_root_containment(make_settings, tmp_path, clip):
    settings = make_settings()
    root = settings.media_root
    (root / "sub").mkdir()
    (root / "sub" / "a.mp4").write_bytes(clip.read_bytes())
    outside = tmp_path / "secret.mp4"
    outside.write_bytes(clip.read_bytes())
    (root / "link.mp4").symlink_to(outside)
    assert resolve_media_path(settings, "sub/a.mp4") == (root / "sub" / "a.mp4").resolve()
    for bad in ("../secret.mp4", str(outside), "link.mp4", "sub", "nope.mp4"):
        with pytest.raises(PathRefusedError):
            resolve_media_path(settings, bad)
    with pytest.raises(PathRefusedError, match="does not take file paths"):
        resolve_media_path(make_settings(media_root=None), "sub/a.mp4")


@pytest.mark.parametrize("url", ["http://127.0.0.1/x.mp4", "http://localhost:8080/x.mp4",
                                 "http://10.1.2.3/x.mp4", "http://169.254.169.254/latest",
                                 "http://[::1]/x.mp4", "http://[::ffff:127.0.0.1]/x.mp4",
                                 "http://0.0.0.0/x.mp4"],
                         ids=["loopback", "localhost", "private", "link-local", "ipv6-loopback",
                              "mapped", "unspecified"])
def test_private_addresses_are_refused(url):
    with pytest.raises(UrlRefusedError, match="loopback, private or link-local"):
        netguard.check_url(url, schemes=["http", "https"], allow_private=False)


@pytest.mark.parametrize("url, match", [("file:///etc/passwd", "scheme 'file'"),
                                        ("ftp://example.org/a", "scheme 'ftp'"),
                                        ("https://user:pw@example.org/a", "user name"),
                                        ("http:///nohost", "no host")])
def test_url_shape_is_checked(url, match):
    with pytest.raises(UrlRefusedError, match=match):
        netguard.check_url(url, schemes=["http", "https"], allow_private=False)


def test_public_addresses_pass():
    assert netguard.is_public(ipaddress.ip_address("93.184.216.34"))
    assert not netguard.is_public(ipaddress.ip_address("fd00::1"))


class _Files(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802 (http.server's naming)
        status, headers, body = self.routes.get(self.path, (404, {}, b"missing"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if not {"Content-Length", "X-No-Length"} & set(headers) and status != 302:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_download_follows_checked_redirects(http_server, make_settings, tmp_path, clip):
    server, base = http_server
    _Files.routes = {"/clip": (200, {}, clip.read_bytes()),
                     "/moved": (302, {"Location": "/clip", "Content-Length": "0"}, b"")}
    settings = make_settings(allow_private_urls=True)
    path = download(f"{base}/moved", tmp_path / "job", settings)
    assert path.name == "source.mp4" and path.read_bytes() == clip.read_bytes()
    with pytest.raises(UrlRefusedError):  # the same server, private addresses not allowed
        download(f"{base}/clip", tmp_path / "job2", make_settings())


def test_download_failures(http_server, make_settings, tmp_path, clip):
    server, base = http_server
    _Files.routes = {"/clip": (200, {}, clip.read_bytes()), "/text": (200, {}, b"plain text"),
                     "/unsized": (200, {"X-No-Length": "1"}, clip.read_bytes()),
                     "/boom": (503, {}, b"busy"), "/gone": (410, {}, b"gone")}
    settings = make_settings(allow_private_urls=True, url_max_bytes=1000)
    with pytest.raises(IngestError, match="larger than the limit"):
        download(f"{base}/clip", tmp_path / "a", settings)
    assert not (tmp_path / "a").exists()
    with pytest.raises(TooLargeError):  # no Content-Length: stopped while streaming
        download(f"{base}/unsized", tmp_path / "a", settings)
    assert not (tmp_path / "a").exists()
    settings = make_settings(allow_private_urls=True)
    with pytest.raises(UnsupportedMediaError):
        download(f"{base}/text", tmp_path / "b", settings)
    with pytest.raises(TransientError):  # worth a retry
        download(f"{base}/boom", tmp_path / "c", settings)
    with pytest.raises(IngestError, match="HTTP 410") as info:
        download(f"{base}/gone", tmp_path / "d", settings)
    assert not info.value.retryable
