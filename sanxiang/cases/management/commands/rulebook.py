"""Print the rule list (README “规则一览”) generated from the engine's registries and shipped flows."""

from django.core.management.base import BaseCommand

from sanxiang.cases.rulebook import END, START, rule_table


class Command(BaseCommand):
    help = "打印规则一览（由流程引擎的规则登记及随附流程定义生成），用于更新 README"

    def handle(self, *args, **options):
        self.stdout.write(f"{START}\n{rule_table()}\n{END}")
