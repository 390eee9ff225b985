"""Tiempo de ``marimo export html deck/taller.py`` (meta ≤ 20 s), como lo hace un apunte.

Uso: python benchmarks/export_time.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demos.formatting import decimal  # noqa: E402

TARGET = 20.0


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "taller.html"
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "marimo", "export", "html", "deck/taller.py", "-o", str(out)],
                                cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        size = out.stat().st_size / 1e6 if out.exists() else 0
    status = "ok" if result.returncode == 0 else f"FALLÓ (código {result.returncode})"
    print(f"marimo export html: {decimal(seconds)} s ({decimal(seconds / TARGET, 2)} × meta de "
          f"{decimal(TARGET, 0)} s), {decimal(size)} MB, {status}")
    return result.returncode or (0 if seconds <= TARGET else 1)


if __name__ == "__main__":
    sys.exit(main())
