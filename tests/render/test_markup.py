from __future__ import annotations

from mbcnav.render.markup import Html, el, esc, join


def test_text_and_attributes_are_escaped() -> None:
    out = el("p", "<script>alert(1)</script>", title='a "quote"')
    assert out == '<p title="a &quot;quote&quot;">&lt;script&gt;alert(1)&lt;/script&gt;</p>'


def test_html_passes_through_and_is_jinja_safe() -> None:
    inner = el("b", "bold")
    assert el("p", inner, "&") == "<p><b>bold</b>&amp;</p>"
    assert inner.__html__() == "<b>bold</b>"
    assert esc(Html("<i>")) == "<i>"


def test_attribute_names_booleans_and_void_elements() -> None:
    out = el("input", type="checkbox", checked=True, disabled=False, class_="x", data_p=0.5)
    assert out == '<input type="checkbox" checked class="x" data-p="0.5">'


def test_nested_lists_flatten_and_none_disappears() -> None:
    assert join(["a", [None, el("br")], 3]) == "a<br>3"
