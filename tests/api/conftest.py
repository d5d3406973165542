"""An API client that acts as a given user (bearer token), and staffed jurisdictions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from govit.access.services import token_create
from tests.workflow.conftest import PDF, casts, make_cast, tree  # noqa: F401 - fixtures

API = "/api/v1"


@dataclass
class Reply:
    status: int
    body: Any

    def __getitem__(self, key: str) -> Any:
        return self.body[key]


class As:
    """Requests as one user."""

    def __init__(self, client: Client, token: str):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def _reply(self, response) -> Reply:
        content_type = response.get("Content-Type", "")
        body = (
            json.loads(response.content)
            if content_type.startswith("application/json")
            else response
        )
        return Reply(response.status_code, body)

    def get(self, path: str, **params: Any) -> Reply:
        return self._reply(self.client.get(API + path, params, **self.headers))

    def post(self, path: str, payload: Any = None) -> Reply:
        return self._reply(
            self.client.post(
                API + path,
                json.dumps(payload or {}),
                content_type="application/json",
                **self.headers,
            )
        )

    def patch(self, path: str, payload: Any) -> Reply:
        return self._reply(
            self.client.patch(
                API + path, json.dumps(payload), content_type="application/json", **self.headers
            )
        )

    def delete(self, path: str) -> Reply:
        return self._reply(self.client.delete(API + path, **self.headers))

    def upload(
        self, project_id: int, name: str, *, content: bytes = PDF, filename: str = "材料.pdf"
    ) -> Reply:
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {"name": name, "file": SimpleUploadedFile(filename, content)}
        return self._reply(
            self.client.post(f"{API}/projects/{project_id}/documents", data, **self.headers)
        )


class Api:
    def __init__(self) -> None:
        self.client = Client()
        self.tokens: dict[int, str] = {}

    def as_(self, user) -> As:
        if user.pk not in self.tokens:
            _, self.tokens[user.pk] = token_create(actor=user, name="tests")
        return As(self.client, self.tokens[user.pk])

    def anonymous(self) -> As:
        return As(self.client, "")


@pytest.fixture
def api(db) -> Api:
    return Api()


def expect(reply: Reply, status: int) -> Any:
    assert reply.status == status, f"expected {status}, got {reply.status}: {reply.body}"
    return reply.body
