"""Static page sets for comparing spiders, written to a directory nginx serves.

Two sizes, from a fixed seed:

- **small**: the shape of the lab's big tree: pages of 0.6-0.9 KiB, each a heading, a view counter
  and ten links to the next level of a tree (page ``n`` links to ``10n+1`` ... ``10n+10``);
- **large**: pages of about 100 KiB like a real reader site's chapter pages: 200 links (to pages
  anywhere in the set), three external and two inline scripts, an ad block, paragraphs of text.
"""

from __future__ import annotations

import random
from pathlib import Path

_WORDS = [
    "manga",
    "chapter",
    "raw",
    "read",
    "online",
    "free",
    "latest",
    "update",
    "scan",
    "translation",
    "volume",
    "episode",
]


_FILLER = " ".join(_WORDS * 7)


def _href(n: int) -> str:
    return "/" if n == 0 else f"/p/{n}.html"


def _path(root: Path, n: int) -> Path:
    return root / "index.html" if n == 0 else root / "p" / f"{n}.html"


def write_small(root: Path, pages: int) -> None:
    (root / "p").mkdir(parents=True, exist_ok=True)
    for n in range(pages):
        links = "".join(
            f'<li><a href="{_href(c)}">Chapter {c}</a></li>' for c in range(10 * n + 1, 10 * n + 11) if c < pages
        )
        _path(root, n).write_text(
            f"<!doctype html><html><head><meta charset=utf-8><title>Page {n}</title></head><body>"
            f"<h1>Work {n % 500} chapter {n}</h1><p class=views>Views: {n * 37 % 100000}</p>"
            f"<p>{_FILLER}</p><ul>{links}</ul></body></html>"
        )


def write_large(root: Path, pages: int, seed: int = 21) -> None:
    rng = random.Random(seed)
    (root / "p").mkdir(parents=True, exist_ok=True)
    script = "var cfg={" + ",".join(f'"k{i}":"{"x" * 40}"' for i in range(120)) + "};"
    for n in range(pages):
        targets = [rng.randrange(pages) for _ in range(200)]
        links = "".join(f'<li><a href="{_href(t)}">{rng.choice(_WORDS)} {t}</a></li>' for t in targets)
        text = "".join("<p>" + " ".join(rng.choice(_WORDS) for _ in range(120)) + "</p>" for _ in range(97))
        _path(root, n).write_text(
            "<!doctype html><html><head><meta charset=utf-8>"
            f"<title>Chapter {n}</title>"
            '<script src="/static/app.js"></script><script src="/static/ads.js"></script>'
            '<script async src="https://www.googletagmanager.com/gtag/js?id=G-BENCH"></script>'
            f"<script>{script}</script></head><body>"
            f"<h1>Work {n % 500} chapter {n}</h1><p class=views>Views: {n * 37 % 100000}</p>"
            f'<div class="ads"><ins class="adsbygoogle"></ins></div><nav><ul>{links}</ul></nav>{text}'
            f"<script>{script}</script></body></html>"
        )
