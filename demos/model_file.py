"""Un modelo abierto es un archivo: sus parámetros (números) por los bytes que ocupa cada uno.

Cuánto pesa un modelo: parámetros × bits por parámetro ÷ 8. Con 32 bits (float32) cada número ocupa
4 bytes; los modelos que se descargan para correr en un computador suelen venir «cuantizados» a 4
u 8 bits por número: pesan mucho menos y responden casi igual.
"""

from __future__ import annotations

from demos.formatting import decimal, thousands

BITS_PER_BYTE = 8


def size_bytes(parameters: int, bits: float) -> float:
    return parameters * bits / BITS_PER_BYTE


def human_size(n_bytes: float) -> str:
    """7.271.820 → «7,3 MB»; 4.000.000.000 → «4,0 GB» (en castellano, con coma decimal)."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= size:
            return f"{decimal(n_bytes / size, 1)} {unit}"
    return f"{thousands(round(n_bytes))} bytes"


def rows(our_parameters: int) -> list[tuple[str, str, str, str]]:
    """(modelo, parámetros, bits por parámetro, tamaño del archivo) para la tabla de la diapositiva."""
    big, ours = 8_000_000_000, thousands(our_parameters)
    return [
        ("QuijoteGPT (el nuestro)", ours, "32 (4 bytes)", human_size(size_bytes(our_parameters, 32))),
        ("…guardado en 16 bits", ours, "16 (2 bytes)", human_size(size_bytes(our_parameters, 16))),
        ("Un modelo abierto de 8.000 millones", "8.000 millones", "4 (medio byte)", human_size(size_bytes(big, 4))
         + " (≈ 4–5 GB con todo)"),
        ("…el mismo, sin achicar", "8.000 millones", "16 (2 bytes)", human_size(size_bytes(big, 16))),
    ]


def table_markdown(our_parameters: int) -> str:
    head = "| Modelo | Parámetros | Bits por parámetro | Archivo |\n|:--|:--|:--|:--|\n"
    return head + "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows(our_parameters))
