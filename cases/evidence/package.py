"""Evidence packages: one zip with every object of some captures, their manifests and tokens, the TSA's
certificates, a package manifest (JSON) and a summary a person can read (HTML).

Layout::

    manifest.json                  the package manifest: every file's SHA-256, the captures, who made it, when
    manifest.tsr                   an RFC 3161 token over manifest.json (when a TSA is configured)
    summary.html                   the captures in a table (in the notice's language): URL, time, status, hashes, the screenshot
    summary.pdf                    the same page printed by headless Chromium (when one could print it)
    tsa/certificates.pem           the TSA's certificates the tokens chain to
    captures/<id>/manifest.json    the capture's manifest, exactly as stored and timestamped
    captures/<id>/timestamp.tsr    its token (DER TimeStampResp)
    captures/<id>/capture.warc.gz, text.txt, screenshot.png
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cases.evidence.manifest import canonical
from cases.evidence.models import EvidenceCapture
from cases.evidence.objects import ObjectStore, ObjectStoreError, sha256_hex
from cases.evidence.summary import summary_html

FORMAT = "piratewatch-evidence-package/1"
CERTIFICATES = "tsa/certificates.pem"
SUMMARY_HTML = "summary.html"
SUMMARY_PDF = "summary.pdf"


@dataclass
class PackageContents:
    """The files of a package but its own token, and what its manifest says besides the files' hashes."""

    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)

    @property
    def manifest(self) -> bytes:
        """The package manifest's bytes: the header and every file's SHA-256 (the same files, the same bytes)."""
        files = {path: sha256_hex(data) for path, data in sorted(self.files.items())}
        return canonical({**self.header, "files": files})

    def add_summary_pdf(self, pdf: bytes | None, problem: str | None, *, wanted: bool = True) -> None:
        """The summary printed to PDF, or the reason it is not, said in the manifest (and, when a PDF was
        `wanted` but could not be printed, among the problems: the export then fails)."""
        if pdf is not None:
            self.files[SUMMARY_PDF] = pdf
            self.header["summary_pdf"] = SUMMARY_PDF
            return
        self.header["summary_pdf"] = None
        self.header["summary_pdf_problem"] = problem
        if wanted:
            self.problems.append(f"{SUMMARY_PDF}: not printed: {problem}")


def package_contents(
    captures: Sequence[EvidenceCapture],
    store: ObjectStore,
    *,
    certificates_pem: bytes,
    scope: str,
    program: str,
    created_by: str,
    created_at: dt.datetime,
    language: str = "en",
) -> PackageContents:
    """Every file of the package (objects read back and checked), and its manifest; the summary is
    written in `language`, the notice's (:mod:`cases.evidence.summary`). Its PDF is printed by the
    caller from ``files["summary.html"]`` (a browser is no business of the store) and added with
    :meth:`PackageContents.add_summary_pdf`."""
    out = PackageContents()
    entries: list[dict[str, Any]] = []
    for c in captures:
        base = f"captures/{c.id}"
        named = {
            f"{base}/manifest.json": c.manifest_sha256,
            f"{base}/capture.warc.gz": c.warc_sha256,
            f"{base}/text.txt": c.text_sha256,
            f"{base}/screenshot.png": c.screenshot_sha256,
            f"{base}/timestamp.tsr": c.token_sha256,
        }
        for path, sha in named.items():
            if sha is None:
                continue
            try:
                out.files[path] = store.get(sha)
            except ObjectStoreError as exc:  # missing, altered or unreadable: said, never packed silently
                out.problems.append(f"capture {c.id}: {exc}")
        entries.append(
            {
                "id": c.id,
                "url": c.url,
                "status": c.status,
                "limit": c.limit_reason,
                "captured_at": c.started_at.isoformat(),
                "manifest": f"{base}/manifest.json",
                "manifest_sha256": c.manifest_sha256,
                "token": f"{base}/timestamp.tsr" if c.token_sha256 else None,
                "timestamped_at": c.timestamped_at.isoformat() if c.timestamped_at else None,
                "tsa_name": c.tsa_name,
            }
        )
    out.files[CERTIFICATES] = certificates_pem
    out.files[SUMMARY_HTML] = summary_html(scope, created_at.isoformat(), captures, language)
    out.header = {
        "format": FORMAT,
        "scope": scope,
        "language": language,
        "program": program,
        "created_by": created_by,
        "created_at": created_at.isoformat(),
        "tsa_certificates": CERTIFICATES,
        "captures": entries,
    }
    return out


def write_zip(contents: PackageContents, token: bytes | None) -> bytes:
    """The package's bytes (members in a fixed order; WARC and PNG files stored, the rest deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        members = {"manifest.json": contents.manifest, **({"manifest.tsr": token} if token else {}), **contents.files}
        for path, data in members.items():
            packed = path.endswith((".gz", ".png"))
            archive.writestr(
                zipfile.ZipInfo(path, date_time=(2000, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED,
            )
    return buffer.getvalue()


def package_manifest(data: bytes) -> dict[str, Any]:
    """The package manifest read from a package's bytes (for tools that only list)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        loaded: dict[str, Any] = json.loads(archive.read("manifest.json"))
        return loaded
