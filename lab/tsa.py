"""A real RFC 3161 Time-Stamping Authority for the lab: ``openssl ts -reply`` behind a small HTTP server.

At start it makes its own test CA and a TSA certificate signed by it (extended key usage
``timeStamping``, critical, as RFC 3161 §2.3 requires), then answers the HTTP transport of RFC 3161
§3.4: a ``POST`` whose body is a DER ``TimeStampReq`` with ``Content-Type: application/timestamp-query``
gets a DER ``TimeStampResp`` with ``Content-Type: application/timestamp-reply``. Anything else is refused
as a real TSA refuses it (405 for another method, 415 for another type, 413 for a body larger than any
request). The replies are real tokens, signed by OpenSSL, that any RFC 3161 client verifies against
``ca_certificate``.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from pathlib import Path
from types import TracebackType

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from lab.http_util import ThreadedServer

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
#: a TimeStampReq is a hash and a few small fields: a few hundred bytes
MAX_QUERY_BYTES = 16 * 1024
#: the lab TSA's policy (an arbitrary private OID: tests pin it)
POLICY_OID = "1.3.6.1.4.1.55555.1.1"

_TS_CONFIG = """\
[ tsa ]
default_tsa = lab_tsa

[ lab_tsa ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = {policy}
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""

_TSA_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _openssl(*args: str, stdin: bytes | None = None) -> bytes:
    # the lab runs the system openssl with arguments it builds itself
    done = subprocess.run(["openssl", *args], input=stdin, capture_output=True, check=False, timeout=30)  # noqa: S603, S607
    if done.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def make_authority(directory: Path, name: str) -> None:
    """A test CA and a TSA certificate it signed, with the ``openssl ts`` configuration, in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    d = str(directory)
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.crt",
        "-days", "3650", "-subj", f"/O=piratewatch lab/CN={name} root CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    _openssl(
        "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{d}/tsa.key", "-out", f"{d}/tsa.csr",
        "-subj", f"/O=piratewatch lab/CN={name}",
    )  # fmt: skip
    (directory / "tsa.ext").write_text(_TSA_EXTENSIONS)
    _openssl(
        "x509", "-req", "-in", f"{d}/tsa.csr", "-CA", f"{d}/ca.crt", "-CAkey", f"{d}/ca.key", "-set_serial", "2",
        "-days", "3650", "-extfile", f"{d}/tsa.ext", "-out", f"{d}/tsa.crt",
    )  # fmt: skip
    (directory / "serial").write_text("01\n")
    (directory / "ts.cnf").write_text(_TS_CONFIG.format(dir=d, policy=POLICY_OID))


class LabTsa:
    """The lab's TSA on a loopback port (use as a context manager); ``url`` takes RFC 3161 queries."""

    def __init__(self, name: str = "piratewatch lab TSA", directory: Path | None = None) -> None:
        self.name = name
        self._tmp = tempfile.TemporaryDirectory(prefix="lab-tsa-") if directory is None else None
        self.directory = directory or Path(self._tmp.name)  # type: ignore[union-attr]
        make_authority(self.directory, name)
        # openssl ts keeps its serial number in a file: one reply at a time
        self._lock = threading.Lock()
        self.replies = 0
        self._server = ThreadedServer(Starlette(routes=[Route("/", self._reply, methods=["GET", "POST"])]))

    @property
    def ca_certificate(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def tsa_certificate(self) -> Path:
        return self.directory / "tsa.crt"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}/"

    def sign(self, query: bytes) -> bytes:
        """The DER TimeStampResp that ``openssl ts -reply`` gives to the DER TimeStampReq `query`."""
        with self._lock, tempfile.TemporaryDirectory(prefix="tsq-") as work:
            (Path(work) / "q.tsq").write_bytes(query)
            _openssl(
                "ts", "-reply", "-config", str(self.directory / "ts.cnf"),
                "-queryfile", f"{work}/q.tsq", "-out", f"{work}/r.tsr",
            )  # fmt: skip
            self.replies += 1
            return (Path(work) / "r.tsr").read_bytes()

    async def _reply(self, request: Request) -> Response:
        if request.method != "POST":
            return PlainTextResponse("RFC 3161 queries are POSTed", status_code=405, headers={"Allow": "POST"})
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != QUERY_TYPE:
            return PlainTextResponse(f"Content-Type must be {QUERY_TYPE}", status_code=415)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_QUERY_BYTES:
                return PlainTextResponse("query too large", status_code=413)
        try:
            reply = self.sign(body)
        except RuntimeError as exc:  # not a TimeStampReq: openssl refuses to parse it
            return PlainTextResponse(f"bad time-stamp query: {exc}", status_code=400)
        return Response(reply, media_type=REPLY_TYPE)

    def __enter__(self) -> LabTsa:
        self._server.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.__exit__(kind, error, trace)
        if self._tmp is not None:
            self._tmp.cleanup()
