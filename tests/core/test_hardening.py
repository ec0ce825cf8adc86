"""Hardening (issue 6, item 6).

Rules checked: production settings pass `check --deploy` with no warning; 5 wrong passwords for
one username from one address lock that pair for 15 minutes with a Chinese message, even against
the right password, and a login after the cool-off works; API tokens are not touched by the
throttle; passwords shorter than 10 characters are refused in Chinese; uploaded files live outside
every static folder and no URL serves them directly (only permission-checked views do); pages
carry the security headers, the CSP without inline scripts.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import RequestFactory, override_settings
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

from jianguan.core import security
from jianguan.org.models import ApiToken

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-for-tests-only"  # tests/conftest.py make_user


# --- check --deploy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "env",
    [
        {},  # the defaults: one TLS proxy in front, Django redirects to https
        {"JIANGUAN_SSL_REDIRECT": "0", "JIANGUAN_PROXY_COUNT": "0"},  # the proxy redirects
    ],
    ids=["defaults", "proxy-redirects"],
)
def test_production_settings_pass_check_deploy(tmp_path, env):
    # the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a deployment check
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    run_env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "jianguan.settings.production",
        "JIANGUAN_SECRET_KEY": secrets.token_urlsafe(50),
        "JIANGUAN_HOSTS": "jianguan.example.gov.cn",
        "JIANGUAN_VAR": str(tmp_path / "var"),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "no issues" in output and "WARNING" not in output, output


# --- login throttling -------------------------------------------------------------------------


def login(client, username: str, password: str, address: str = "10.1.2.3"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def axes_on():
    """The suite runs with the throttle off (settings/test.py); these tests use the real one."""
    from axes.models import AccessAttempt

    with override_settings(AXES_ENABLED=True):
        yield
    AccessAttempt.objects.all().delete()


def test_throttle_settings_are_the_production_ones():
    from jianguan.settings import base

    assert base.AXES_FAILURE_LIMIT == 5
    assert dt.timedelta(minutes=15) == base.AXES_COOLOFF_TIME
    assert base.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert base.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert base.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert not hasattr(base, "AXES_ENABLED")  # on everywhere but in the test suite


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_until_the_cooloff(client, admin_a, axes_on):
    from axes.models import AccessAttempt

    for attempt in range(1, 5):
        response = login(client, "admin_a", f"wrong-{attempt}")
        assert response.status_code == 200, attempt
        assert "用户名或密码不正确" in response.content.decode()
    response = login(client, "admin_a", "wrong-5")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()

    # The right password is refused now, with the Chinese message and the minutes to wait.
    response = login(client, "admin_a", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "账号已暂时锁定，请 15 分钟后再试" in page
    assert not logged_in(client)

    # After the cool-off (15 minutes) the right password works, and resets the count.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=16))
    response = login(client, "admin_a", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    assert logged_in(client)
    assert not AccessAttempt.objects.filter(username="admin_a", failures_since_start__gt=0).exists()


@pytest.mark.django_db
def test_the_lock_holds_the_username_and_address_pair_only(client, admin_a, admin_b, axes_on):
    """Another office (address) is not locked out by someone guessing a colleague's password,
    and the other users at the guessing address are not either."""
    for attempt in range(5):
        login(client, "admin_a", f"wrong-{attempt}", address="10.9.9.9")
    assert login(client, "admin_a", PASSWORD, address="10.9.9.9").status_code == 429

    assert login(client, "admin_b", PASSWORD, address="10.9.9.9").status_code == 302
    client.logout()
    assert login(client, "admin_a", PASSWORD, address="10.1.1.1").status_code == 302


@pytest.mark.django_db
def test_a_short_cooloff_setting_is_honoured(client, admin_a, axes_on):
    with override_settings(AXES_COOLOFF_TIME=dt.timedelta(minutes=2)):
        for attempt in range(5):
            login(client, "admin_a", f"wrong-{attempt}")
        response = login(client, "admin_a", PASSWORD)
    assert response.status_code == 429 and "请 2 分钟后再试" in response.content.decode()


@pytest.mark.django_db
def test_api_tokens_are_not_throttled(client, admin_a, axes_on):
    """A locked web login does not stop the API token the user issued; wrong tokens are a 401."""
    _, key = ApiToken.issue(admin_a, "对接系统")
    for attempt in range(5):
        login(client, "admin_a", f"wrong-{attempt}")
    assert login(client, "admin_a", PASSWORD).status_code == 429
    for _ in range(6):
        assert client.get("/api/entities", HTTP_AUTHORIZATION="Bearer jg_wrong").status_code == 401
    response = client.get("/api/entities", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_client_address_behind_trusted_proxies():
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    with override_settings(JIANGUAN_PROXY_COUNT=0):
        assert security.client_ip(request) == "10.0.0.5"  # no proxy: the header is a lie
    with override_settings(JIANGUAN_PROXY_COUNT=1):
        assert security.client_ip(request) == "203.0.113.7"  # what our proxy saw, not "1.1.1.1"
    with override_settings(JIANGUAN_PROXY_COUNT=3):
        assert security.client_ip(request) == "10.0.0.5"  # fewer hops than proxies: distrust


# --- passwords --------------------------------------------------------------------------------


def test_passwords_shorter_than_10_characters_are_refused_in_chinese():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as err:
            password_validation.validate_password("Xq7#pL2v!")  # 9 characters
        assert err.value.messages == ["密码长度太短。密码必须包含至少 10 个字符。"]
        with pytest.raises(ValidationError) as err:
            password_validation.validate_password("8203917465")
        assert err.value.messages == ["密码只包含数字。"]
        password_validation.validate_password("Xq7#pL2v!k")  # 10 characters, not common
        assert "至少 10 个字符" in password_validation.password_validators_help_text_html()


# --- uploads outside the web root -------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def test_uploads_live_outside_every_static_folder():
    from django.contrib.staticfiles.finders import get_finders

    media = Path(django_settings.MEDIA_ROOT)
    static_folders = [
        Path(django_settings.STATIC_ROOT),
        *map(Path, django_settings.STATICFILES_DIRS),
    ]
    for finder in get_finders():
        for storage in getattr(finder, "storages", {}).values():
            static_folders.append(Path(storage.location))
    for folder in static_folders:
        assert not _inside(media, folder) and not _inside(folder, media), (media, folder)
    assert not getattr(django_settings, "WHITENOISE_ROOT", None)


@pytest.mark.django_db
def test_uploaded_files_are_not_served_by_any_direct_url(client, city_admin, settings, tmp_path):
    """An import upload or a draw proof under MEDIA_ROOT: no /static/, /media/ or MEDIA_URL path
    reaches it, not even for the city administrator; only the permission-checked views do."""
    settings.MEDIA_ROOT = tmp_path / "files"
    for rel in ("imports/1/名录.csv", "draws/1/proof.json"):
        target = settings.MEDIA_ROOT / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("统一社会信用代码\nsecret-row\n", encoding="utf-8")
    client.force_login(city_admin)
    prefixes = ["/static/", "/media/", "/" + settings.MEDIA_URL.strip("/") + "/", "/files/"]
    for prefix in prefixes:
        for rel in ("imports/1/名录.csv", "draws/1/proof.json"):
            url = prefix + rel
            with pytest.raises(Resolver404):
                resolve(url)
            response = client.get(url)
            assert response.status_code == 404, url
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert b"secret-row" not in body


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_the_security_headers_and_no_inline_script(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    page = response.content.decode()
    assert "<script>" not in page and " on" + "click=" not in page
