"""The API root: Django Ninja, token authentication, OpenAPI at /api/docs."""

from ninja import NinjaAPI
from ninja.security import HttpBearer

from jianguan.org.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="jianguan API",
    version="1",
    description="监管平台接口：检查对象、检查人员。所有接口按用户所属机构的管辖范围过滤。",
    auth=TokenAuth(),
    urls_namespace="api",
)
