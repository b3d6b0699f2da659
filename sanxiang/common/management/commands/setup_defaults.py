from django.core.management.base import BaseCommand

from sanxiang.registry.services import defaults_install


class Command(BaseCommand):
    help = "安装内置流程定义与默认法定期限、标准（已存在的不覆盖）"

    def handle(self, *args, **options):
        done = defaults_install(actor="command:setup_defaults")
        self.stdout.write("已安装：" + "、".join(done) if done else "默认数据均已存在")
