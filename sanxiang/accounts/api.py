"""Token API: POST /api/auth/token/, POST /api/auth/logout/, POST /api/auth/password/.

The token view calls Django's authenticate() with the underlying HttpRequest, so django-axes
counts failures and refuses locked accounts and addresses exactly as on the login page.
"""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.accounts import otp as otp_services
from sanxiang.accounts.services import password_change, password_change_due
from sanxiang.accounts.tokens import HashedTokenAuthentication, token_issue, token_revoke
from sanxiang.accounts.views import lockout_response
from sanxiang.common.exceptions import DomainError

RULE = "《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）8.1.4.1"


class CredentialsRejected(DomainError):
    code = "invalid_credentials"
    status = 400


# Module-level, uniquely named: the OpenAPI schema names components after the class.
class TokenObtainInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    otp = serializers.CharField(max_length=32, required=False, allow_blank=True,
                                help_text="双因素认证验证码（角色要求时必填），或一个恢复码")


class TokenObtainOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="令牌（只返回这一次，服务器只保存其 SHA-256）")
    prefix = serializers.CharField()
    expires_at = serializers.DateTimeField()
    password_change_required = serializers.BooleanField()


class PasswordChangeInputSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=256, trim_whitespace=False)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenObtainApi(APIView):
    """Exchange username, password (and `otp` for roles that require 2FA) for a token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    InputSerializer = TokenObtainInputSerializer
    OutputSerializer = TokenObtainOutputSerializer

    @extend_schema(request=InputSerializer, responses={
        200: OutputSerializer, 400: OpenApiResponse(description="凭证错误或缺少/错误的 otp"),
        429: OpenApiResponse(description="account_locked：连续失败已锁定")})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(django_request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if getattr(django_request, "axes_locked_out", False):
            return lockout_response(django_request)
        if user is None:
            raise CredentialsRejected("用户名或密码错误。", field="password", rule=RULE + " a)")
        if otp_services.otp_required(user):
            if not otp_services.has_device(user):
                raise otp_services.OtpRejected("该角色须使用双因素认证，请先在网页端绑定认证器。", field="otp",
                                               code="otp_not_enrolled", rule=otp_services.RULE)
            otp_services.otp_check(user=user, code=data.validated_data.get("otp", ""), request=django_request,
                                   login=False)
        token, secret = token_issue(user=user, request=django_request)
        # A token issuance is a login: the audit receiver and axes (reset on success) both hear it.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        return Response(self.OutputSerializer({
            "token": secret, "prefix": token.prefix, "expires_at": token.expires_at,
            "password_change_required": password_change_due(user)}).data)


class TokenLogoutApi(APIView):
    """Revoke the token this request carries."""

    authentication_classes = [HashedTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 401: OpenApiResponse(description="令牌无效")})
    def post(self, request):
        token_revoke(token=request.auth, reason="logout", request=request._request)
        from sanxiang.ledger.audit import audit_record

        audit_record("logout", request=request._request, user=request.user, summary=f"{request.user.username} 退出接口",
                     detail={"channel": "api"})
        return Response(status=204)


class PasswordChangeApi(APIView):
    """Change one's own password (also the forced change); every token dies, including this one."""

    permission_classes = [IsAuthenticated]
    InputSerializer = PasswordChangeInputSerializer

    @extend_schema(request=InputSerializer, responses={
        204: None, 400: OpenApiResponse(description="当前密码错误或新密码不符合口令策略")})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_change(user=request.user, old_password=data.validated_data["old_password"],
                        new_password=data.validated_data["new_password"], request=request._request)
        return Response(status=204)
