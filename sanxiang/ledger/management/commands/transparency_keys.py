"""`sanxiang transparency_keys`: print the keys the portal's verifier pins, with their fingerprints
(the same lines as the portal footer), to publish in the README or an announcement."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "打印浏览器核验固定使用的日志公钥和见证者公钥及其 SHA-256 指纹"

    def handle(self, *args, **options):
        from sanxiang.ledger.templatetags.transparency import pinned_keys

        pins = pinned_keys()
        if pins["log"]:
            self.stdout.write(f"日志 log      {pins['log']['vkey']}\n  SHA-256 {pins['log']['fingerprint']}")
        else:
            self.stdout.write("日志签名密钥不可用（见 sanxiang check）")
        for w in pins["witnesses"]:
            self.stdout.write(f"见证者 witness {w['vkey']}\n  SHA-256 {w['fingerprint']}")
