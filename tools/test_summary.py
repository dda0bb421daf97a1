"""Print the closing line of `make test`: ``tests: N passed, N failed``.

It reads the JUnit XML report that pytest writes under tox. When there is
none, tox failed before the tests ran, and that counts as one failure.
"""

import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path


def counts(report: Path) -> tuple[int, int, int]:
    """``(passed, failed, skipped)`` from a JUnit XML report."""
    suite = ElementTree.parse(report).getroot()
    if suite.tag == "testsuites":
        suite = suite[0]
    total = int(suite.get("tests", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def main() -> None:
    report = Path(sys.argv[1])
    if report.is_file():
        passed, failed, skipped = counts(report)
    else:
        print(f"{report} was not written: tox failed before the tests ran")
        passed, failed, skipped = 0, 1, 0
    line = f"tests: {passed} passed, {failed} failed"
    print(line + (f", {skipped} skipped" if skipped else ""))


if __name__ == "__main__":
    main()
