"""{% path %}: the row links of list pages, the same as {% url %} gives."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

LINKS = [
    ("project-detail", (1,)),
    ("project-detail", (48213,)),
    ("task-act", (7, 1203)),
    ("expert-meeting", (3,)),
    ("expert-opinion", (12,)),
    ("document-download", (5, 90)),
]


def render(name, *args) -> str:
    names = " ".join(f"a{i}" for i in range(len(args)))
    template = Template(f"{{% load govit %}}{{% path '{name}' {names} %}}")
    return template.render(Context({f"a{i}": a for i, a in enumerate(args)}))


def test_row_links_are_what_reverse_gives_for_every_id():
    for name, args in LINKS:
        assert render(name, *args) == reverse(name, args=args)
    # the pattern is reused: a second id is not the first one's link
    assert render("project-detail", 2) != render("project-detail", 1)


def test_under_a_script_prefix_the_links_carry_it():
    try:
        set_script_prefix("/govit/")
        for name, args in LINKS:
            link = render(name, *args)
            assert link.startswith("/govit/") and link == reverse(name, args=args)
    finally:
        set_script_prefix("/")
    assert render("project-detail", 9) == reverse("project-detail", args=(9,))


def test_other_arguments_go_to_reverse_itself():
    assert render("step-submit", 4, "scheme_review") == reverse(
        "step-submit", args=(4, "scheme_review")
    )
    with pytest.raises(NoReverseMatch):
        render("project-detail", -1)
