"""Weight of the map pages on the wire, and time to map, in a real Chromium.

Bytes on the wire are counted by a TCP relay between Chromium and the
server (:class:`Relay`): what goes through the socket, after compression,
headers included. The websocket (``/_stcore/stream``) is counted per
connection; HTTP responses are attributed to their URL with the sizes
Chromium reports (``encodedDataLength``, headers included, as received).

"Our bytes" are the websocket plus the app's own static files
(``/app/static/``: Leaflet & co. and the boundary files); Streamlit's
bundle (``/static/``) and the map component's bundle are reported apart.

Slow line: CDP ``Network.emulateNetworkConditions`` at 4 Mbit/s down,
1 Mbit/s up, 100 ms latency.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import threading
import time
import zlib

from dashboard import serve

SLOW = {"offline": False, "latency": 100, "downloadThroughput": 4_000_000 / 8, "uploadThroughput": 1_000_000 / 8}
VIEWS = {"france": "", "grand_est": "?region=44"}
MAP_FRAME = serve.MAP_FRAME


class Relay:
    """A loopback TCP relay counting the bytes each connection carries to the
    browser; connections that open ``/_stcore/stream`` are the websocket."""

    def __init__(self, port: int):
        self.target = port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.lock = threading.Lock()
        self.ws_down = 0
        self.http_down = 0
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return self.ws_down, self.http_down

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            state = {"ws": None}
            threading.Thread(target=self._pipe, args=(client, upstream, state, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, state, False), daemon=True).start()

    def _pipe(self, src, dst, state, upward: bool):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if upward and state["ws"] is None:
                    state["ws"] = b"/_stcore/stream" in data.split(b"\r\n", 1)[0]
                if not upward:
                    with self.lock:
                        if state["ws"]:
                            self.ws_down += len(data)
                        else:
                            self.http_down += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.closed = True
        self.server.close()


def _kind(url: str) -> str:
    path = url.split("://", 1)[-1].split("/", 1)[-1]
    if path.startswith("app/static/"):
        return "ours"
    if path.startswith("component/"):
        return "component"
    return "streamlit"


class Visit:
    """One page load (or one interaction) in a context, with its HTTP responses by kind."""

    def __init__(self, page, relay: Relay, slow: bool):
        self.page, self.relay = page, relay
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        if slow:
            self.cdp.send("Network.emulateNetworkConditions", SLOW)
        self.urls: dict[str, str] = {}
        self.http = {"ours": 0, "component": 0, "streamlit": 0}
        self.cdp.on("Network.responseReceived", lambda e: self.urls.__setitem__(e["requestId"], e["response"]["url"]))
        self.cdp.on("Network.loadingFinished", self._finished)
        self.files: list[tuple[str, int]] = []

    def _finished(self, event):
        url = self.urls.get(event["requestId"], "")
        if url.startswith("http"):
            self.http[_kind(url)] += int(event.get("encodedDataLength", 0))
            if "/app/static/" in url:
                self.files.append((url.rsplit("/", 1)[-1], int(event.get("encodedDataLength", 0))))

    def start(self):
        self.ws0, self.http0 = self.relay.counts()
        self.http = dict.fromkeys(self.http, 0)
        self.files = []
        self.t0 = time.perf_counter()

    def figures(self) -> dict:
        ws, _ = self.relay.counts()
        ws -= self.ws0
        return {"ws_bytes": ws, "static_bytes": self.http["ours"], "our_bytes": ws + self.http["ours"],
                "component_bytes": self.http["component"], "streamlit_bytes": self.http["streamlit"],
                "files": self.files}


#: The map is drawn: boundaries from static files mark their container once drawn.
DRAWN = ".leaflet-container[data-ptce-features]"
#: Maps with inline boundaries (before the static files) draw them at once on a canvas:
#: set ``LEGACY`` to measure that code (the figures "before").
LEGACY = False


def wait_for_map(page, national: bool, timeout: float = 180_000):
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("canvas.leaflet-zoom-animated" if LEGACY else DRAWN).first.wait_for(timeout=timeout)
    if national:
        frame.locator(".marker-cluster").first.wait_for(timeout=timeout)
    elif not LEGACY:  # (legacy territory maps drew their poles on the canvas)
        frame.locator(".leaflet-marker-icon").first.wait_for(timeout=timeout)


def _settle(relay: Relay, quiet: float = 1.5, limit: float = 60):
    """Wait until the websocket has been silent for ``quiet`` seconds."""
    last, since, t0 = relay.counts()[0], time.monotonic(), time.monotonic()
    while time.monotonic() - t0 < limit:
        time.sleep(0.2)
        now = relay.counts()[0]
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def open_view(context, relay: Relay, url: str, query: str, slow: bool) -> dict:
    page = context.new_page()
    visit = Visit(page, relay, slow)
    visit.start()
    page.goto(f"{url}/{query}")
    wait_for_map(page, national=not query)
    elapsed = time.perf_counter() - visit.t0
    _settle(relay)
    out = visit.figures()
    out["time_to_map_s"] = elapsed
    out["page"] = page
    return out


def change_filter(page, relay: Relay) -> dict:
    """Choose lever L6 in the sidebar; bytes on the wire until the map is redrawn."""
    ws0, _ = relay.counts()
    t0 = time.perf_counter()
    page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.click()
    page.get_by_role("option").filter(has_text="L6").first.click()
    page.keyboard.press("Escape")
    _settle(relay)
    return {"filter_change_bytes": relay.counts()[0] - ws0, "filter_change_s": time.perf_counter() - t0}


def deflate_cost(payload: bytes, repeat: int = 20) -> dict:
    """CPU to compress one message as permessage-deflate does (raw deflate, one
    compressor per connection, flushed per message), and the ratio."""
    times = []
    size = 0
    for _ in range(repeat):
        comp = zlib.compressobj(wbits=-15)
        t0 = time.process_time()
        out = comp.compress(payload) + comp.flush(zlib.Z_SYNC_FLUSH)
        times.append(time.process_time() - t0)
        size = len(out)
    return {"bytes": len(payload), "compressed_bytes": size, "cpu_ms": statistics.median(times) * 1000}


def browser_figures(url: str, chromium) -> dict:
    """Every figure of the map views, in one run against the server at ``url``."""
    from urllib.parse import urlparse
    relay = Relay(urlparse(url).port)
    base = f"http://127.0.0.1:{relay.port}"
    out: dict = {}
    try:
        warm = chromium.new_context()
        for query in VIEWS.values():  # server caches (boundaries, registry, boundary files) warmed
            open_view(warm, relay, base, query, slow=False)["page"].close()
        warm.close()
        for name, query in VIEWS.items():
            for slow in (False, True):
                suffix = "_4mbit" if slow else ""
                ctx = chromium.new_context()
                first = open_view(ctx, relay, base, query, slow)
                first["page"].close()
                repeat = open_view(ctx, relay, base, query, slow)
                if not slow:
                    out[f"map_{name}_first_our_bytes"] = first["our_bytes"]
                    out[f"map_{name}_first_ws_bytes"] = first["ws_bytes"]
                    out[f"map_{name}_first_static_bytes"] = first["static_bytes"]
                    out[f"map_{name}_first_streamlit_bytes"] = first["streamlit_bytes"]
                    out[f"map_{name}_first_component_bytes"] = first["component_bytes"]
                    out[f"map_{name}_repeat_our_bytes"] = repeat["our_bytes"]
                    out[f"map_{name}_files"] = first["files"]
                    out.update({f"map_{name}_{k}": v for k, v in change_filter(repeat["page"], relay).items()})
                repeat["page"].close()
                out[f"map_{name}_first_time_to_map{suffix}_s"] = first["time_to_map_s"]
                out[f"map_{name}_repeat_time_to_map{suffix}_s"] = repeat["time_to_map_s"]
                ctx.close()
    finally:
        relay.close()
    return out
