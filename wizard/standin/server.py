"""HTTPS glue: a threading HTTP/1.1 server on 127.0.0.1 with a throw-away CA from trustme, that turns
each request into ``Arm.handle`` and writes the answer (or drops the connection), and keeps the
request log (method, path, status; never bodies).

TLS is required by the SDK: its bearer-token policy refuses plain http. The TLS handshake is done
in the connection's own thread, so one slow client cannot stall the accept loop.
"""
from __future__ import annotations

import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

from .handlers import Request, Response

RequestLogger = Callable[[str, str, int], None]


def make_tls_context(ca_dir: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a fresh CA-issued certificate for 127.0.0.1/localhost, and the CA's PEM path."""
    import trustme  # only the stand-in needs it

    ca = trustme.CA(organization_name="hpcshare Azure stand-in")
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(ctx)
    ca_path = ca_dir / "standin-ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    return ctx, ca_path


class StandInHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, tls: ssl.SSLContext, handle: Callable[[Request], Response], log: RequestLogger):
        self.tls = tls
        self.handle_request_fn = handle
        self.log_request_fn = log
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # Headers and body go out as separate writes; without NODELAY, Nagle + delayed ACK add ~40 ms.
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        try:
            conn = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a client that does not trust the CA, or went away mid-handshake
        with self._open_lock:
            self._open.add(conn)
        try:
            # typeshed types RequestHandlerClass's third argument as Self, which mypy cannot bind
            # for a subclass: the library's annotation forces the ignore.
            self.RequestHandlerClass(conn, client_address, self)  # type: ignore[arg-type]
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        finally:
            with self._open_lock:
                self._open.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def close_connections(self) -> None:
        """Cut idle keep-alive connections too, so a stopped stand-in really stops answering."""
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StandInHTTPServer
    server_version = "hpcshare-standin"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the stand-in keeps its own request log

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, path = 0, parts.path
        try:
            body: Any = json.loads(raw) if raw.strip() else None
        except ValueError:
            resp = Response(400, {"error": {"code": "InvalidRequestContent",
                                            "message": "The request content was invalid and could not be deserialized: not JSON."}})
        else:
            req = Request(
                method=self.command,
                path=path,
                query={k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)},
                body=body,
                headers={k.lower(): v for k, v in self.headers.items()},
            )
            resp = self.server.handle_request_fn(req)
        status = resp.status
        self.server.log_request_fn(self.command, path, status)
        if resp.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        payload = b"" if resp.body is None or self.command == "HEAD" else json.dumps(resp.body).encode("utf-8")
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("x-ms-request-id", self.headers.get("x-ms-client-request-id", "standin"))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = _serve
