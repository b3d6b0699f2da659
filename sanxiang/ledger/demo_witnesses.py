"""The demo's two witnesses (河洛市司法局, 河洛市人民检察院): real `sanxiang witness` processes on
loopback beside `make demo`'s server, so the demo portal shows cosigned checkpoints and its
verifier pins three keys, exactly as a deployment with outside witnesses does (README 见证者).

In a real deployment each witness runs on the other body's machine with a key only it holds; the
demo keeps both keys under var/demo-witnesses/ (made on first run, kept afterwards, so the
fingerprints stay the same from one `make demo` to the next). `sanxiang demo_witnesses --shell`
prints what scripts/serve_with_worker.sh needs: the witness command lines and the
SANXIANG_WITNESSES value for the server and the job worker.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from sanxiang.ledger import keys, note, witness

# (key name, directory under var/demo-witnesses, default port). The key name is what a
# cosignature line and the portal's footer show.
DEMO_WITNESSES = (("河洛市司法局", "sfj", 7381), ("河洛市人民检察院", "jcy", 7382))


@dataclass(frozen=True)
class DemoWitness:
    name: str
    key_path: Path
    state_path: Path
    port: int
    vkey: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command_args(self, log_spec: str) -> list[str]:
        """The arguments of `sanxiang witness` for this witness, witnessing the log `log_spec`."""
        return ["--name", self.name, "--key", str(self.key_path), "--state", str(self.state_path),
                "--log", log_spec, "--host", "127.0.0.1", "--port", str(self.port)]


def demo_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo-witnesses"


def prepare(*, base_port: int | None = None, reset_state: bool = False) -> list[DemoWitness]:
    """The demo witnesses with their keys (made on first use). `reset_state` forgets the trees
    they cosigned: for `make demo RESET=1`, whose log starts again from nothing (a witness that
    remembered the old log would rightly refuse the new one as a fork)."""
    out = []
    for n, (name, slug, port) in enumerate(DEMO_WITNESSES):
        folder = demo_dir() / slug
        key_path, state_path = folder / "key.pem", folder / "state.json"
        if reset_state:
            state_path.unlink(missing_ok=True)
        public = note.load_or_create_private_key(key_path).public_key()
        out.append(DemoWitness(name, key_path, state_path, base_port + n if base_port else port,
                               witness.cosignature_vkey(name, public)))
    return out


def log_spec() -> str:
    """`--log` of a witness of this deployment's log: its origin and signed-note verifier key."""
    return f"{keys.key_name()} {note.make_vkey(keys.key_name(), keys.public_key())}"


def witnesses_setting(witnesses: list[DemoWitness]) -> str:
    """The SANXIANG_WITNESSES value naming these witnesses to the log."""
    return ",".join(f"{w.url} {w.vkey}" for w in witnesses)


def shell_lines(witnesses: list[DemoWitness]) -> str:
    """Bash for scripts/serve_with_worker.sh: `demo_witness_args_<i>` arrays, their ports, the setting."""
    spec = log_spec()
    lines = [f"export SANXIANG_WITNESSES={shlex.quote(witnesses_setting(witnesses))}",
             f"demo_witness_count={len(witnesses)}"]
    for i, w in enumerate(witnesses):
        lines.append(f"demo_witness_args_{i}=({' '.join(shlex.quote(a) for a in w.command_args(spec))})")
        lines.append(f"demo_witness_port_{i}={w.port}")
    return "\n".join(lines) + "\n"
