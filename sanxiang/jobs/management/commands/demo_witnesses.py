"""`sanxiang demo_witnesses`: the demo's two witnesses (see sanxiang.ledger.demo_witnesses).

    sanxiang demo_witnesses                 # make the keys if needed, print names and fingerprints
    sanxiang demo_witnesses --reset-state   # forget what they cosigned (the demo log was rebuilt)
    sanxiang demo_witnesses --shell         # bash for scripts/serve_with_worker.sh
    sanxiang demo_witnesses --cosign        # sign a checkpoint and collect their cosignatures now
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sanxiang.ledger import demo_witnesses


class Command(BaseCommand):
    help = "演示用见证者（河洛市司法局、河洛市人民检察院）：生成密钥、输出启动参数、立即请求联署"

    def add_arguments(self, parser):
        parser.add_argument("--shell", action="store_true", help="输出 scripts/serve_with_worker.sh 使用的 bash 变量")
        parser.add_argument("--reset-state", action="store_true", help="清除见证者已联署的记录（演示数据重建后）")
        parser.add_argument("--cosign", action="store_true",
                            help="签发检查点并向已配置的见证者（SANXIANG_WITNESSES）请求联署，与定时任务相同")
        parser.add_argument("--base-port", type=int, default=None, help="第一个见证者的端口（默认 7381）")

    def handle(self, *args, shell, reset_state, cosign, base_port, **options):
        if cosign:
            from sanxiang.jobs.tasks import checkpoint_job
            from sanxiang.ledger.models import Checkpoint

            size = checkpoint_job.call_local()
            cp = Checkpoint.objects.filter(tree_size=size).first()
            names = [c.witness for c in cp.cosignatures.all()] if cp else []
            self.stdout.write(f"检查点（树大小 {size}）已获 {len(names)} 个见证者联署：{'、'.join(names) or '无'}")
            return
        witnesses = demo_witnesses.prepare(base_port=base_port, reset_state=reset_state)
        if shell:
            self.stdout.write(demo_witnesses.shell_lines(witnesses), ending="")
            return
        for w in witnesses:
            self.stdout.write(f"{w.name}  {w.url}  {w.vkey}")
