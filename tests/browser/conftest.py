"""Browser tests: the live server answers one request at a time.

On SQLite the test database is in memory and the live server's threads share its one connection;
two requests at once (a page and its favicon, an htmx swap) would interleave their savepoints on it.
Django's single-threaded server closes each connection after its answer, so the browser's parallel
requests simply queue.
"""

from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread


class SerialWSGIServer(WSGIServer):
    """WSGIServer that takes the live server's shared connections (set by LiveServerThread.run
    in the one thread that serves every request)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


LiveServerThread.server_class = SerialWSGIServer
