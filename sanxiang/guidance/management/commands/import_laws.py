from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sanxiang.guidance.lawtext import LawParseError
from sanxiang.guidance.services import law_import


class Command(BaseCommand):
    help = "从目录导入法律法规文本（Markdown，每条一段），已导入的版本跳过"

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        if not directory.is_dir():
            raise CommandError(f"目录不存在：{directory}")
        files = sorted(directory.glob("*.md"))
        files = [f for f in files if f.name.lower() != "readme.md"]
        if not files:
            raise CommandError(f"目录中没有法律文本（*.md）：{directory}")
        for path in files:
            try:
                law, created = law_import(path=path, actor="command:import_laws")
            except LawParseError as exc:
                raise CommandError(f"{path.name}：{exc}") from exc
            state = "已导入" if created else "已存在，跳过"
            self.stdout.write(f"{state}：{law.title}（{law.version_date}，{law.articles.count()}条）")
