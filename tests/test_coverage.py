"""kit.coverage: which corpus mistakes fail which graded test, from graded results."""

from kit.coverage import Graded, coverage, read_baseline, table


def test_a_test_no_mistake_fails_is_unproven_and_an_idle_mistake_is_reported():
    results = [
        Graded("ref_like", "01_x", "correct", {"test_a": "passed", "test_b": "passed", "test_c": "skipped"}),
        Graded("slow", "01_x", "wrong", {"test_a": "failed", "test_b": "passed", "test_c": "skipped"}),
        Graded("crash", "01_x", "wrong", {"test_a": "error", "test_b": "passed", "test_c": "skipped"}),
        Graded("harmless", "01_x", "wrong", {"test_a": "passed", "test_b": "passed", "test_c": "skipped"}),
    ]
    cov = coverage(results)
    assert cov.proven == {"01_x::test_a": ["slow", "crash"]}
    assert cov.unproven == ["01_x::test_b"]
    assert cov.not_run == ["01_x::test_c"]  # skipped everywhere (no browser): neither proven nor unproven
    assert cov.idle_mistakes == ["01_x/harmless"]
    text = "\n".join(table(cov))
    assert "UNPROVEN" in text and "proven (failed by >= 1 mistake): 1; unproven: 1" in text


def test_a_correct_solution_failing_proves_nothing():
    cov = coverage([Graded("other", "02_y", "correct", {"test_a": "failed"})])
    assert cov.unproven == ["02_y::test_a"] and not cov.proven


def test_baseline_lines_and_comments(tmp_path):
    path = tmp_path / "unproven.txt"
    path.write_text("# header\n01_x::test_b  # why\n\n02_y::test_a\n", encoding="utf-8")
    assert read_baseline(path) == {"01_x::test_b", "02_y::test_a"}
    assert read_baseline(tmp_path / "missing.txt") == set()


def test_an_undeclared_failure_proves_nothing():
    """A mistake proves only the tests it declares: one that timed out by accident does not count."""
    g = Graded("slow", "01_x", "wrong", {"test_a": "failed", "test_b": "timeout"}, declared={"test_a"})
    cov = coverage([g])
    assert cov.proven == {"01_x::test_a": ["slow"]} and cov.unproven == ["01_x::test_b"]
