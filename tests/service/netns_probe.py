"""Run inside a private network and mount namespace (``test_security_checks``
starts it with ``unshare``): there, 93.184.216.34 is a *public* address on
this namespace's loopback interface, and /etc/hosts (bind-mounted over for
this namespace only) gives names that resolve to public, loopback, private and
link-local addresses. A "public" media server redirects to each private
target; traps on those targets count every request that reaches them.

Prints one JSON object: what each fetch and check did, and the traps' hits.
Nothing here touches the machine's own network or files.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PUBLIC = "93.184.216.34"
TRAPS = {"loopback": "127.0.0.1", "private": "10.0.0.5", "link-local": "169.254.169.254"}
HOSTS = {"media.example.com": PUBLIC, "evil.example.com": "127.0.0.1",
         "intranet.example.com": "10.0.0.5", "metadata.example.com": "169.254.169.254"}


def serve(address: str, port: int, routes: dict, hits: list) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(f"{address}{self.path}")
            status, headers, body = routes.get(self.path, (404, {}, b""))
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def main(clip: str) -> None:
    from vidclip.jobs.download import download
    from vidclip.jobs.errors import VidclipError
    from vidclip.jobs.netguard import check_url
    from vidclip.jobs.settings import Settings
    from vidclip.jobs.webhook import deliver

    data = Path(clip).read_bytes()
    redirects = {
        "/clip.mp4": (200, {}, data),
        "/to-loopback": (302, {"Location": "http://127.0.0.1:8081/secret"}, b""),
        "/to-private": (302, {"Location": "http://10.0.0.5:8081/secret"}, b""),
        "/to-link-local": (302, {"Location": "http://169.254.169.254:8081/latest"}, b""),
        "/to-name": (302, {"Location": "http://evil.example.com:8081/secret"}, b""),
        "/to-mapped": (302, {"Location": "http://[::ffff:127.0.0.1]:8081/secret"}, b""),
        "/to-decimal": (302, {"Location": "http://2130706433:8081/secret"}, b""),
        "/hook": (302, {"Location": "http://127.0.0.1:8081/hook"}, b""),
    }
    trap_hits: list[str] = []
    public_hits: list[str] = []
    serve(PUBLIC, 80, redirects, public_hits)
    for address in TRAPS.values():
        serve(address, 8081, {}, trap_hits)

    base = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=base, url_timeout_s=10)
    report: dict = {"fetch": {}, "check": {}}
    for path in redirects:
        if path == "/hook":
            continue
        try:
            got = download(f"http://media.example.com{path}", base / path.strip("/"), settings)
            report["fetch"][path] = f"ok {got.stat().st_size}"
        except VidclipError as exc:
            report["fetch"][path] = f"{exc.code}: {exc.message}"
    for host in HOSTS:
        try:
            check_url(f"http://{host}/x.mp4", schemes=["http", "https"], allow_private=False)
            report["check"][host] = "allowed"
        except VidclipError as exc:
            report["check"][host] = f"{exc.code}: {exc.message}"
    try:
        deliver("http://media.example.com/hook", b"{}", settings, delivery_id="d1")
        report["webhook"] = "delivered"
    except VidclipError as exc:
        report["webhook"] = f"{exc.code}: {exc.message}"
    report["trap_hits"] = trap_hits
    report["public_hits"] = public_hits
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
