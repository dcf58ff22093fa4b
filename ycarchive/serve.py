"""Preview server: serve the built site on localhost, rebuild on change, reload the open page."""
from __future__ import annotations

import contextlib
import errno
import functools
import http.server
import io
import json
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from . import stamp

POLL_SECONDS = 0.3
LONG_POLL_SECONDS = 20

# Injected into HTML responses by the preview server only; never written to site/.
RELOAD_JS = """(function () {
  var version = null, box = null;
  function show(error) {
    if (!box) {
      box = document.createElement("pre");
      box.id = "build-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;margin:0;padding:1rem;" +
        "background:#300;color:#fff;font:14px/1.5 monospace;white-space:pre-wrap;z-index:99999";
      document.body.appendChild(box);
    }
    box.textContent = "构建失败，仍显示上一次成功构建的页面：\\n\\n" + error;
  }
  function poll() {
    fetch("/__reload?v=" + (version === null ? "" : version)).then(function (r) { return r.json(); })
      .then(function (state) {
        if (version !== null && state.version !== version && !state.error) { location.reload(); return; }
        version = state.version;
        if (state.error) { show(state.error); } else if (box) { box.remove(); box = null; }
        poll();
      }).catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"""


class BuildState:
    """The version of the site being served and the last build's error, if it failed."""

    def __init__(self) -> None:
        self.version = 0
        self.error = ""
        self.changed = threading.Condition()

    def publish(self, error: str) -> None:
        with self.changed:
            self.version += 1
            self.error = error
            self.changed.notify_all()

    def wait(self, seen: int | None) -> dict:
        with self.changed:
            if seen == self.version:
                self.changed.wait(LONG_POLL_SECONDS)
            return {"version": self.version, "error": self.error}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request."""

    def log_message(self, *args) -> None:
        pass


class Server(http.server.ThreadingHTTPServer):
    """A threaded server that says nothing when a browser drops a connection mid-response (a
    page closed, a search superseded while its files were on the way)."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class PreviewHandler(QuietHandler):
    state: BuildState

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/__reload":
            seen = parse_qs(parts.query).get("v", [""])[0]
            self._send(json.dumps(self.state.wait(int(seen) if seen.isdigit() else None)).encode(),
                       "application/json")
            return
        if parts.path == "/__reload.js":
            self._send(RELOAD_JS.encode(), "text/javascript; charset=utf-8")
            return
        path = Path(self.translate_path(parts.path))
        if path.is_dir() and parts.path.endswith("/"):
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            html = path.read_bytes().replace(b"</body>", b'<script src="/__reload.js"></script></body>', 1)
            self._send(html, "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, data: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


def serve_static(folder: Path, host: str = "127.0.0.1"):
    """Serve a built site as it is, on a free port, in a thread (for tests and tools).

    Returns (server, base URL); call server.shutdown() when done.
    """
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = Server((host, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}/"


def snapshot(folders: list[Path]) -> list:
    """(path, mtime_ns, size) of every file under the watched folders, dot files left out (an
    editor's swap files do not start a build). The build's own walk (stamp.walk, os.scandir),
    much cheaper than pathlib's rglob and stat: bench/serve_idle.py measures an idle server."""
    files: list = []
    for folder in folders:
        stamp.walk(str(folder), files)
    return files


def rebuild(build, args) -> str:
    """Run a build; return its error output if it failed, else ''."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = build(args)
    sys.stderr.write(err.getvalue())
    return err.getvalue() if code else ""


def serve(args, build) -> int:
    """Build, serve on args.host:args.port, and rebuild whenever a watched file changes."""
    state = BuildState()
    handler = type("Handler", (PreviewHandler,), {"state": state})
    try:
        server = Server((args.host, args.port), functools.partial(handler, directory=args.out))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise OSError(exc.errno, f"port {args.port} on {args.host} is in use; pass another --port, "
                                 f"or --port 0 for any free one") from None
    args.base_url = args.base_url or f"http://{args.host}:{server.server_address[1]}/"
    root = Path(__file__).resolve().parent.parent
    watched = [Path(args.content), Path(args.templates), Path(args.assets), root / "data"]
    seen, looked = snapshot(watched), 0.0
    state.publish(rebuild(build, args))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving {args.out}/ at {args.base_url} (Ctrl-C stops)", flush=True)
    try:
        while True:
            # Looking takes longer as the archive grows: waiting twice as long as the last look
            # keeps the watcher to a third of a core at most.
            time.sleep(max(POLL_SECONDS, 2 * looked))
            started = time.perf_counter()
            now = snapshot(watched)
            looked = time.perf_counter() - started
            if now != seen:
                seen = now
                state.publish(rebuild(build, args))
    finally:
        server.shutdown()
