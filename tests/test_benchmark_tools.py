"""The benchmark scripts' bookkeeping (benchmarks/): what they record, not how fast anything is."""

from __future__ import annotations

import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def test_notebook_suite_rejects_an_unknown_chapter():
    from bench_notebooks import bench_notebooks, chapter_notebooks

    assert "05a_evaluating_generators" in {nb.stem for nb in chapter_notebooks()}
    with pytest.raises(ValueError, match="unknown chapters.*no_such_chapter"):
        bench_notebooks(("smoke",), chapters=["no_such_chapter"])


def test_results_list_a_chapter_measured_again_with_its_reason(tmp_path):
    import run_all

    results = {"machine": {"date": "d", "cpu": "c"},
               "notebooks": {"profiles": ["cpu"], "seconds": {"04_x": {"cpu": 120.0}, "05_y": {"cpu": 30.0}},
                             "errors": {},
                             "reruns": {"04_x (cpu)": {"date": "2026-12-07 08:00 UTC", "commit": "abc1234",
                                                       "load_average_at_start": 0.3,
                                                       "reason": "the cpu profile's DCGAN is narrower"},
                                        "05_y (cpu)": {"date": "2026-12-06 23:20 UTC", "commit": "def5678",
                                                       "load_average_at_start": 0.5,
                                                       "first_run_error": "Traceback\nAssertionError: claim"}}}}
    run_all.write_markdown(results, tmp_path / "RESULTS.md")
    text = (tmp_path / "RESULTS.md").read_text()
    assert ("- **04_x (cpu)** measured again 2026-12-07 08:00 UTC at commit `abc1234` (load average 0.3 at its "
            "start), because the cpu profile's DCGAN is narrower") in text
    assert "- **05_y (cpu)** measured again" in text and "after its first run failed: `AssertionError: claim`" in text
    assert "| **total** | **150 s** |" in text


def test_a_rerun_replaces_only_what_it_measured():
    import run_all

    suite = {"profiles": ["smoke", "cpu"], "measured": {"date": "old", "cpu": "EPYC"},
             "seconds": {"a": {"smoke": 10.0, "cpu": 100.0}, "b": {"smoke": 20.0, "cpu": None}},
             "errors": {"b (cpu)": "AssertionError: claim", "b (smoke)": "kept"},
             "reruns": {"b (cpu)": {"date": "older", "commit": "1111111", "first_run_error": "x"}}}
    measured = {"date": "new", "cpu": "EPYC", "commit": "2222222", "load_average_at_start": 0.1}
    fresh = {"seconds": {"b": {"cpu": 50.0}}, "errors": {}}
    run_all.check_rerun(suite, ("cpu",), measured)
    run_all.merge_rerun(suite, fresh, ("cpu",), measured, "the model got narrower")
    assert suite["seconds"] == {"a": {"smoke": 10.0, "cpu": 100.0}, "b": {"smoke": 20.0, "cpu": 50.0}}
    assert suite["errors"] == {"b (smoke)": "kept"}  # only the re-measured profile's error goes
    assert suite["reruns"] == {"b (cpu)": {**measured, "reason": "the model got narrower"}}  # the old entry replaced
    assert suite["measured"]["date"] == "old"  # the suite's own date stays
    failed = {"seconds": {"a": {"cpu": None}}, "errors": {"a (cpu)": "RuntimeError: boom"}}
    run_all.merge_rerun(suite, failed, ("cpu",), measured, "again")
    assert suite["seconds"]["a"] == {"smoke": 10.0, "cpu": None} and suite["errors"]["a (cpu)"] == "RuntimeError: boom"


def test_a_rerun_never_mixes_profiles_or_machines():
    import run_all

    suite = {"profiles": ["smoke", "cpu"], "measured": {"date": "old", "cpu": "EPYC"}, "seconds": {}}
    with pytest.raises(ValueError, match="no \\['gpu'\\] times"):
        run_all.check_rerun(suite, ("gpu",), {"cpu": "EPYC"})
    with pytest.raises(ValueError, match="another machine|--out"):
        run_all.check_rerun(suite, ("cpu",), {"cpu": "Xeon"})
