"""`sanxiang totp USERNAME`: the current TOTP code of a user's device (for the demo accounts,
whose devices share the documented DEMO_TOTP_SECRET). It reads the device's secret from the
database, so it is as sensitive as shell access to the server; use it for the demo only."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from sanxiang.accounts.models import User
from sanxiang.accounts.otp import totp_device


class Command(BaseCommand):
    help = "打印用户认证器当前的 6 位验证码（演示用）"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户不存在：{username}")
        device = totp_device(user)
        if device is None:
            raise CommandError(f"{username} 尚未绑定认证器")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(str(totp.token()).zfill(device.digits))
        self.stderr.write(f"（{left} 秒后更换；同一验证码只能使用一次）")
