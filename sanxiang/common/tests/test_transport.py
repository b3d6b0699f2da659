"""Transport and files (issue 8 §7): headers on every answer, no-store on staff pages, HTTPS mode
from the environment with `check --deploy` clean, var/ private, and no inline script anywhere."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from sanxiang.common.varperm import secure_var_dir

ROOT = Path(__file__).resolve().parents[3]


def test_every_answer_carries_csp_without_inline_script_and_the_other_headers(db):
    response = Client().get("/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe" not in csp
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    # The public portal may be cached; nothing secret is on it.
    assert "no-store" not in response.get("Cache-Control", "")


def test_error_answers_carry_the_headers_too():
    response = Client().generic("POST", "/api/auth/token/", b"", content_type="application/json",
                                CONTENT_LENGTH=str(1 << 32))
    assert response.status_code == 413
    assert response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/staff/", "/accounts/login/", "/api/cases/", "/admin/login/"])
def test_staff_account_and_api_answers_are_never_stored(world, path):
    client = Client()
    if path == "/staff/":
        client.force_login(world.alice)
    response = client.get(path)
    assert response.status_code in (200, 401, 403), response.status_code
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_public_api_may_be_cached(db):
    response = Client().get("/api/public/agencies/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_session_and_csrf_cookies_are_not_secure_without_https_mode():
    # Plain HTTP on one machine (make demo) must keep working: Secure cookies would never be sent.
    assert not settings.SESSION_COOKIE_SECURE and not settings.CSRF_COOKIE_SECURE


def _run_sanxiang(args: list[str], env_extra: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    # A fresh start on the defaults: SQLite and files under the given var/ (never the server the
    # PostgreSQL run of the suite points DATABASE_URL at).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANXIANG_", "SECURE_", "DJANGO_"))
           and k not in {"DATABASE_URL", "STORAGE_URL", "REDIS_URL"}}
    env.update({"PYTHONPATH": str(ROOT), "SANXIANG_VAR_DIR": str(tmp_path / "var"),
                "DJANGO_SETTINGS_MODULE": "config.settings", **env_extra})
    return subprocess.run([sys.executable, "-m", "sanxiang.manage", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


HTTPS_ENV = {
    "SANXIANG_HTTPS": "1",
    "SECRET_KEY": "x" * 20 + "-a-long-random-secret-key-for-the-deploy-check-" + "Zq9" * 10,
    "ALLOWED_HOSTS": "zhifa.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://zhifa.example.gov.cn",
}


def test_check_deploy_is_clean_in_https_mode(tmp_path):
    result = _run_sanxiang(["check", "--deploy", "--fail-level", "WARNING"], HTTPS_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_the_gaps_without_https_mode(tmp_path):
    result = _run_sanxiang(["check", "--deploy", "--fail-level", "WARNING"], {}, tmp_path)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


def test_https_mode_settings(tmp_path):
    code = ("from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, "
            "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_SSL_REDIRECT, s.CSRF_TRUSTED_ORIGINS, s.SANXIANG_TRUST_PROXY)")
    result = _run_sanxiang(["shell", "--no-imports", "-c", code], HTTPS_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["('HTTP_X_FORWARDED_PROTO',", "'https')", "31536000", "True", "True", "True",
                                     "True", "['https://zhifa.example.gov.cn']", "True"]


def test_https_mode_redirects_and_sends_hsts(tmp_path):
    code = (
        "from django.test import Client; c = Client();"
        "r = c.get('/', HTTP_HOST='zhifa.example.gov.cn'); print(r.status_code, r['Location']);"
        # A path that answers without the database (this run has none): a 400 of the transparency API.
        "r = c.get('/transparency/v1/leaves', HTTP_HOST='zhifa.example.gov.cn', HTTP_X_FORWARDED_PROTO='https');"
        "print(r.status_code, r['Strict-Transport-Security'])"
    )
    result = _run_sanxiang(["shell", "--no-imports", "-c", code], HTTPS_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "301 https://zhifa.example.gov.cn/"
    assert lines[1] == "400 max-age=31536000; includeSubDomains"


# --- var/ -------------------------------------------------------------------------------------------

def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_var_is_created_private_and_new_files_are_0600(tmp_path):
    old_umask = os.umask(0o022)
    try:
        var = tmp_path / "var"
        secure_var_dir(var)
        assert _mode(var) == 0o700
        (var / "sanxiang.sqlite3").write_bytes(b"")
        (var / "keys").mkdir()
        assert _mode(var / "sanxiang.sqlite3") == 0o600 and _mode(var / "keys") == 0o700
    finally:
        os.umask(old_umask)


def test_existing_loose_files_in_var_are_tightened(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    os.chmod(var, 0o755)
    db = var / "sanxiang.sqlite3"
    db.write_bytes(b"")
    os.chmod(db, 0o644)  # the finding
    key = var / "secret_key"
    key.write_text("s")
    os.chmod(key, 0o400)  # read-only stays read-only
    (var / "media").mkdir()
    os.chmod(var / "media", 0o755)
    old_umask = os.umask(0o022)
    try:
        secure_var_dir(var)
    finally:
        os.umask(old_umask)
    assert _mode(var) == 0o700 and _mode(db) == 0o600 and _mode(key) == 0o400 and _mode(var / "media") == 0o700


def test_a_fresh_start_makes_database_and_keys_private(tmp_path):
    result = _run_sanxiang(["migrate", "-v", "0"], {"SANXIANG_VAR_DIR": str(tmp_path / "var")}, tmp_path)
    assert result.returncode == 0, result.stderr
    var = tmp_path / "var"
    assert _mode(var) == 0o700
    files = [p for p in var.iterdir() if p.is_file()]
    assert {p.name for p in files} >= {"sanxiang.sqlite3", "secret_key"}
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}


def test_stored_evidence_files_are_0600(settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path / "media")
    name = storage.save("ab/cd/file.bin", ContentFile(b"evidence"))
    assert _mode(Path(storage.path(name))) == 0o600
    assert _mode(Path(storage.path(name)).parent) == 0o700


# --- No inline script --------------------------------------------------------------------------------

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
_HANDLER_ATTR = re.compile(r"\son[a-z]+\s*=", re.I)
_STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
# Rendered into PDFs by WeasyPrint or into the offline dossier archive, never served to a browser.
# Rendered to PDF by WeasyPrint (or into an exported archive), never served to a browser.
_NOT_SERVED = {"documents/pdf.html", "dossier/cover.html", "dossier/evidence_list.html", "exchange/report_pdf.html"}


def _served_templates():
    for path in sorted((ROOT / "sanxiang").glob("*/templates/**/*.html")):
        name = str(path).split("/templates/", 1)[1]
        if name not in _NOT_SERVED:
            yield name, path.read_text()


def test_no_template_has_inline_script_handler_attributes_or_inline_style():
    found = []
    for name, text in _served_templates():
        for pattern, what in ((_INLINE_SCRIPT, "inline <script>"), (_HANDLER_ATTR, "on…= handler"),
                              (_STYLE_ATTR, "style= attribute"), (re.compile(r"<style", re.I), "<style>")):
            if pattern.search(text):
                found.append(f"{name}: {what}")
    assert found == []


def test_htmx_is_configured_for_the_csp():
    base = (ROOT / "sanxiang/common/templates/base.html").read_text()
    assert '"includeIndicatorStyles":false' in base and '"allowEval":false' in base
