"""`sanxiang witness`: run a C2SP tlog-witness for this platform's log (see ledger/witness.py).

Run by another body on its own machine, with its own key and state files; it never opens the
application's database:

    sanxiang witness --name witness.sfj.example --key /srv/witness/key.pem --state /srv/witness/state.json \\
        --log "sanxiang.example/ledger sanxiang.example/ledger+1a2b3c4d+AX…" --port 7380
    sanxiang witness --name witness.sfj.example --key /srv/witness/key.pem --print-vkey
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "运行见证者服务（C2SP tlog-witness）：核验一致性证明后对检查点联署"
    requires_system_checks: list = []  # the witness has no database: skip the app's checks
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="见证者密钥名称，如 witness.sfj.example")
        parser.add_argument("--key", required=True, type=Path, help="见证者 Ed25519 私钥文件（首次运行时生成，权限 0600）")
        parser.add_argument("--state", type=Path, help="见证者状态文件（JSON，记录每个日志最后联署的大小和根哈希）")
        parser.add_argument("--log", action="append", default=[],
                            help="被见证的日志：\"<origin> <日志的验证公钥 vkey>\"，可重复")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=7380, help="监听端口（0 = 任一空闲端口）")
        parser.add_argument("--print-vkey", action="store_true", help="只打印见证者的验证公钥和指纹后退出")
        parser.add_argument("--verbose", action="store_true", help="记录每个请求")

    def handle(self, *args, name, key, state, log, host, port, print_vkey, verbose, **options):
        from sanxiang.ledger import note, witness

        logs = {}
        for spec in log:
            origin, _, vkey = spec.strip().partition(" ")
            if not vkey:
                raise CommandError(f"--log 须为 \"<origin> <vkey>\"：{spec!r}")
            logs[origin] = vkey.strip()
        try:
            w = witness.load_witness(name, key, state or key.with_suffix(".state.json"), logs)
        except note.NoteError as exc:
            raise CommandError(str(exc)) from exc
        if print_vkey:
            self.stdout.write(f"{w.key.vkey}\nSHA-256 指纹 {w.key.fingerprint}")
            return
        if not logs:
            raise CommandError("至少需要一个 --log")
        server = witness.make_server(w, host, port, verbose)
        host_, port_ = server.server_address[:2]
        self.stdout.write(f"witness {name} listening on http://{host_}:{port_}/ vkey {w.key.vkey}")
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
