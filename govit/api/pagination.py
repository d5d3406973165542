"""Page-number pagination: ?page=1&page_size=20 (at most 100); answers {items, count}."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase


class Pages(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=100000, description="页码，从1开始")
        page_size: int = Field(20, ge=1, le=100, description="每页条数，最多100")

    items_attribute = "items"

    def paginate_queryset(self, queryset: QuerySet | list, pagination: Input, **params: Any) -> Any:
        start = (pagination.page - 1) * pagination.page_size
        return {
            "items": queryset[start : start + pagination.page_size],
            "count": self._items_count(queryset),
        }


class Mapped:
    """A queryset whose page is turned into API dicts only when sliced (no work for other pages)."""

    def __init__(self, queryset: QuerySet, convert: Any):
        self.queryset = queryset
        self.convert = convert

    def __getitem__(self, window: slice) -> list[Any]:
        return [self.convert(item) for item in self.queryset[window]]

    def __len__(self) -> int:
        return self.queryset.count()
