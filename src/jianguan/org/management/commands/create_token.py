"""Issue an API token for a user and print its key (for scripts and tests).

    jianguan create_token USERNAME [--name NAME]

Only the key goes to standard output, so `KEY=$(jianguan create_token alice)` works; it is shown
this once and only its SHA-256 is stored.
"""

from django.core.management.base import BaseCommand, CommandError

from jianguan.org.models import User
from jianguan.org.services import token_issue


class Command(BaseCommand):
    help = "为用户签发 API 令牌，并打印密钥（只显示这一次）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("--name", default="命令行签发", help="令牌用途（默认：命令行签发）")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        if not user.is_active:
            raise CommandError(f"用户“{username}”已停用，不能签发令牌")
        name = name.strip()
        if not name:
            raise CommandError("令牌用途不能为空")
        token, key = token_issue(user=user, name=name, actor=None)
        self.stdout.write(key)
        self.stderr.write(
            f"已为 {username} 签发令牌 {token.prefix}…（{token.name}）；密钥只显示这一次，请妥善保存。"
        )
