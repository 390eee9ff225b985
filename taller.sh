#!/usr/bin/env bash
# Prepara todo lo necesario y abre el taller (o corre las pruebas).
#
#   bash taller.sh            instala (la primera vez) y abre la presentación
#   bash taller.sh editar     igual, pero abre el notebook para modificarlo
#   bash taller.sh pruebas    instala también lo de desarrollo y corre todas las pruebas
#
# Todo queda dentro de .venv/ en esta carpeta: no toca el Python del sistema.
set -euo pipefail
cd "$(dirname "$0")"

TORCH_VERSION="2.13.0"   # la versión con la que se probó el taller
PYTHON="${PYTHON:-python3}"
VENV=".venv"

say() { printf '\n\033[1m» %s\033[0m\n' "$*"; }

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creando el entorno de Python en $VENV/"
    "$PYTHON" -m venv "$VENV"
  fi
  # shellcheck disable=SC1091
  . "$VENV/bin/activate"
  python -m pip install --quiet --upgrade pip
}

install_torch() {
  if python -c "import torch" 2>/dev/null; then return; fi
  say "Instalando PyTorch $TORCH_VERSION (versión solo-CPU: pesa mucho menos)"
  # En Linux, el PyTorch de PyPI trae CUDA (varios GB). El índice «cpu» de PyTorch es liviano;
  # si no se alcanza, usamos el de PyPI. En macOS y Windows el de PyPI ya es solo-CPU.
  if [ "$(uname -s)" = "Linux" ] && python -m pip install --retries 0 --timeout 20 \
      "torch==$TORCH_VERSION" --index-url https://download.pytorch.org/whl/cpu 2>/dev/null; then
    return
  fi
  python -m pip install "torch==$TORCH_VERSION"
}

install_project() {
  say "Instalando el taller y sus dependencias"
  python -m pip install --quiet -e ".$1"
}

setup() {
  ensure_venv
  install_torch
  install_project "$1"
}

case "${1:-presentar}" in
  presentar)
    setup ""
    say "Abriendo la presentación: flechas para avanzar, F pantalla completa, S notas del presentador"
    exec marimo run deck/taller.py
    ;;
  editar)
    setup ""
    exec marimo edit deck/taller.py
    ;;
  pruebas)
    setup "[dev]"
    say "Corriendo las pruebas"
    exec python -m pytest -q "${@:2}"
    ;;
  *)
    echo "Uso: bash taller.sh [presentar|editar|pruebas]" >&2
    exit 2
    ;;
esac
