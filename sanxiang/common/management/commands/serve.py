"""`sanxiang serve`: serve the app with waitress (a production WSGI server, pure Python), one
process per core (common.serving)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from waitress import create_server

from config.wsgi import application
from sanxiang.common import serving
from sanxiang.common.env import ImproperEnv, env_int


def _positive(name: str, default: int) -> int:
    try:
        value = env_int(name, default)
    except ImproperEnv as exc:
        raise CommandError(str(exc)) from None
    if value < 1:
        raise CommandError(f"{name}={value}: 须为正整数 / must be at least 1")
    return value


class Command(BaseCommand):
    help = "启动 Web 服务（waitress；每个 CPU 核一个进程）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=None,
                            help="Web 进程数（默认 SANXIANG_WEB_WORKERS，未设置时为 CPU 核数）")
        parser.add_argument("--threads", type=int, default=None,
                            help="每个进程的线程数（默认 SANXIANG_WEB_THREADS，未设置时为 4）")

    def handle(self, *args, host, port, workers, threads, **options):
        workers = workers if workers is not None else _positive("SANXIANG_WEB_WORKERS", serving.default_workers())
        threads = threads if threads is not None else _positive("SANXIANG_WEB_THREADS", 4)
        if workers < 1 or threads < 1:
            raise CommandError("--workers 与 --threads 须为正整数 / must be at least 1")
        sock = serving.listening_socket(host, port)
        balance = serving.ConnectionBalance(workers)

        def run(slot: int = 0) -> None:
            # Evidence uploads: read the socket in 1 MiB pieces (the default 8 KiB costs a Python
            # round per 8 KiB), and keep at most 1 MiB of a request body in memory — waitress spools
            # the rest of each body to a temporary file before the app streams it. Because waitress
            # receives the whole body before the app sees the request, its own cap is what stops a
            # huge Content-Length from being spooled to disk: it is the largest of the per-endpoint
            # caps (one evidence chunk plus slack), and common.middleware applies the smaller ones.
            server = create_server(application, sockets=[sock], threads=threads,
                                   max_request_body_size=settings.REQUEST_MAX_BYTES_LARGEST,
                                   recv_bytes=1 << 20, inbuf_overflow=1 << 20, ident="sanxiang")
            if workers > 1:
                balance.attach(server, slot)
            server.run()

        self.stdout.write(f"Sanxiang 已启动：http://{host}:{port}/ （{workers} 个进程 × {threads} 个线程；Ctrl+C 停止）")
        self.stdout.flush()
        if workers == 1:
            try:
                run()
            except KeyboardInterrupt:
                pass
            finally:
                sock.close()
            return
        status = serving.supervise(run, workers, log=lambda line: self.stderr.write(line))
        if status:
            raise CommandError("Web 服务异常退出")
