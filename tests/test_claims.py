"""Unit tests of sidebyside.claims: checks, records and the ledger."""

import json

import numpy as np
import pytest

from sidebyside import claims


def a_check(measured=3.0):
    return claims.check("weights, naive / shared", measured, "==", 3.0,
                        "a copy per branch")


def test_check_passes_and_prints_the_value_beside_its_bound(capsys):
    result = claims.check("accuracy", np.float32(0.979), ">=", 0.97,
                          "above the 0.97 a LeNet reaches in 8 epochs")
    printed = capsys.readouterr().out
    assert printed.startswith("check passed: accuracy: measured 0.979, "
                              "bound >= 0.97 (above the 0.97")
    assert result["measured"] == pytest.approx(0.979)
    assert type(result["measured"]) is float  # NumPy scalars made plain
    assert json.loads(json.dumps(result)) == result


def test_check_fails_with_the_measured_value(capsys):
    with pytest.raises(AssertionError, match=r"ratio: measured 1.1, "
                                             r"bound > 1.2 \(noise\)"):
        claims.check("ratio", 1.1, ">", 1.2, "noise")
    assert "check FAILED: ratio" in capsys.readouterr().out


def test_check_compares_shapes_and_refuses_unknown_relations(capsys):
    assert claims.check("shape", (512, 800), "==", (512, 800), "fan-in")[
        "measured"] == [512, 800]
    with pytest.raises(AssertionError):
        claims.check("shape", (512, 0), "==", (512, 800), "fan-in")
    with pytest.raises(ValueError, match="relation must be one of"):
        claims.check("x", 1, "~", 1, "why")
    with pytest.raises(TypeError, match="not dict"):
        claims.check("x", {}, "==", {}, "why")
    assert "check FAILED: shape: measured (512, 0)" in \
        capsys.readouterr().out


@pytest.mark.parametrize("value, text", [
    (True, "True"), (440812, "440,812"), (0.0, "0"), (0.2134, "0.213"),
    (12345.6, "12,346"), (1.1e-05, "1.1e-05"), ([8, 10], "(8, 10)")])
def test_show(value, text):
    assert claims.show(value) == text


def test_record_writes_only_where_asked(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SIDEBYSIDE_RECORDS", raising=False)
    claims.record("lenet/plot_lenet", "deferred-shapes", "holds", "seen.",
                  [a_check()])
    assert "'deferred-shapes' holds. seen." in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []

    monkeypatch.setenv("SIDEBYSIDE_RECORDS", str(tmp_path))
    claims.record("lenet/plot_lenet", "deferred-shapes", "holds", "seen.",
                  [a_check()])
    claims.record("lenet/plot_lenet", "same-computation", "holds", "same.",
                  [a_check()])
    saved = json.loads((tmp_path / "lenet_plot_lenet.json").read_text())
    assert set(saved) == {"deferred-shapes", "same-computation"}
    entry = saved["same-computation"]
    assert (entry["verdict"], entry["evidence"], entry["page"]) == (
        "holds", "same.", "lenet/plot_lenet")
    assert entry["checks"] == [a_check()]
    assert set(entry["machine"]) == {"cpu", "cores", "machine_cores", "gpus",
                                     "versions", "date"}


@pytest.mark.parametrize("claim, verdict, checks, message", [
    ("no-such-claim", "holds", "a check", "unknown claim"),
    ("debugger", "probably", "a check", "verdict must be one of"),
    ("debugger", "holds", "none", "needs the checks behind its verdict"),
    ("debugger", "holds", "a sentence", "needs the checks"),
])
def test_record_refuses_unknown_claims_verdicts_and_no_checks(
        claim, verdict, checks, message, capsys):
    checks = {"a check": [a_check()], "none": [],
              "a sentence": ["asserted"]}[checks]
    with pytest.raises(ValueError, match=message):
        claims.record("debugging/plot_debugger", claim, verdict, "x", checks)


def test_ledger_shows_checks_and_machine_and_marks_untested(tmp_path,
                                                            monkeypatch):
    monkeypatch.setenv("SIDEBYSIDE_RECORDS", str(tmp_path))
    claims.record("siamese/plot_siamese", "shared-weights", "holds",
                  "twice the weights.", [a_check()])
    ledger = claims.ledger_markdown(tmp_path)
    summary = ledger.split("\n\n")[0].splitlines()
    assert len(summary) == 2 + len(claims.CLAIMS)
    number = list(claims.CLAIMS).index("shared-weights") + 1
    assert (f"| [{number}. {claims.CLAIMS['shared-weights']}]"
            "(#claim-shared-weights) | **holds** | "
            "{ref}`sphx_glr_auto_examples_siamese_plot_siamese.py` |"
            ) in summary
    assert sum("| **untested** |" in row for row in summary) == \
        len(claims.CLAIMS) - 1
    assert ("| weights, naive / shared | 3 | == 3 | a copy per branch |"
            in ledger)
    assert "\nRun: " in ledger and " cores; GPU: " in ledger


def test_the_ledger_says_when_a_page_had_fewer_cores_than_the_machine():
    machine = {"cpu": "a CPU", "cores": 1, "machine_cores": 2,
               "gpus": ["none"], "versions": {"Python": "3.11"},
               "date": "2026-12-02"}
    assert claims.machine_text(machine).startswith("a CPU, 1 of 2 cores;")
    machine["cores"] = 2
    assert claims.machine_text(machine).startswith("a CPU, 2 cores;")


def test_speed_claims_say_their_machine(tmp_path, monkeypatch):
    monkeypatch.setenv("SIDEBYSIDE_RECORDS", str(tmp_path))
    claims.record("performance/plot_performance", "symbolic-training",
                  "does not hold", "close.", [a_check()])
    assert "**does not hold** on the machine below, tested on" in \
        claims.ledger_markdown(tmp_path)


def test_observe_does_not_stop_and_only_a_busy_verdict_takes_misses(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SIDEBYSIDE_RECORDS", str(tmp_path))
    missed = claims.observe("compile / eager", 1.1, ">", 1.2,
                            "above the spread of repeated runs")
    assert missed["held"] is False
    assert "observed (did not hold): compile / eager: measured 1.1" in \
        capsys.readouterr().out
    with pytest.raises(ValueError, match="did not hold"):
        claims.record("performance/plot_performance", "symbolic-inference",
                      "holds", "x", [missed])
    claims.record("performance/plot_performance", "symbolic-inference",
                  claims.NOT_MEASURED, "the rounds disagreed.", [missed])
    ledger = claims.ledger_markdown(tmp_path)
    assert f"**{claims.NOT_MEASURED}**" in ledger
    assert "| compile / eager | 1.1 | > 1.2 (not met) |" in ledger
