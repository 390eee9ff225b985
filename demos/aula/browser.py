"""El navegador y el servidor: Chromium (sin tocar internet) y ``marimo run`` del taller en 127.0.0.1.

Lo usan las pruebas en navegador, la revisión antes de la clase (``demos/aula/review.py``), el
apunte en PDF (``demos/aula/handout.py``) y la medición de arranque (``benchmarks/startup.py``).
Recorrer las diapositivas está en ``demos/aula/slides.py``; medir la letra, en ``demos/aula/sizes.py``.

Necesita Playwright (``pip install playwright``) y un Chromium: el de Debian/Ubuntu
(``apt install chromium``), el que diga ``TALLER_CHROMIUM`` o el de ``playwright install chromium``.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]  # demos/aula/browser.py → la carpeta del proyecto
DECK = ROOT / "deck" / "taller.py"
LAYOUT = ROOT / "deck" / "layouts" / "taller.slides.json"
VIEWPORT = {"width": 1280, "height": 720}  # ¿qué muestra un proyector común? 1280×720
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# ¿cuánto esperamos a Chromium y a marimo? En un computador cargado, minutos (TALLER_ESPERA_S lo cambia)
WAIT_MS = int(float(os.environ.get("TALLER_ESPERA_S", "600")) * 1000)

try:  # Playwright es una dependencia de desarrollo: sin ella, este módulo se importa igual
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover
    PlaywrightError = PlaywrightTimeout = TimeoutError


# ---------------------------------------------------------------- el navegador


class ChromiumMissing(RuntimeError):
    """No hay Playwright o no hay un Chromium que pueda usar."""


def find_chromium() -> str | None:
    """La ruta de un Chromium instalado en el sistema (o ``None``: Playwright usará el suyo, si lo tiene)."""
    chosen = os.environ.get("TALLER_CHROMIUM")
    if chosen and Path(chosen).is_file():
        return chosen
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


@contextmanager
def chromium():
    """Abre un Chromium sin ventana; al salir lo cierra. Lanza ``ChromiumMissing`` con la solución."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise ChromiumMissing("Falta Playwright: pip install playwright") from error
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            raise ChromiumMissing(
                "No encontré Chromium. Instálalo (apt install chromium) o indica su ruta en TALLER_CHROMIUM."
            ) from error
        try:
            yield browser
        finally:
            browser.close()


def is_local(url: str) -> bool:
    """¿Se queda la petición dentro de este computador?"""
    scheme = urlparse(url).scheme
    if scheme in {"file", "data", "blob", "about", "chrome", "chrome-extension"}:  # nada de eso sale a la red
        return True
    return urlparse(url).hostname in LOCAL_HOSTS


def only_local_network(context) -> list[str]:
    """Corta toda petición que salga del computador; devuelve la lista (viva) de lo que se cortó."""
    blocked: list[str] = []

    def handle(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", handle)
    return blocked


# ---------------------------------------------------------------- el servidor de marimo


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MarimoFailed(RuntimeError):
    """``marimo run`` no arrancó o no respondió a tiempo (el mensaje dice qué pasó, en castellano)."""


class MarimoServer:
    """``marimo run`` del taller en un puerto libre. Se usa con ``with MarimoServer() as server:``."""

    def __init__(self, notebook: Path = DECK, port: int | None = None, extra_args: tuple[str, ...] = ("--no-token",),
                 env: dict | None = None):
        self.notebook, self.port = Path(notebook), port or free_port()
        self.extra_args, self.env = list(extra_args), env
        self.process: subprocess.Popen | None = None
        self.first_answer_seconds: float | None = None
        self._log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "marimo", "run", str(self.notebook), "--headless",
                "--host", "127.0.0.1", "--port", str(self.port), *self.extra_args]

    def start(self, timeout: float = 120.0) -> MarimoServer:
        started = time.perf_counter()
        # una sesión nueva de procesos: al final detenemos a marimo y a todo lo que haya lanzado
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise MarimoFailed(f"marimo run terminó antes de responder.\ndetalle técnico: {self.last_log_line()}")
            if http_status(self.url) is not None:
                self.first_answer_seconds = time.perf_counter() - started
                return self
            time.sleep(0.05)
        self.stop()
        raise MarimoFailed(f"marimo run no respondió en {timeout:.0f} s (¿el computador está muy cargado?).\n"
                           f"detalle técnico: {self.last_log_line()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)

    def log_tail(self, chars: int = 3000) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read()[-chars:]

    def error_details(self) -> str:
        """Lo que marimo anotó de las celdas que fallaron: en ``marimo run`` la página solo dice
        «An internal error occurred» y el detalle queda en el registro del servidor."""
        log = self.log_tail(chars=1 << 30)
        start = log.find("error_id=")
        return log[max(start - 200, 0):][:6000] if start >= 0 else "(marimo no anotó detalles del error)"

    def last_log_line(self) -> str:
        lines = [line for line in self.log_tail().splitlines() if line.strip()]
        return lines[-1].strip() if lines else "(marimo no escribió nada)"

    def __enter__(self) -> MarimoServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        self._log.close()


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """El código HTTP con que responde ``url`` (``None`` si nadie responde todavía)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def process_tree(pid: int) -> list[int]:
    """``pid`` y todos sus descendientes (leído de /proc; en otros sistemas, solo ``pid``)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # el proceso terminó mientras leíamos
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending += children.get(current, [])
    return found


def process_tree_rss_mb(pid: int) -> float:
    """Memoria residente (MB) de un proceso y de todos sus descendientes."""
    total_kb = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total_kb / 1024


def process_tree_cpu_s(pid: int) -> float:
    """Segundos de CPU gastados por un proceso y sus descendientes (vivos o ya terminados)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def explain_os_error(error: OSError) -> str:
    """Por qué el sistema no dejó leer o escribir un archivo, en castellano (``strerror`` viene en inglés)."""
    reasons = {
        NotADirectoryError: "una parte de la ruta es un archivo, no una carpeta",
        IsADirectoryError: "ahí hay una carpeta, no un archivo",
        FileExistsError: "ya hay un archivo con ese nombre",
        FileNotFoundError: "esa ruta no existe",
        PermissionError: "no tengo permiso para escribir ahí",
    }
    by_errno = {errno.ENOSPC: "el disco está lleno", errno.EROFS: "el disco es de solo lectura",
                errno.ENAMETOOLONG: "el nombre es demasiado largo"}
    reason = next((text for kind, text in reasons.items() if isinstance(error, kind)), None)
    return reason or by_errno.get(error.errno, "el sistema no lo permitió")


def first_line(error: BaseException) -> str:
    """La primera línea de un error (Playwright agrega a veces un registro largo, en inglés)."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
