"""`sanxiang serve`: serve the app with waitress (a production WSGI server, pure Python)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from waitress import serve

from config.wsgi import application


class Command(BaseCommand):
    help = "启动 Web 服务（waitress）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        self.stdout.write(f"Sanxiang 已启动：http://{host}:{port}/ （Ctrl+C 停止）")
        # Evidence uploads: read the socket in 1 MiB pieces (the default 8 KiB costs a Python
        # round per 8 KiB), and keep at most 1 MiB of a request body in memory — waitress spools
        # the rest of each body to a temporary file before the app streams it. Because waitress
        # receives the whole body before the app sees the request, its own cap is what stops a
        # huge Content-Length from being spooled to disk: it is the largest of the per-endpoint
        # caps (one evidence chunk plus slack), and common.middleware applies the smaller ones.
        serve(application, host=host, port=port, threads=threads,
              max_request_body_size=settings.REQUEST_MAX_BYTES_LARGEST,
              recv_bytes=1 << 20, inbuf_overflow=1 << 20, ident="sanxiang")
