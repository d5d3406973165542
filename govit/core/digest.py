"""SM3 digests (GB/T 32905) for integrity: uploaded files, event chains, rulebook versions."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives import hashes


def sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def sm3_chunks(chunks: Iterable[bytes]) -> str:
    digest = hashes.Hash(hashes.SM3())
    for chunk in chunks:
        digest.update(chunk)
    return digest.finalize().hex()


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode("utf-8")
