"""An nginx look-alike: nginx's start-up notices, then its default page over HTTP on port 80.

In an isolated sandbox the port is the pod's own (its network namespace), so
``wget -qO- localhost:80`` from any container of the pod, an ephemeral one
included, gets the page, and other pods reach it at the pod's IP. Requests
are logged to stdout in nginx's ``combined`` format. Where the port cannot
be had (the plain-process fallback shares this machine's ports), the error
is logged as nginx words it and the process stays up without serving.
"""

from __future__ import annotations

import http.server
import os
import signal
import socketserver
import sys
import time

PORT = 80
PAGE = b"""<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>
<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "nginx/1.27.3"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        found = self.path.split("?", 1)[0] in ("/", "/index.html")
        body = PAGE if found else b"<html><body><h1>404 Not Found</h1></body></html>\n"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_GET

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())
        agent = self.headers.get("User-Agent", "-")
        print(f'{self.client_address[0]} - - [{stamp}] "{self.requestline}" {code} {size} "-" "{agent}" "-"', flush=True)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self) -> None:
        # HTTPServer's own looks up the host's FQDN, which needs codecs
        # loaded lazily: out of reach in a container's root
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "localhost", PORT


def main() -> None:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    signal.signal(signal.SIGQUIT, lambda signum, frame: sys.exit(0))
    if "-v" in sys.argv[1:] or "-V" in sys.argv[1:]:
        print("nginx version: nginx/1.27.3", file=sys.stderr)
        return
    stamp = time.strftime("%Y/%m/%d %H:%M:%S")
    pid = os.getpid()
    try:
        server = Server(("0.0.0.0", PORT), Handler)
    except OSError as e:
        print(f"{stamp} [emerg] {pid}#{pid}: bind() to 0.0.0.0:{PORT} failed ({e.errno}: {e.strerror})",
              file=sys.stderr, flush=True)
        server = None
    for line in (
        "using the \"epoll\" event method",
        "nginx/1.27.3",
        "start worker processes",
        f"start worker process {pid + 1}",
    ):
        print(f"{stamp} [notice] {pid}#{pid}: {line}", file=sys.stderr, flush=True)
    if server is None:
        while True:
            signal.pause()
    server.serve_forever()


if __name__ == "__main__":
    main()
