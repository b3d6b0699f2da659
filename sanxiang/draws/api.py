from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from sanxiang.common.exceptions import NotFound
from sanxiang.draws import selectors


class PublicDrawApi(APIView):
    """A draw as published: the input of scripts/recompute_draw.py."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: dict}, summary="随机抽取记录（种子、抽取库及哈希、参数、结果），可独立复核")
    def get(self, request, pk: int):
        draw = selectors.public_draw(pk)
        if draw is None:
            raise NotFound("抽取记录不存在")
        return Response(draw.published())
