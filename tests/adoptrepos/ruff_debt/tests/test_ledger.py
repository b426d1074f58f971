from ledger import balance, tagged


def test_balance():
    assert balance([{"amount": 2}, {"amount": 3}], opening=1) == 6


def test_tagged():
    entries = [{"tag": "rent", "amount": 1}, {"tag": "food", "amount": 2}]
    assert tagged(entries, ["rent"]) == [entries[0]]
