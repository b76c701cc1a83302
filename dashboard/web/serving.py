"""Serving on every core: several app processes behind HAProxy, one ledger database.

One Streamlit process runs every visitor's script on one Python core (the interpreter lock),
so `lingkaran serve --processes N` starts N of them on loopback ports and HAProxy (Debian's
package) in front. HAProxy pins each browser to one process with a cookie
(``LINGKARAN_SERVER``): a Streamlit session lives in one process (its websocket, the files it
offers for download, an upload, a login under way), so every request of a browser must reach
the process that holds its session. One more process answers the open-data API
(``/api/``), so that an API answer never waits behind page runs for an app process's
interpreter lock. What the processes share is the ledger database, the
secrets file (the login cookie is signed with ``auth.cookie_secret``, so a login made through
one process is valid in every other) and the statement key.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from dashboard.core import config

AFFINITY_COOKIE = "LINGKARAN_SERVER"
PROXY = "haproxy"
PROCESS_HEADER = "X-Lingkaran-Process"
PROXY_PLACES = ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")  # sbin: often not on PATH
STARTUP_SECONDS = 120  # how long the app processes may take to answer before the proxy starts


def send_without_delay() -> bool:
    """Make the Streamlit server in this process send each message at once (TCP_NODELAY).

    Streamlit binds its listening socket itself, with protocol number 0, and asyncio sets
    TCP_NODELAY only on sockets whose protocol number says TCP: the connections it accepts
    kept Nagle's algorithm. A small message written after a large one then waited for the
    browser's acknowledgement, which the browser delays by up to 40 ms: every first visit
    to the overview took 55 ms instead of 15 to 30, and one donor page visit in three took
    65 ms instead of 20. The listening socket gets TCP_NODELAY here, and Linux gives the
    connections it accepts the same. Called before the server binds (``dashboard.web.launch``,
    which every app and API process runs); returns False, changing nothing, if this
    Streamlit binds another way."""
    try:
        from streamlit.web.server.starlette import starlette_server
    except ImportError:
        return False
    bind = getattr(starlette_server, "_bind_socket", None)
    if bind is None or getattr(bind, "sends_without_delay", False):
        return bind is not None

    def bind_without_delay(address: str, port: int, backlog: int) -> socket.socket:
        listening = bind(address, port, backlog)
        listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return listening

    bind_without_delay.sends_without_delay = True  # type: ignore[attr-defined]
    starlette_server._bind_socket = bind_without_delay
    return True


def fetch_nothing_from_outside() -> bool:
    """Keep Streamlit from asking outside addresses for this machine's own addresses.

    A headless Streamlit asks one at start-up (to print an "External URL") and again for
    every cross-origin browser connection (its origin check falls back on that address).
    Lingkaran promises to fetch nothing at run time: the question leaks that a server
    started, waits up to two seconds where the network is closed, and logs "Did not auto
    detect external IP". Here the address is simply unknown; the origin check still accepts
    loopback, the configured server address and same-origin connections, which is every
    connection Lingkaran serves (HAProxy keeps the Host header). Returns False, changing
    nothing, if this Streamlit finds the address another way (the test that no connection
    leaves the machine then fails: tests/web/test_no_outbound.py)."""
    try:
        from streamlit import net_util
    except ImportError:
        return False
    if not hasattr(net_util, "get_external_ip") or not hasattr(net_util, "get_internal_ip"):
        return False

    def unknown() -> None:
        return None

    net_util.get_external_ip = unknown
    # The local network address Streamlit learns by "connecting" a socket to a public
    # resolver: no packet leaves, but it is still a connection to an outside address, and
    # the banner it feeds ("Network URL") is not where Lingkaran says it serves.
    net_util.get_internal_ip = unknown
    return True


@dataclass(frozen=True)
class Backend:
    """One app process as the proxy sees it."""

    name: str
    host: str
    port: int


def app_command(
    url: str,
    mode: str,
    *,
    port: int,
    max_upload_mb: int,
    address: str | None = None,
    behind_proxy: bool = False,
) -> tuple[list[str], dict[str, str]]:
    """`streamlit run dashboard/web/server.py` (pages and /api/v1; through ``dashboard.web.launch``,
    so that every message is sent without delay) with the settings every
    deployment needs, whatever folder it starts from: no traceback in the browser, the
    viewer toolbar only, XSRF protection, no usage statistics, the upload limit."""
    app = Path(__file__).parent / "server.py"
    environment = {**os.environ, config.DATABASE_URL_VARIABLE: url, "LINGKARAN_MODE": mode}
    # A demo started at a terminal opens the browser, on the address people use: never one
    # of the processes behind the proxy.
    interactive = mode == "demo" and sys.stdin.isatty() and sys.stdout.isatty()
    headless = "false" if interactive and not behind_proxy else "true"
    command = [
        sys.executable,
        "-m",
        "dashboard.web.launch",  # Streamlit's command line, its messages sent without delay
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.headless",
        headless,
        "--server.enableXsrfProtection",
        "true",
        "--server.maxUploadSize",
        str(max_upload_mb),
        "--browser.gatherUsageStats",
        "false",
        # A demo started at a terminal would otherwise ask for an e-mail address once, and
        # send it to Streamlit's makers: nothing leaves the machine.
        "--server.showEmailPrompt",
        "false",
        # No traceback reaches a user: the console keeps the details for the operator.
        "--client.showErrorDetails",
        "none",
        "--client.toolbarMode",
        "viewer",
        # No watching of source files for changes: a deployment's code does not change
        # under it, and the watcher walked every imported module's path after each script
        # run, a third of the server's CPU per page.
        "--server.fileWatcherType",
        "none",
        # Python's own collector runs as usual; Streamlit's extra full collection after
        # every script run walked every cached chart and table each time (a quarter of a
        # page run's CPU).
        "--runner.postScriptGC",
        "false",
        # The pages never rely on "magic" (a bare value written to the page): without it a
        # page's script compiles without an extra pass over its syntax tree.
        "--runner.magicEnabled",
        "false",
    ]
    if address:
        command += ["--server.address", address]
    return command, environment


def proxy_config(
    port: int, backends: list[Backend], address: str | None = None, api: list[Backend] = ()
) -> str:
    """HAProxy's configuration: one front door on ``address:port``, each browser pinned to
    one app process by a cookie, new browsers spread round robin, a process that stops
    answering Streamlit's health check taken out until it answers again. With ``api``
    processes, ``/api/`` goes to them (the app processes stand in if none answers): an API
    answer then never waits behind page runs for an app process's core."""
    servers = "\n".join(
        f"    server {b.name} {b.host}:{b.port} check cookie {b.name}" for b in backends
    )
    api_servers = "\n".join(f"    server {b.name} {b.host}:{b.port} check" for b in api)
    stand_ins = "\n".join(f"    server {b.name} {b.host}:{b.port} check backup" for b in backends)
    routing = "    default_backend app"
    api_backend = ""
    # An embed is framed by other sites and must set no cookie (dashboard/publish/embeds.py):
    # it never goes to the app backend, whose affinity cookie every new browser gets.
    if not api:
        routing = "    use_backend embeds if { path_beg /embed/ }\n" + routing
        plain = "\n".join(f"    server {b.name} {b.host}:{b.port} check" for b in backends)
        api_backend = f"""
backend embeds
    balance roundrobin
    option httpchk GET /_stcore/health
{plain}
"""
    else:
        routing = "    use_backend api if { path_beg /api/ /embed/ }\n" + routing
        api_backend = f"""
backend api
    balance roundrobin
    option httpchk GET /_stcore/health
    # Every app process stands in, not only the first: the first may be down too.
    option allbackups
    http-response set-header {PROCESS_HEADER} %[srv_name]
{api_servers}
{stand_ins}
"""
    return f"""# Written by `lingkaran` for {len(backends)} app processes (docs/operations.md).
global
    maxconn 4096

defaults
    mode http
    option forwardfor
    # A request that cannot reach its process (one that died and is being restarted) is sent
    # to another at once, the visitor's cookie notwithstanding, and a GET whose process died
    # before answering is asked again of another: a process that dies cuts only the answers
    # it was sending at that moment (tests/test_load.py). With the API process and an app
    # process killed together on a busy machine, a request took up to three retries (each
    # after up to a second), and one that needed a fourth got a 503: six leave room.
    retries 6
    option redispatch 1
    retry-on conn-failure empty-response
    # A process is out of the rotation at the first connection it refuses (a dead one, or
    # one starting again), or after three failed health checks two seconds apart (a busy
    # one has five seconds to answer each), and back in at its first answer.
    timeout check 5s
    default-server inter 2s fall 3 rise 1 observe layer4 error-limit 1 on-error mark-down
    timeout connect 5s
    timeout client 60s
    timeout server 120s
    # Streamlit's websocket stays open as long as the page does.
    timeout tunnel 8h
    timeout client-fin 30s
    timeout http-request 15s

frontend lingkaran
    bind {address or ""}:{port}
    # Each request that did not go well (an error, a retry, a redispatch, a 5xx) is a line
    # on HAProxy's standard error, the log of `serve` (docs/operations.md "On every core").
    log stderr format raw local0 info
    option httplog
    option dontlog-normal
{routing}

backend app
    balance roundrobin
    # A browser's requests all reach the process holding its session (its websocket, its
    # downloads and uploads, a login under way); a browser without the cookie gets one.
    cookie {AFFINITY_COOKIE} insert indirect nocache httponly attr "SameSite=Lax"
    option httpchk GET /_stcore/health
    # Which process answered (app1, app2, ...): for an operator checking the affinity.
    http-response set-header {PROCESS_HEADER} %[srv_name]
{servers}
{api_backend}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def proxy_path() -> str:
    """HAProxy's program, or a message saying how to install it."""
    found = shutil.which(PROXY) or next(
        (place for place in PROXY_PLACES if os.access(place, os.X_OK)), None
    )
    if found is None:
        raise FileNotFoundError(
            "`--processes` needs HAProxy in front of the app processes: install it with your "
            "system's packages (Debian and Ubuntu: `apt-get install haproxy`)"
        )
    return found


def _wait_for(
    backends: list[Backend], children: list[subprocess.Popen], stop: threading.Event
) -> None:
    """Until every app process answers its health check: the front door opens when they
    can serve (a process that ends first is reported by the caller's loop)."""
    waiting = list(backends)
    deadline = time.monotonic() + STARTUP_SECONDS
    while waiting and not stop.is_set() and time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            return
        backend = waiting[0]
        try:
            address = f"http://{backend.host}:{backend.port}/_stcore/health"
            with urllib.request.urlopen(address, timeout=2) as answer:
                if answer.status == 200:
                    waiting.pop(0)
                    continue
        except OSError:
            pass
        stop.wait(0.2)


@dataclass
class Child:
    """One process `serve` keeps running: an app process, the API process or HAProxy."""

    name: str
    command: list[str]
    environment: dict[str, str] | None = None
    # Started again after a crash: without opening a browser a second time (a demo at a
    # terminal opens one on its first start).
    again: list[str] | None = None
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    restart_at: float | None = None  # when a crashed process is due to start again

    def start(self) -> None:
        command = self.again if self.restarts and self.again else self.command
        self.process = subprocess.Popen(command, env=self.environment, stdin=subprocess.DEVNULL)
        self.started_at = time.monotonic()
        self.restart_at = None


# A process that crashes again soon after a restart waits longer each time before the next,
# up to RESTART_DELAY_MAX seconds; one that ran RESTART_SETTLED seconds counts as healthy.
RESTART_DELAY_MAX = 30.0
RESTART_SETTLED = 60.0


def how_it_ended(code: int) -> str:
    """A process's return code as an operator reads it: "signal 11 (SIGSEGV)", "exit code 1"."""
    if code < 0:
        try:
            return f"signal {-code} ({signal.Signals(-code).name})"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _log(echo, message: str) -> None:
    echo(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}")
    sys.stdout.flush()


def supervise(children: list[Child], stop: threading.Event, echo=print) -> None:
    """Keep every child running until ``stop``: a process that ends (a crash, a kill, an
    exit) is named in the log with how it ended and started again, on the same port, at
    once the first time and after a growing pause if it keeps ending soon after its start.
    Meanwhile HAProxy's health checks keep visitors on the processes that answer."""
    while not stop.wait(0.2):
        now = time.monotonic()
        for child in children:
            if child.restart_at is not None:
                if now >= child.restart_at and not stop.is_set():
                    child.restarts += 1
                    child.start()
                    _log(echo, f"{child.name} started again (pid {child.process.pid})")
                continue
            code = child.process.poll()
            if code is None or stop.is_set():
                continue
            ran = now - child.started_at
            if ran >= RESTART_SETTLED:
                child.restarts = 0  # it had settled: this is a first crash again
            delay = min(RESTART_DELAY_MAX, 2.0**child.restarts) if child.restarts else 0.0
            child.restart_at = now + delay
            _log(
                echo,
                f"{child.name} (pid {child.process.pid}) ended with {how_it_ended(code)} after "
                f"{ran:.0f} s: restarting it" + (f" in {delay:.0f} s" if delay else ""),
            )


def serve_processes(
    url: str,
    mode: str,
    *,
    processes: int,
    port: int,
    max_upload_mb: int,
    address: str | None = None,
    echo=print,
) -> int:
    """Run the app until a stop signal (SIGTERM, SIGINT), restarting any process that ends.

    One process: the app itself on ``port``. Several: ``processes`` app processes and one
    for the API on loopback ports, HAProxy in front on ``port``. Returns the exit code."""
    folder = Path(tempfile.mkdtemp(prefix="lingkaran-serve-"))
    children: list[Child] = []
    if processes == 1:
        command, environment = app_command(
            url, mode, port=port, max_upload_mb=max_upload_mb, address=address
        )
        again, _ = app_command(
            url, mode, port=port, max_upload_mb=max_upload_mb, address=address, behind_proxy=True
        )
        children.append(Child("app", command, environment, again))
        backends: list[Backend] = []
        api: list[Backend] = []
    else:
        haproxy = proxy_path()
        backends = [Backend(f"app{n}", "127.0.0.1", _free_port()) for n in range(1, processes + 1)]
        api = [Backend("api1", "127.0.0.1", _free_port())]
        configuration = folder / "haproxy.cfg"
        configuration.write_text(proxy_config(port, backends, address, api), encoding="utf-8")
        checked = subprocess.run(
            [haproxy, "-c", "-q", "-f", str(configuration)], capture_output=True, text=True
        )
        if checked.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(f"HAProxy refused its configuration: {checked.stderr.strip()}")
        for backend in [*backends, *api]:
            command, environment = app_command(
                url,
                mode,
                port=backend.port,
                max_upload_mb=max_upload_mb,
                address=backend.host,
                behind_proxy=True,
            )
            children.append(Child(f"{backend.name} (port {backend.port})", command, environment))

    stop = threading.Event()

    def on_signal(signum, frame) -> None:  # noqa: ARG001 - the signal handler's signature
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for child in children:
            child.start()
        if processes > 1:
            _wait_for([*backends, *api], [c.process for c in children], stop)
            # -db: stay in the foreground, a child of this process, logging to its stderr.
            children.append(Child("haproxy", [haproxy, "-db", "-f", str(configuration)]))
            children[-1].start()
            echo(
                f"Lingkaran on port {port}: HAProxy in front of {processes} app processes "
                f"(127.0.0.1 ports {', '.join(str(b.port) for b in backends)}) and one for "
                f"the API (port {api[0].port})"
            )
            sys.stdout.flush()
        supervise(children, stop, echo)
        return 0
    finally:
        running = [c.process for c in reversed(children) if c.process is not None]
        for process in running:  # the proxy first: no new requests to the apps
            if process.poll() is None:
                process.terminate()
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        shutil.rmtree(folder, ignore_errors=True)
