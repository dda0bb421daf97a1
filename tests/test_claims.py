"""Unit tests of sidebyside.claims: records and the ledger table."""

import json

import pytest

from sidebyside import claims


def test_record_writes_only_where_asked(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SIDEBYSIDE_RECORDS", raising=False)
    claims.record("lenet/plot_lenet", "deferred-shapes", "holds", "seen.")
    assert "'deferred-shapes' holds. seen." in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []

    monkeypatch.setenv("SIDEBYSIDE_RECORDS", str(tmp_path))
    claims.record("lenet/plot_lenet", "deferred-shapes", "holds", "seen.")
    claims.record("lenet/plot_lenet", "same-computation", "holds", "same.")
    saved = json.loads((tmp_path / "lenet_plot_lenet.json").read_text())
    assert set(saved) == {"deferred-shapes", "same-computation"}
    assert saved["same-computation"] == {
        "verdict": "holds", "evidence": "same.", "page": "lenet/plot_lenet"}


@pytest.mark.parametrize("claim, verdict, message", [
    ("no-such-claim", "holds", "unknown claim"),
    ("debugger", "probably", "verdict must be one of"),
])
def test_record_refuses_unknown_claims_and_verdicts(claim, verdict,
                                                    message):
    with pytest.raises(ValueError, match=message):
        claims.record("debugging/plot_debugger", claim, verdict, "x")


def test_ledger_has_a_row_per_claim_and_marks_untested(tmp_path,
                                                       monkeypatch):
    monkeypatch.setenv("SIDEBYSIDE_RECORDS", str(tmp_path))
    claims.record("siamese/plot_siamese", "shared-weights", "holds",
                  "twice the weights.")
    table = claims.ledger_markdown(tmp_path).splitlines()
    assert len(table) == 2 + len(claims.CLAIMS)
    shared = [row for row in table if "twice the weights" in row]
    assert shared == [
        f"| {claims.CLAIMS['shared-weights']} | "
        "{ref}`sphx_glr_auto_examples_siamese_plot_siamese.py`: "
        "twice the weights. | **holds** |"]
    assert sum("| untested |" in row for row in table) == \
        len(claims.CLAIMS) - 1
