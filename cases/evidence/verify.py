"""Verifying an evidence package offline: every hash, every token, every WARC file; every failure named.

Nothing here opens a connection. The tokens are checked against the TSA certificates inside the
package, or against the roots the verifier trusts (``trust``): a package whose tokens come from
another TSA than the one trusted fails. A hostile package (not a zip, a zip bomb, broken JSON) is a
list of failures, never a crash.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from cases.evidence.objects import sha256_hex
from cases.evidence.package import CERTIFICATES, SUMMARY_PDF
from cases.evidence.timestamps import TimestampError, load_certificates, verify_token

#: what a PDF file starts with (ISO 32000-1 §7.5.2, the file header)
PDF_MAGIC = b"%PDF-"
#: more than this, unpacked, is not a package we made (a zip bomb stops here)
MAX_UNPACKED_BYTES = 8 * 1024**3


@dataclass
class Verification:
    """What was checked and what failed (empty failures: the package verifies)."""

    checked: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    captures: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures and self.captures > 0


def _warc_problems(data: bytes) -> list[str]:
    problems: list[str] = []
    try:
        iterator = ArchiveIterator(io.BytesIO(data), check_digests=True)
        for record in iterator:
            record.content_stream().read()
            if record.digest_checker.passed is False:
                problems += [str(p) for p in record.digest_checker.problems]
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        problems.append(f"not a readable WARC file: {exc}")
    return problems


class _Package:
    def __init__(self, archive: zipfile.ZipFile, report: Verification) -> None:
        self.archive, self.report = archive, report
        self.names = set(archive.namelist())

    def read(self, name: str) -> bytes | None:
        if name not in self.names:
            self.report.failures.append(f"{name}: missing from the package")
            return None
        try:
            return self.archive.read(name)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:  # a CRC error is one changed byte
            self.report.failures.append(f"{name}: cannot be read: {exc}")
            return None


def _token(pkg: _Package, name: str, message: bytes, roots: Sequence[x509.Certificate], what: str) -> None:
    token = pkg.read(name)
    if token is None:
        return
    try:
        info = verify_token(token, message, roots)
    except TimestampError as exc:
        pkg.report.failures.append(f"{name}: {exc}")
        return
    pkg.report.checked.append(f"{name}: a valid token over {what}, {info.gen_time.isoformat()} by {info.tsa_name}")


def _capture(pkg: _Package, entry: Any, roots: Sequence[x509.Certificate]) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("manifest"), str):
        pkg.report.failures.append(f"manifest.json: a capture entry is malformed: {str(entry)[:200]}")
        return
    pkg.report.captures += 1
    name = entry["manifest"]
    data = pkg.read(name)
    if data is None:
        return
    if sha256_hex(data) != entry.get("manifest_sha256"):
        pkg.report.failures.append(f"{name}: its SHA-256 is not the one the package manifest gives")
    token = entry.get("token")
    if isinstance(token, str):
        _token(pkg, token, data, roots, name)
    else:
        pkg.report.failures.append(f"{name}: capture {entry.get('id')} has no timestamp token")
    try:
        manifest = json.loads(data)
        objects = manifest["objects"]
        assert isinstance(objects, dict)
    except (ValueError, KeyError, TypeError, AssertionError):
        pkg.report.failures.append(f"{name}: not a capture manifest")
        return
    base = name.rsplit("/", 1)[0]
    for kind, described in objects.items():
        path = f"{base}/{described.get('name')}" if isinstance(described, dict) else f"{base}/?"
        content = pkg.read(path)
        if content is None:
            continue
        if sha256_hex(content) != described.get("sha256") or len(content) != described.get("size"):
            pkg.report.failures.append(f"{path}: its SHA-256 or size is not the one its timestamped manifest gives")
        else:
            pkg.report.checked.append(f"{path}: SHA-256 matches the timestamped manifest")
        if kind == "warc":
            pkg.report.failures += [f"{path}: {p}" for p in _warc_problems(content)]


def _summary_pdf(pkg: _Package, manifest: dict[str, Any], files: dict[str, Any]) -> None:
    """The printed summary: listed (so its hash is checked with every file's) and a PDF. A manifest
    without the key is a package made before summaries were printed; ``null`` says why there is none."""
    if "summary_pdf" not in manifest:
        return
    name = manifest["summary_pdf"]
    if name is None:
        why = str(manifest.get("summary_pdf_problem") or "not printed")[:300]
        pkg.report.checked.append(f"{SUMMARY_PDF}: none in the package ({why})")
        return
    if name != SUMMARY_PDF or name not in files:
        pkg.report.failures.append(f"manifest.json: names a summary PDF ({str(name)[:100]!r}) it does not list")
        return
    if name not in pkg.names:
        return  # reported with every listed file
    data = pkg.read(name)
    if data is None:
        return
    if not data.startswith(PDF_MAGIC):
        pkg.report.failures.append(f"{name}: not a PDF file")
    else:
        pkg.report.checked.append(f"{name}: a PDF file, its SHA-256 the one manifest.json gives")


def verify_package(data: bytes, trust: Sequence[x509.Certificate] = ()) -> Verification:
    """Check a package's bytes; `trust`: the roots to accept (default: the package's own TSA certificates)."""
    report = Verification()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.failures.append(f"not a zip file: {exc}")
        return report
    with archive:
        if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
            report.failures.append(f"unpacks to more than {MAX_UNPACKED_BYTES} bytes: not an evidence package")
            return report
        pkg = _Package(archive, report)
        raw = pkg.read("manifest.json")
        if raw is None:
            return report
        try:
            manifest = json.loads(raw)
            files, captures = manifest["files"], manifest["captures"]
            assert isinstance(files, dict)
            assert isinstance(captures, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            report.failures.append("manifest.json: not a package manifest")
            return report
        roots = list(trust)
        if not roots:
            pem = pkg.read(CERTIFICATES)
            try:
                roots = load_certificates(pem) if pem is not None else []
            except TimestampError as exc:
                report.failures.append(f"{CERTIFICATES}: {exc}")
        if "manifest.tsr" in pkg.names:
            _token(pkg, "manifest.tsr", raw, roots, "manifest.json")
        else:
            report.failures.append("manifest.tsr: the package manifest has no timestamp token")
        for path, sha in files.items():
            content = pkg.read(str(path))
            if content is not None and sha256_hex(content) != sha:
                report.failures.append(f"{path}: its SHA-256 is not the one manifest.json gives")
        _summary_pdf(pkg, manifest, files)
        unlisted = pkg.names - set(files) - {"manifest.json", "manifest.tsr"}
        report.failures += [f"{name}: in the package but not in manifest.json" for name in sorted(unlisted)]
        for entry in captures:
            _capture(pkg, entry, roots)
        if not captures:
            report.failures.append("manifest.json: the package holds no capture")
    return report
