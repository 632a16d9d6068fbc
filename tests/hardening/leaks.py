"""Looking for a password everywhere it must not be: in plain text, XML- and JSON-escaped, URL-
encoded, and inside base64 (of its UTF-8 and its UTF-16-LE bytes, at any alignment: every
base64-looking run of text is decoded and searched, once more for base64 nested inside that, which
also covers the JSON that the remote scripts get as ConfigB64/SecretB64)."""
from __future__ import annotations

import base64
import binascii
import json
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

_B64 = re.compile(rb"[A-Za-z0-9+/_-]{12,}={0,2}")


def text_forms(secret: str) -> dict[str, str]:
    forms = {
        "plain": secret,
        "xml-escaped": escape(secret, {'"': "&quot;", "'": "&apos;"}),
        "json-escaped": json.dumps(secret)[1:-1],
        "url-encoded": urllib.parse.quote(secret, safe=""),
        "base64(utf-8)": base64.b64encode(secret.encode("utf-8")).decode(),
        "base64(utf-16-le)": base64.b64encode(secret.encode("utf-16-le")).decode(),
        "base64(SecretB64 JSON)": _secret_b64(secret),
    }
    return forms


def _secret_b64(secret: str) -> str:
    from wizard.remote.protocol import encode_param

    return encode_param({"share_password": secret})


def _decoded_blobs(data: bytes, depth: int = 2) -> list[bytes]:
    out = []
    for m in _B64.finditer(data):
        token = m.group(0)
        for candidate in {token, token.replace(b"-", b"+").replace(b"_", b"/")}:
            for cut in range(4):            # any alignment: drop 0-3 leading characters
                chunk = candidate[cut:]
                chunk = chunk[: len(chunk) - len(chunk) % 4]
                if len(chunk) < 8:
                    continue
                try:
                    decoded = base64.b64decode(chunk, validate=True)
                except (binascii.Error, ValueError):
                    continue
                out.append(decoded)
                if depth > 1:
                    out += _decoded_blobs(decoded, depth - 1)
    return out


@dataclass(frozen=True)
class Hit:
    where: str
    form: str
    count: int

    def __str__(self) -> str:
        return f"{self.where}: {self.form} x{self.count}"


def scan_bytes(where: str, data: bytes, secret: str) -> list[Hit]:
    hits = []
    for form, text in text_forms(secret).items():
        if form != "plain" and text == secret:
            continue
        n = data.count(text.encode("utf-8"))
        if n:
            hits.append(Hit(where, form, n))
    # UTF-16 text files (PowerShell writes them) and base64 at any alignment.
    n16 = data.count(secret.encode("utf-16-le"))
    if n16:
        hits.append(Hit(where, "utf-16-le", n16))
    if not any(h.form.startswith("base64") for h in hits):
        needles = {secret.encode("utf-8"), secret.encode("utf-16-le"),
                   text_forms(secret)["json-escaped"].encode("utf-8"), text_forms(secret)["xml-escaped"].encode("utf-8")}
        nested = sum(blob.count(n) for blob in _decoded_blobs(data) for n in needles)
        if nested:
            hits.append(Hit(where, "inside decoded base64", nested))
    return hits


def scan_text(where: str, text: str, secret: str) -> list[Hit]:
    return scan_bytes(where, text.encode("utf-8", "surrogatepass"), secret)


def scan_tree(root: Path, secret: str, *, skip: frozenset[Path] = frozenset()) -> list[Hit]:
    hits = []
    if not root.exists():
        return hits
    for p in sorted(root.rglob("*")):
        if p.is_file() and p not in skip:
            hits += scan_bytes(str(p), p.read_bytes(), secret)
    return hits
