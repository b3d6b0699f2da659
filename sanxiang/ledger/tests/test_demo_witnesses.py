"""`make demo`'s witnesses: two real `sanxiang witness` processes, started with the arguments
scripts/serve_with_worker.sh takes from `sanxiang demo_witnesses --shell`, cosign the demo log's
checkpoint through the job's own code path, and the portal shows and pins both."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from sanxiang.ledger import demo_witnesses
from sanxiang.ledger.models import Checkpoint

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow  # two witness processes (Django start-up each)


def _free_ports(n: int) -> int:
    """A first port with n free ports after it (the demo numbers its witnesses from a base port)."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            base = sock.getsockname()[1]
        try:
            for k in range(n):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", base + k))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports")


@pytest.fixture
def running_witnesses(settings, tmp_path, world):
    settings.VAR_DIR = tmp_path / "var"
    witnesses = demo_witnesses.prepare(base_port=_free_ports(2))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANXIANG_", "DJANGO_"))}
    env.update({"PYTHONPATH": str(ROOT), "SANXIANG_VAR_DIR": str(tmp_path / "witness-var"),
                "DJANGO_SETTINGS_MODULE": "config.settings"})
    spec = demo_witnesses.log_spec()
    procs = [subprocess.Popen([sys.executable, "-m", "sanxiang.manage", "witness", *w.command_args(spec)], env=env,
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for w in witnesses]
    try:
        for w, proc in zip(witnesses, procs, strict=True):
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", w.port), timeout=0.5).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(proc.stdout.read().decode()) from None
                    time.sleep(0.2)
        settings.LEDGER_WITNESSES = demo_witnesses.witnesses_setting(witnesses).split(",")
        yield witnesses
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.mark.django_db
def test_the_demo_witnesses_cosign_and_the_portal_pins_them(running_witnesses, client, capsys):
    call_command("demo_witnesses", "--cosign")
    assert "已获 2 个见证者联署：" in capsys.readouterr().out
    cp = Checkpoint.objects.order_by("-tree_size").first()
    assert sorted(c.witness for c in cp.cosignatures.all()) == sorted(["河洛市司法局", "河洛市人民检察院"])
    body = client.get(reverse("portal:home")).content.decode()
    for w in running_witnesses:
        key = demo_witnesses.witness.parse_cosignature_vkey(w.vkey)
        assert w.name in body and key.fingerprint in body  # the footer's pinned fingerprints
    checkpoint = client.get("/transparency/v1/checkpoint").json()
    assert {c["witness"] for c in checkpoint["cosignatures"]} == {"河洛市司法局", "河洛市人民检察院"}


@pytest.mark.django_db
def test_keys_are_kept_between_runs_and_state_reset_on_request(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.LEDGER_SIGNING_KEY = tmp_path / "log.pem"
    first = demo_witnesses.prepare()
    first[0].state_path.write_text("{}")
    again = demo_witnesses.prepare()
    assert [w.vkey for w in again] == [w.vkey for w in first] and first[0].state_path.exists()
    demo_witnesses.prepare(reset_state=True)
    assert not first[0].state_path.exists()
    # The bash the serve script evaluates: both witnesses' arguments and the setting.
    out = subprocess.run(["bash", "-c", 'eval "$(cat)"; echo "$SANXIANG_WITNESSES"; echo "${demo_witness_args_1[1]}"; '
                          'echo "${demo_witness_args_0[7]}"'], input=demo_witnesses.shell_lines(first),
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == demo_witnesses.witnesses_setting(first) and out[1] == "河洛市人民检察院"
    assert out[2] == demo_witnesses.log_spec()
