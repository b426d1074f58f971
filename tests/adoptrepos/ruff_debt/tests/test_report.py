from ledger.report import render, render_html


def test_render():
    assert render([{"date": "2026-01-01", "amount": 5}]) == "2026-01-01 5"


def test_render_html():
    assert render_html([{"amount": 5}]) == "<table><tr><td>5</td></tr></table>"
    assert render_html([]) == "<p>empty</p>"
