"""Load at the protocol level: simulated sessions that speak Streamlit's websocket
protocol, without a browser.

Each simulated user does what a browser does: it loads the page (``GET /``, which also
gives it the proxy's route cookie), opens the websocket ``/_stcore/stream`` and sends
``BackMsg`` protobufs (``rerun_script`` with a ``ClientState``: query string, widget
states, page), then reads ``ForwardMsg`` protobufs until ``script_finished``. One visit
is five interactions:

1. ``carte``: open the map page (national map);
2. ``levier``: choose a lever in the sidebar (the multiselect's widget state);
3. ``territoire``: choose a département, then one of its EPCI (two selectbox widget
   states, two reruns counted as one interaction): the territory map;
4. ``fiche``: open the « Fiche territoire » page of that EPCI;
5. ``extrait``: download its tables (the ZIP of the download button, ``GET /media/…``; a file
   Streamlit writes on click is first asked for over the websocket, as the browser does).

An interaction's latency runs from the message sent to ``script_finished`` (or to the
end of the download). The server's CPU is read from ``/proc/<pid>/stat`` (user + system
time of the server and its children) before and after the run.

Bounded: a fixed number of sessions and visits, a deadline after which no new
interaction starts, loopback addresses only. Runnable alone::

    python -m benchmarks.load --sessions 50 --visits 1            # starts its own server
    python -m benchmarks.load --url http://127.0.0.1:8080 --pid 123 --pid 456
    python -m benchmarks.load --repliques --sessions 50 --pause 20   # 1 process vs 2 replicas + nginx
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

INTERACTIONS = ("carte", "levier", "territoire", "fiche", "extrait")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FICHE_PAGE = "fiche_territoire"


class ProtocolError(RuntimeError):
    """The server answered something a browser would not accept (or nothing in time)."""


def _check_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise ValueError(f"la charge ne vise que la machine locale (127.0.0.1), pas « {host} »")


@dataclass
class Run:
    """What one script run sent back: its elements (type, proto), in order."""

    elements: list = field(default_factory=list)
    latency_s: float = 0.0
    bytes: int = 0
    messages: int = 0

    def of_type(self, kind: str) -> list:
        return [el for t, el in self.elements if t == kind]

    def texts(self) -> list[str]:
        out = []
        for kind, el in self.elements:
            for name in ("label", "body"):
                if hasattr(el, name) and getattr(el, name):
                    out.append(getattr(el, name))
        return out

    def errors(self) -> list[str]:
        """Exceptions and error messages shown on the page."""
        found = [el.message for el in self.of_type("exception")]
        found += [el.body for el in self.of_type("alert") if el.format == 1]  # Alert.ERROR
        return found


class Session:
    """One simulated browser tab: an HTTP client (cookies) and a websocket."""

    def __init__(self, base_url: str, timeout: float = 120):
        _check_loopback(base_url)
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.http = None
        self.ws = None
        self.query = ""
        self.pages: dict[str, str] = {}   # url path -> page script hash
        self.widgets: dict[str, object] = {}  # user key -> element proto of the last run
        self.session_id = ""

    async def open(self) -> None:
        import httpx
        from websockets.asyncio.client import connect
        self.http = httpx.AsyncClient(base_url=self.base, timeout=self.timeout)
        page = await self.http.get("/")  # the app's HTML: the proxy sets its route cookie here
        page.raise_for_status()
        cookies = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        xsrf = self.http.cookies.get("_streamlit_xsrf", "")
        ws_url = "ws" + self.base[4:] + "/_stcore/stream"
        self.ws = await connect(ws_url, subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
                                origin=self.base, additional_headers={"Cookie": cookies} if cookies else None,
                                max_size=None, compression=None, open_timeout=self.timeout,
                                # a browser sends no websocket pings: neither does a simulated user
                                ping_interval=None)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.http is not None:
            await self.http.aclose()

    async def rerun(self, page: str = "", widgets: dict | None = None) -> Run:
        """Run the script of ``page`` (url path; "" for the default page) with the given
        widget values (user key -> value: str, a list of str for a multiselect, True for a
        button's click) and wait for the run to finish."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        if page:
            state.page_script_hash = self.pages.get(page, "")
            state.page_name = page
        for key, value in (widgets or {}).items():
            element = self.widgets.get(key)
            if element is None:
                raise ProtocolError(f"pas de widget « {key} » dans la page")
            w = state.widget_states.widgets.add()
            w.id = element.id
            if value is True:
                w.trigger_value = True
            elif isinstance(value, list):
                w.string_array_value.data.extend(value)
            else:
                w.string_value = value
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = await asyncio.wait_for(self._read_run(), self.timeout)
        run.latency_s = time.perf_counter() - t0
        return run

    async def _read_run(self) -> Run:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        run = Run()
        widgets = {}
        while True:
            raw = await self.ws.recv()
            run.bytes += len(raw)
            run.messages += 1
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el_kind = fwd.delta.new_element.WhichOneof("type")
                el = getattr(fwd.delta.new_element, el_kind)
                run.elements.append((el_kind, el))
                element_id = getattr(el, "id", "")
                if element_id.startswith("$$ID-"):
                    widgets[element_id.split("-", 2)[-1]] = el
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
            elif kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "script_finished":
                if fwd.script_finished == 2:  # FINISHED_EARLY_FOR_RERUN: the next run follows
                    continue
                if fwd.script_finished == 1:
                    raise ProtocolError("le script ne compile pas")
                self.widgets = widgets
                return run

    async def file_url(self, button) -> str:
        """The address of a download button's file. A button whose file is written on click
        (``deferred_file_id``) is asked for it over the websocket, as the browser does."""
        if button.url:
            return button.url
        import uuid
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        msg = BackMsg()
        request = msg.backend_operation_request
        request.request_id, request.session_id = str(uuid.uuid4()), self.session_id
        request.deferred_file.file_id = button.deferred_file_id
        await self.ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), self.timeout))
            if fwd.WhichOneof("type") == "backend_operation_response" \
                    and fwd.backend_operation_response.request_id == request.request_id:
                answer = fwd.backend_operation_response
                if answer.error_msg:
                    raise ProtocolError(f"fichier différé refusé : {answer.error_msg}")
                return answer.deferred_file.url

    async def download(self, url: str) -> bytes:
        answer = await self.http.get(url)
        answer.raise_for_status()
        return answer.content


# ---------------------------------------------------------------------------
# A visit and a whole load


@dataclass
class Result:
    latencies: dict = field(default_factory=lambda: {k: [] for k in INTERACTIONS})
    errors: list = field(default_factory=list)
    bytes: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    #: with one sequential session: server CPU of each interaction, read around it
    cpu_pids: tuple = ()
    cpu_by_interaction: dict = field(default_factory=lambda: {k: [] for k in INTERACTIONS})
    _cpu_mark: float = 0.0

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def all_latencies(self) -> list[float]:
        return sorted(x for v in self.latencies.values() for x in v)

    def figures(self) -> dict:
        lat = self.all_latencies()

        def pct(values, p):
            if not values:
                return float("nan")
            values = sorted(values)
            return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
        return {"interactions": self.count, "errors": len(self.errors), "wall_s": self.wall_s,
                "interactions_per_s": self.count / self.wall_s if self.wall_s else 0.0,
                "server_cpu_ms_per_interaction": 1000 * self.cpu_s / self.count if self.count else float("nan"),
                "p50_ms": 1000 * pct(lat, 50), "p95_ms": 1000 * pct(lat, 95),
                "p95_ms_by_interaction": {k: 1000 * pct(v, 95) for k, v in self.latencies.items() if v},
                "p50_ms_by_interaction": {k: 1000 * pct(v, 50) for k, v in self.latencies.items() if v},
                "mb_received": self.bytes / 1e6, "error_samples": self.errors[:3],
                **({"server_cpu_ms_by_interaction": {k: 1000 * statistics.median(v)
                                                     for k, v in self.cpu_by_interaction.items() if v}}
                   if self.cpu_pids else {})}


async def _no_pause() -> None:
    return None


#: The map page's first key figure: France's, or a territory's (the filters, territory
#: included, stay in the session from one visit to the next, as in a browser tab).
KEY_FIGURES = ("Pôles affichés", "Pôles ayant leur siège ici")


async def visit(session: Session, n: int, result: Result | None, deadline: float, think=_no_pause) -> None:
    """One user's visit (see the module's docstring); ``n`` varies the lever and EPCI;
    ``think`` is awaited before each interaction."""

    def record(kind: str, seconds: float, size: int) -> None:
        if result is not None:
            result.latencies[kind].append(seconds)
            result.bytes += size
            if result.cpu_pids:
                time.sleep(0.2)  # the server finishes its bookkeeping after the last message
                now = cpu_seconds(result.cpu_pids)
                result.cpu_by_interaction[kind].append(now - result._cpu_mark)
                result._cpu_mark = now

    if result is not None and result.cpu_pids:
        result._cpu_mark = cpu_seconds(result.cpu_pids)

    def check(kind: str, run: Run, *expected: str) -> None:
        """The run shows no error and one of the ``expected`` texts."""
        problems = run.errors()
        if problems or not any(e in t for t in run.texts() for e in expected):
            raise ProtocolError(f"{kind} : « {' » ou « '.join(expected)} » absent de la page"
                                + (f" ; erreur : {problems[0][:200]}" if problems else ""))

    await think()
    run = await session.rerun()
    check("carte", run, *KEY_FIGURES)
    record("carte", run.latency_s, run.bytes)
    if time.monotonic() > deadline:
        return
    levers = list(session.widgets["f_leviers"].options)
    await think()
    run = await session.rerun(widgets={"f_leviers": [levers[n % len(levers)]]})
    check("levier", run, *KEY_FIGURES)
    record("levier", run.latency_s, run.bytes)
    if time.monotonic() > deadline:
        return
    # as in the sidebar: a département, then an EPCI among its own (France's list is not sent)
    departements = list(session.widgets["f_departement"].options)[1:]
    await think()
    first = await session.rerun(widgets={"f_departement": departements[(n * 37) % len(departements)]})
    check("territoire", first, "distance médiane au pôle le plus proche")
    epcis = list(session.widgets["f_epci"].options)[1:]
    run = await session.rerun(widgets={"f_epci": epcis[n % len(epcis)]})
    check("territoire", run, "distance médiane au pôle le plus proche")
    record("territoire", first.latency_s + run.latency_s, first.bytes + run.bytes)
    if time.monotonic() > deadline:
        return
    await think()
    run = await session.rerun(page=FICHE_PAGE)
    check("fiche", run, "Population")
    record("fiche", run.latency_s, run.bytes)
    buttons = run.of_type("download_button")
    if not buttons or not (buttons[0].url or buttons[0].deferred_file_id):
        raise ProtocolError("fiche : pas de bouton de téléchargement")
    await think()
    t0 = time.perf_counter()
    data = await session.download(await session.file_url(buttons[0]))
    if not data.startswith(b"PK"):
        raise ProtocolError("extrait : le fichier téléchargé n'est pas un ZIP")
    record("extrait", time.perf_counter() - t0, len(data))


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes and of their children (waited or alive)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    seen = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return total / tick


async def load(url: str, sessions: int, visits: int = 1, pids=(), deadline_s: float = 300,
               timeout: float = 120, think_s: float = 0.0, seed: int = 1, cpu_each: bool = False) -> Result:
    """``sessions`` users at once, each doing ``visits`` visits. With ``think_s`` = 0 they
    never pause (the server's throughput); otherwise each user starts at a random moment
    within ``think_s`` and pauses 0.5–1.5 × ``think_s`` before each interaction (a user
    reading the page), which is a load of about ``sessions / think_s`` interactions per second.
    ``cpu_each`` (one session only) also reads the server's CPU around each interaction."""
    import random
    _check_loopback(url)
    result = Result(cpu_pids=tuple(pids) if cpu_each and sessions == 1 else ())
    deadline = time.monotonic() + deadline_s
    rng = random.Random(seed)
    pauses = [[rng.uniform(0.5, 1.5) * think_s for _ in range(5 * visits)] for _ in range(sessions)]
    starts = [rng.uniform(0, think_s) for _ in range(sessions)]

    async def user(i: int) -> None:
        s = Session(url, timeout)
        pause = iter(pauses[i])

        async def think() -> None:
            if think_s:
                await asyncio.sleep(min(next(pause, think_s), max(0.0, deadline - time.monotonic())))

        try:
            await asyncio.sleep(starts[i])
            await s.open()
            for v in range(visits):
                if time.monotonic() > deadline:
                    break
                await visit(s, i * visits + v, result, deadline, think)
        except Exception as exc:  # noqa: BLE001 - a failed user is counted, the others go on
            result.errors.append(f"session {i} : {type(exc).__name__} : {exc}")
        finally:
            await s.close()

    cpu0, t0 = cpu_seconds(pids), time.perf_counter()
    await asyncio.gather(*(user(i) for i in range(sessions)))
    result.wall_s = time.perf_counter() - t0
    result.cpu_s = cpu_seconds(pids) - cpu0
    return result


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))


def wait_idle(pids, limit_s: float = 90) -> None:
    """Wait until the servers stop working on runs left over from a previous load."""
    end = time.monotonic() + limit_s
    before = cpu_seconds(pids)
    while time.monotonic() < end:
        time.sleep(1)
        now = cpu_seconds(pids)
        if now - before < 0.05:
            return
        before = now


async def warm_up(url: str, timeout: float = 300) -> None:
    """One visit, not measured: fills the server's caches (boundaries, registry)."""
    s = Session(url, timeout)
    try:
        await s.open()
        await visit(s, 0, None, time.monotonic() + timeout)
    finally:
        await s.close()


async def seen_view_cpu_ms(url: str, pids, reruns: int = 20) -> dict:
    """Server CPU of a run of the map page on a view already seen (the same filters and
    territory: a widget that does not change the view, a user coming back to it, another
    user on the same view), for France and for a département, one session, in ms."""
    s = Session(url)
    out = {}
    try:
        await s.open()
        for name, widgets in (("france", None), ("departement", {"f_departement": "44"})):
            await s.rerun(widgets=widgets)
            wait_idle(pids)
            before = cpu_seconds(pids)
            for _ in range(reruns):  # the widget states sent again, as a browser does at each run
                run = await s.rerun(widgets=widgets)
                check = "distance médiane au pôle le plus proche" if widgets else "Pôles affichés"
                if run.errors() or not any(check in t for t in run.texts()):
                    raise ProtocolError(f"carte : « {check} » absent de la page")
            time.sleep(0.2)  # the server finishes its bookkeeping after the last message
            out[name] = 1000 * (cpu_seconds(pids) - before) / reruns
    finally:
        await s.close()
    return out


def measure(url: str, sessions: int, visits: int = 1, pids=(), deadline_s: float = 300, think_s: float = 0) -> dict:
    asyncio.run(warm_up(url))
    result = asyncio.run(load(url, sessions, visits, pids, deadline_s, think_s=think_s))
    figures = result.figures()
    figures["sessions"] = sessions
    return figures


def figures(sessions: int = 50, think_s: float = 20, busy_sessions: int = 8, deadline_s: float = 60) -> dict:
    """The benchmark keys, on one throw-away PostgreSQL (deploy/cluster.py): one process
    (replica 0 reached directly, replica 1 idle), then two replicas behind nginx.

    - one user, three visits in a row: the server's CPU for each kind of interaction;
    - throughput: ``busy_sessions`` users without pauses for ``deadline_s``: interactions
      per second and server CPU per interaction;
    - latency: ``sessions`` users each pausing about ``think_s`` between interactions (one
      visit each), p50/p95.
    """
    from deploy import cluster
    out: dict = {}
    with cluster.running(2, env={"PTCE_FOND_DE_CARTE": "aucun"}) as c:
        one_pid, all_pids = [c.replicas[0].pid], [r.pid for r in c.replicas]
        targets = {"1_process": (c.replicas[0].url, one_pid), "2_replicas": (c.url, all_pids)}
        for replica in c.replicas:
            asyncio.run(warm_up(replica.url))
        wait_idle(all_pids)
        out["one_user_1_process"] = asyncio.run(load(c.replicas[0].url, 1, 3, one_pid, deadline_s,
                                                     cpu_each=True)).figures()
        out["seen_view_cpu_ms"] = asyncio.run(seen_view_cpu_ms(c.replicas[0].url, one_pid))
        for name, (url, pids) in targets.items():
            wait_idle(all_pids)
            out[f"busy_{name}"] = asyncio.run(load(url, busy_sessions, 100, pids, deadline_s)).figures()
        for name, (url, pids) in targets.items():
            wait_idle(all_pids)
            out[f"users_{name}"] = asyncio.run(load(url, sessions, 1, pids, 6 * think_s + deadline_s,
                                                    think_s=think_s)).figures()
        out["replica_rss_mb"] = [rss_mb(r.pid) for r in c.replicas]
    one, two = out["busy_1_process"], out["busy_2_replicas"]
    out.update({
        "load_sessions": sessions, "load_think_s": think_s, "load_busy_sessions": busy_sessions,
        "server_cpu_ms_per_interaction": one["server_cpu_ms_per_interaction"],
        "server_cpu_ms_by_interaction": out["one_user_1_process"]["server_cpu_ms_by_interaction"],
        "server_cpu_ms_per_run_seen_view": out["seen_view_cpu_ms"]["france"],
        "server_cpu_ms_per_run_seen_view_departement": out["seen_view_cpu_ms"]["departement"],
        "interactions_per_s_1_process": one["interactions_per_s"],
        "interactions_per_s_2_replicas": two["interactions_per_s"],
        "replicas_scale_factor": two["interactions_per_s"] / one["interactions_per_s"]
        if one["interactions_per_s"] else float("nan"),
        f"p95_ms_{sessions}_sessions_1_process": out["users_1_process"]["p95_ms"],
        f"p95_ms_{sessions}_sessions_2_replicas": out["users_2_replicas"]["p95_ms"],
        "load_errors": sum(out[k]["errors"] for k in ("busy_1_process", "busy_2_replicas",
                                                      "users_1_process", "users_2_replicas")),
    })
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load",
                                     description="Charge au niveau du protocole de Streamlit (sans navigateur).")
    parser.add_argument("--url", help="adresse d'un serveur déjà lancé (127.0.0.1 seulement) ; "
                                      "sinon un serveur est lancé pour la mesure")
    parser.add_argument("--pid", type=int, action="append", default=[],
                        help="processus serveur dont mesurer le temps CPU (avec --url)")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--visits", type=int, default=1, help="visites (5 interactions) par session")
    parser.add_argument("--deadline", type=float, default=300, help="aucune interaction ne commence après (s)")
    parser.add_argument("--pause", type=float, default=0.0, help="pause moyenne d'un utilisateur entre deux interactions (s)")
    parser.add_argument("--repliques", action="store_true",
                        help="1 processus puis 2 répliques derrière nginx, sur PostgreSQL (facteur d'échelle)")
    args = parser.parse_args(argv)
    if args.repliques:
        out = figures(args.sessions, args.pause or 20, deadline_s=min(args.deadline, 60))
        print(json.dumps(out, indent=1, ensure_ascii=False))
        return 0 if not out["load_errors"] else 1
    if args.url:
        measured = measure(args.url, args.sessions, args.visits, args.pid, args.deadline, args.pause)
    else:
        from dashboard import serve
        with serve.running({"PTCE_FOND_DE_CARTE": "aucun"}) as url:
            measured = measure(url, args.sessions, args.visits, [url.pid], args.deadline, args.pause)
    print(json.dumps(measured, indent=1, ensure_ascii=False))
    return 0 if not measured["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
