"""The benchmark runner's report (the measurements themselves live outside the tests)."""

from benchmarks.__main__ import TARGETS, report


def test_report_flags_figures_off_target():
    figures = {key: target for key, (_op, target) in TARGETS.items()}
    figures["coverage_recompute_ms"] = 400.0
    figures["explore_baseline_html_bytes"] = 10
    text = report(figures)
    line = next(l for l in text.splitlines() if l.startswith("coverage_recompute_ms"))
    assert "HORS CIBLE" in line
    assert text.count("OK") == len(TARGETS) - 1
