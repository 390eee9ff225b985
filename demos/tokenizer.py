"""El tokenizador de QuijoteGPT: cada carácter es un token, como en los notebooks (``stoi`` / ``itos``).

La única diferencia con el de los notebooks: un carácter que el modelo nunca vio (una «ç», un emoji)
no hace caer nada; se reemplaza por el más parecido que sí conoce.
"""

from __future__ import annotations

import unicodedata

import torch

FALLBACK_CHAR = " "  # lo que ve el modelo cuando le llega un carácter que nunca vio


class CharTokenizer:
    """Texto ↔ lista de ids: el id de un carácter es su posición en la lista ``chars``."""

    def __init__(self, chars: list[str]):
        self.chars = list(chars)
        self.stoi = {ch: i for i, ch in enumerate(self.chars)}
        self.itos = dict(enumerate(self.chars))

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        return cls(sorted(set(text)))

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def known(self, ch: str) -> str:
        """El carácter del vocabulario que usaremos en lugar de ``ch``."""
        if ch in self.stoi:
            return ch
        # «ç» → «c», «Ñ» sin tilde en el vocabulario → «N», «k» → «K»…
        for candidate in (_strip_accents(ch), ch.swapcase(), _strip_accents(ch).swapcase()):
            if len(candidate) == 1 and candidate in self.stoi:
                return candidate
        return FALLBACK_CHAR if FALLBACK_CHAR in self.stoi else self.chars[0]

    def unknown_chars(self, text: str) -> list[str]:
        """Los caracteres de ``text`` que el modelo nunca vio (se reemplazan al codificar)."""
        text = unicodedata.normalize("NFC", text)
        return sorted({ch for ch in text if ch not in self.stoi})

    def encode(self, text: str) -> list[int]:
        text = unicodedata.normalize("NFC", text)
        return [self.stoi[self.known(ch)] for ch in text]

    def encode_tensor(self, text: str) -> torch.Tensor:
        """Como ``encode`` pero para textos enormes: una tabla de búsqueda por punto de código."""
        text = unicodedata.normalize("NFC", text)
        if not text:
            return torch.zeros(0, dtype=torch.long)
        raw = text.encode("utf-32-le", "surrogatepass")  # un «medio emoji» suelto tampoco rompe nada
        codes = torch.frombuffer(bytearray(raw), dtype=torch.int32).long()
        lookup = torch.full((int(codes.max()) + 1,), -1, dtype=torch.long)
        for ch, i in self.stoi.items():
            if len(ch) == 1 and ord(ch) < len(lookup):
                lookup[ord(ch)] = i
        ids = lookup[codes]
        if (ids < 0).any():  # caracteres nuevos: el camino lento, que sabe reemplazarlos
            return torch.tensor(self.encode(text), dtype=torch.long)
        return ids

    def decode(self, ids: list[int]) -> str:
        return "".join(self.itos.get(int(i), "") for i in ids)


def _strip_accents(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
