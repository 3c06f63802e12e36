"""The station screen: a small local web page (for the display at the station), updated live.

``GET /`` is the page, ``GET /state`` the current view as JSON, ``GET /events`` a
Server-Sent Events stream that sends the view every time it changes. No build step, no
external assets: the page works on a Raspberry Pi's kiosk browser without a network.
"""
from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

log = logging.getLogger("shopfloor.edge.screen")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Station</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#111;color:#eee}
header{display:flex;justify-content:space-between;padding:.6em 1em;background:#222;font-size:1.3em}
.online{color:#3c3}.offline{color:#f44}
main{padding:1em}
#scan{font-size:3.2em;font-weight:700;padding:.5em;border-radius:.3em;margin:.3em 0;word-break:break-word}
.ok{background:#174d1f}.prompt{background:#1d3b66}.error{background:#7a1616}.idle{background:#333}
dl{display:grid;grid-template-columns:auto 1fr;gap:.3em 1em;font-size:1.5em}dt{color:#aaa}
ul{font-size:1.1em;color:#f99}
.down{color:#f66;font-weight:700}
</style></head><body>
<header><span id="station"></span><span id="link"></span><span>queue <b id="depth">0</b></span></header>
<main>
<div id="scan" class="idle">&nbsp;</div>
<dl><dt>Operator</dt><dd id="operator">-</dd><dt>Work order</dt><dd id="wo">-</dd>
<dt>Stage</dt><dd id="stage">-</dd><dt>Printer</dt><dd id="printer">-</dd>
<dt>Machine</dt><dd id="machine">-</dd></dl>
<h3>Errors</h3><ul id="errors"></ul>
</main>
<script>
function show(v){
  document.getElementById('station').textContent=v.station;
  var l=document.getElementById('link');l.textContent=v.online?'online':'offline';l.className=v.online?'online':'offline';
  document.getElementById('depth').textContent=v.queue_depth;
  var s=document.getElementById('scan');s.textContent=v.last?v.last.message:'Scan your badge';s.className=v.last?v.last.level:'idle';
  document.getElementById('operator').textContent=v.operator||'-';
  document.getElementById('wo').textContent=v.work_order||'-';
  document.getElementById('stage').textContent=v.stage?(v.stage+(v.stage_running?' running':'')):'-';
  document.getElementById('printer').textContent=v.printer||'ok';
  var m='running';
  if(v.machine_down||v.breakdown){m=v.machine_down?'DOWN':'running';
    if(v.breakdown){m+=' \u2013 '+v.breakdown.work_order+' '+v.breakdown.title+' ('+v.breakdown.status.replace('_',' ')+')';}
    else if(v.machine_down){m+=' \u2013 breakdown reported, work order from central';}}
  if(v.repair){m+=' \u2013 repair by '+v.repair.technician;}
  (v.blocks||[]).forEach(function(b){m+=' \u2013 BLOCKED: '+(b.name||b.schedule)+(b.work_order?' ('+b.work_order+')':'');});
  var md=document.getElementById('machine');md.textContent=m;md.className=(v.machine_down||(v.blocks||[]).length)?'down':'';
  var ul=document.getElementById('errors');ul.innerHTML='';
  (v.errors||[]).forEach(function(e){var li=document.createElement('li');li.textContent=e;ul.appendChild(li);});
}
var es=new EventSource('/events');es.onmessage=function(m){show(JSON.parse(m.data));};
fetch('/state').then(function(r){return r.json();}).then(show);
</script></body></html>"""


class Board:
    """The view the screen shows, with a version that changes on every update."""

    def __init__(self, view: Callable[[], dict]):
        self.view = view
        self.version = 0
        self._cond = threading.Condition()

    def changed(self) -> None:
        """Something on screen changed: wake the streams."""
        with self._cond:
            self.version += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the version differs from ``seen`` (or timeout); returns the version."""
        with self._cond:
            self._cond.wait_for(lambda: self.version != seen, timeout)
            return self.version


class Screen:
    """The HTTP server of the station page, on its own threads."""

    def __init__(self, board: Board, host: str = "127.0.0.1", port: int = 8080):
        self.board = board
        self._stop = threading.Event()
        handler = _handler(board, self._stop)
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread: threading.Thread | None = None

    def start(self) -> "Screen":
        """Serve in the background."""
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="edge-screen", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and end the streams."""
        self._stop.set()
        self.board.changed()
        self.server.shutdown()
        self.server.server_close()


def _handler(board: Board, stop: threading.Event):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            log.debug("screen: " + fmt, *args)

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/":
                self._send(200, PAGE.encode(), "text/html; charset=utf-8")
            elif self.path == "/state":
                self._send(200, json.dumps(board.view()).encode(), "application/json")
            elif self.path == "/events":
                self._stream()
            else:
                self._send(404, b"not found", "text/plain")

        def _stream(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while not stop.is_set():
                    version = board.wait(seen, 15.0)
                    if stop.is_set():
                        break
                    if version == seen:
                        self.wfile.write(b": keepalive\n\n")
                    else:
                        seen = version
                        self.wfile.write(b"data: " + json.dumps(board.view()).encode() + b"\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
