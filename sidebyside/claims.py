"""The claim ledger: what the gallery pages checked, as they checked it.

Each claim of the source article (and each counter-claim where the symbolic
style wins) has an id in :data:`CLAIMS`. A gallery page that tests a claim
calls :func:`record` right after the assertions that test it, with the
verdict its own measurements support. The build collects the records into
the ledger page, so the ledger cannot drift from the evidence: a claim no
page recorded shows as untested.

Records are written only where ``$SIDEBYSIDE_RECORDS`` names a folder (the
site build sets it); a page run on its own records nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

#: The verdicts a page may record.
VERDICTS = ("holds", "holds with caveats", "does not hold")

#: id -> the claim, in the ledger's order.
CLAIMS = {
    "step-through": "You can run a define-by-run network step by step and "
                    "look at every layer's output.",
    "error-location": "An error in a define-by-run network points at the "
                      "line that caused it.",
    "debugger": "A regular debugger stops inside a define-by-run network.",
    "gradients": "Gradients are easy to inspect, layer by layer.",
    "control-flow": "A define-by-run network can use Python control flow, "
                    "such as pooling chosen by input size.",
    "deferred-shapes": "Networks can infer their layers' input sizes.",
    "shared-weights": "Sharing a layer in a symbolic network needs care "
                      "about where its weights live; calling a module twice "
                      "is enough in a define-by-run one.",
    "multi-head": "A multi-head network trained from two singly-labelled "
                  "datasets is a plain `if` in a define-by-run loop.",
    "fit-hides": "`Module.fit` hides the training loop; looking inside "
                 "needs callbacks and metric objects.",
    "same-computation": "The symbolic and the imperative APIs describe the "
                        "same computation (freeze, export, copy weights).",
    "symbolic-inference": "Counter-claim: a compiled graph runs inference "
                          "faster than eager code.",
    "symbolic-training": "Counter-claim: a compiled graph trains LeNet at "
                         "least twice as fast as eager code.",
}


def records_dir() -> Path | None:
    """The folder records go to, or None when nothing is recorded."""
    configured = os.environ.get("SIDEBYSIDE_RECORDS")
    return Path(configured) if configured else None


def record_file(directory: str | os.PathLike, page: str) -> Path:
    """Where the records of ``page`` (``"<topic>/<script name>"``) go."""
    return Path(directory) / f"{page.replace('/', '_')}.json"


def record(page: str, claim: str, verdict: str, evidence: str) -> None:
    """Record that ``page`` tested ``claim`` and what it found.

    ``page`` is the gallery page as ``"<topic>/<script name>"``, e.g.
    ``"lenet/plot_lenet"``; ``evidence`` says in one sentence what was
    asserted and measured. The record is also printed, so the page shows it.
    """
    if claim not in CLAIMS:
        raise ValueError(f"unknown claim {claim!r}: add it to CLAIMS")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got "
                         f"{verdict!r}")
    print(f"Ledger: {claim!r} {verdict}. {evidence}")
    directory = records_dir()
    if directory is not None:
        add_entry(record_file(directory, page), claim,
                  {"verdict": verdict, "evidence": evidence, "page": page})


def add_entry(path: str | os.PathLike, key: str, entry: dict) -> None:
    """Set ``key`` to ``entry`` in the JSON record file ``path``, keeping
    its other entries (a page records several claims, or speeds)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = json.loads(path.read_text()) if path.is_file() else {}
    entries[key] = entry
    path.write_text(json.dumps(entries, indent=1, sort_keys=True))


def collect(directory: str | os.PathLike) -> dict[str, list[dict]]:
    """Every record under ``directory``, grouped by claim id."""
    found: dict[str, list[dict]] = {claim: [] for claim in CLAIMS}
    for path in sorted(Path(directory).glob("*.json")):
        for claim, entry in json.loads(path.read_text()).items():
            found.setdefault(claim, []).append(entry)
    return found


def ledger_markdown(directory: str | os.PathLike) -> str:
    """The ledger as a Markdown table: claim, evidence, verdict."""
    rows = ["| claim | where it is tested | verdict |", "|---|---|---|"]
    for claim, entries in collect(directory).items():
        text = CLAIMS.get(claim, claim)
        if not entries:
            rows.append(f"| {text} | no page tests it | untested |")
        for entry in entries:
            label = "sphx_glr_auto_examples_" + \
                entry["page"].replace("/", "_") + ".py"
            link = "{ref}`" + label + "`"
            rows.append(f"| {text} | {link}: {entry['evidence']} | "
                        f"**{entry['verdict']}** |")
    return "\n".join(rows)
