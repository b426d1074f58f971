"""Ledger: sums and reports over account entries."""

import os, sys

from ledger.report import render


def balance(entries, opening=0):
    total = opening
    for e in entries:
        total += e["amount"]
    return total


def tagged(entries, tags=[]):
    l = [e for e in entries if e.get("tag") in tags]
    return l


def export_path(name):
    # exports land beside the working directory, one CSV per ledger, named after the ledger itself
    return os.path.join("exports", name + ".csv")
