"""The benchmark harness on tiny inputs: corpus shape, feeds, log reading, verdicts, table.

Nothing here is timed; the figures come from `make bench`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsflow.config import load_settings
from newsflow.extract.document import extract_html
from newsflow_tools.bench import report
from newsflow_tools.bench.__main__ import parse_args
from newsflow_tools.bench.daemon import LogFollower, RunWatch, bench_config
from newsflow_tools.bench.workload import (
    MAX_KB,
    MIN_KB,
    build_site,
    describe,
    page_sizes,
    synthetic_docs,
)


@pytest.fixture(scope="module")
def docs():
    return list(synthetic_docs(12, seed=5))


def test_page_sizes_spread_over_the_whole_range():
    """Target sizes cover 20-300 KB evenly, so small and large pages are both measured."""
    sizes = page_sizes(300)
    assert min(sizes) == MIN_KB and max(sizes) == MAX_KB
    assert 150 <= sum(sizes) / len(sizes) <= 170
    assert sum(1 for s in sizes if s < 100) > 50 and sum(1 for s in sizes if s > 220) > 50


def test_synthetic_pages_are_in_range_and_carry_wire_length_articles(docs):
    """Every page is 20-300 KB and its article 400-850 words (~600 on average)."""
    shape = describe(docs)
    assert shape["kb_min"] >= MIN_KB and shape["kb_max"] <= MAX_KB
    assert shape["words_min"] >= 400 and shape["words_max"] <= 850
    assert 500 <= shape["words_mean"] <= 700
    assert len({d.path for d in docs}) == len(docs)


def test_the_extractor_finds_the_article_and_drops_the_furniture(docs):
    """Padding is page furniture, not text: extraction returns the article alone."""
    doc = max(docs, key=lambda d: d.kb)
    out = extract_html(doc.html, "http://127.0.0.1" + doc.path)
    assert out.text.startswith(doc.article.paragraphs[0][:60])
    assert "More stories" not in out.text and "min ago" not in out.text
    assert abs(len(out.text.split()) - len(doc.article.text.split())) <= 5


def test_feeds_list_every_page_once(docs):
    """build_site routes every page and splits them over RSS and Atom feeds."""
    site = build_site(docs, per_feed=5, base="http://127.0.0.1:1")
    assert (
        len(site.feeds) == 3 and site.feeds[0].endswith(".rss") and site.feeds[1].endswith(".atom")
    )
    feeds = b"".join(site.routes[f].body for f in site.feeds).decode()
    for d in docs:
        assert d.path in site.routes
        assert feeds.count(f"http://127.0.0.1:1{d.path}") == 1


def test_bench_config_is_valid_and_opens_politeness_for_the_local_host(tmp_path):
    """The generated config loads, starts the embedded broker and does not pace the one host."""
    path = bench_config(
        tmp_path / "c.yaml",
        base_url="http://127.0.0.1:9",
        feeds=["/a.rss", "/b.atom"],
        state_dir=tmp_path / "s",
    )
    settings = load_settings(path)
    assert settings.kafka.bootstrap_servers == []
    assert settings.fetch.min_host_delay == 0 and settings.fetch.per_host_concurrency >= 8
    assert [s.url for s in settings.sources] == [
        "http://127.0.0.1:9/a.rss",
        "http://127.0.0.1:9/b.atom",
    ]


def test_log_follower_counts_articles_across_partial_reads(tmp_path):
    """Lines split between two reads are counted once; the steady rate spans first to last."""
    log = tmp_path / "run.log"
    lines = [
        json.dumps({"event": "article", "status": s, "timestamp": f"2026-01-01T00:00:0{i}Z"})
        for i, s in enumerate(["published", "duplicate", "published", "dead_letter", "published"])
    ]
    lines.append(
        json.dumps(
            {"event": "source_poll", "status": "not_modified", "timestamp": "2026-01-01T00:00:00Z"}
        )
    )
    text = "\n".join(lines) + "\n"
    watch = RunWatch()
    follower = LogFollower(log, watch)
    log.write_text(text[:70])
    follower.read()
    log.write_text(text)
    follower.read()
    assert watch.done == 5
    assert watch.statuses == {"published": 3, "duplicate": 1, "dead_letter": 1}
    assert watch.poll_statuses == {"not_modified": 1}
    assert watch.steady_rate == pytest.approx(1.0)


def _results(**over):
    results = {
        "machine": {"cores": 2, "cpu": "Test CPU", "python": "3.11.7"},
        "ceiling": {
            "per_core": 6.0,
            "per_core_cpu": 6.5,
            "extraction_per_core": 40.0,
            "coding_per_core": 7.0,
            "coding_per_core_600w": 12.5,
            "parallel": {"processes": 2, "rate": 11.0},
        },
        "e2e": {
            "workers": 2,
            "rate_steady": 10.8,
            "rate_wall": 8.0,
            "done": 300,
            "expected": 300,
            "cpu_ms_per_article_steady": {"daemon": 5.0, "worker": 150.0},
        },
        "polling": {
            "feeds": 10000,
            "cycle_seconds": 20.0,
            "requests_per_s": 500.0,
            "statuses": {"not_modified": 10000},
            "peak_rss_mib": 450.0,
        },
        "memory": {
            "expected": 2000,
            "done": 2000,
            "peak_rss_mib": 700.0,
            "low_mark": 500,
            "high_mark": 2000,
            "marks": {"500": {"rss_mib": 600.0, "at": 500}, "2000": {"rss_mib": 650.0, "at": 2000}},
        },
        "peer": {"tool": "newspaper4k", "version": "0.9.6", "per_core": 3.0, "per_core_cpu": 3.1},
    }
    results.update(over)
    return results


def test_verdicts_compare_each_figure_with_its_target():
    """Ratios are computed from the raw figures and each target gets PASS or MISS."""
    rows = {r.measure.strip(): r for r in report.verdicts(_results())}
    assert rows["e2e / (ceiling x workers)"].figure == "0.90"
    assert rows["e2e / (ceiling x workers)"].verdict == "PASS"
    assert rows["coding only"].verdict == "PASS"
    assert next(r for k, r in rows.items() if k.startswith("polling")).verdict == "PASS"
    assert rows["peak RSS of the daemon"].verdict == "MISS"
    assert next(r for k, r in rows.items() if k.startswith("memory")).verdict == "PASS"
    assert rows["newsflow ceiling (extract+code) / peer, per core"].verdict == "MISS"


def test_a_skipped_or_missing_measure_gets_no_verdict():
    """Without the peer venv the peer row says why, and no ratio is invented."""
    rows = report.verdicts(_results(peer={"skipped": "no venv"}, e2e=None, memory=None))
    peer = [r for r in rows if r.measure.startswith("peer")]
    assert peer and peer[0].verdict == "" and "no venv" in peer[0].figure
    assert not any("e2e" in r.measure for r in rows)


def test_table_renders_machine_rows_and_verdicts():
    """The table names the machine and aligns one row per figure."""
    results = _results()
    rows = report.verdicts(results)
    table = report.render(rows, results["machine"], {"pages": 300})
    assert "2 cores, Test CPU, Python 3.11.7" in table and "pages 300" in table
    body = [line for line in table.splitlines() if line.startswith("|")]
    assert len(body) == len(rows) + 2 and len({len(line) for line in body}) == 1
    assert json.loads(json.dumps(report.as_json(rows, results)))["rows"][0]["measure"]


def test_only_accepts_known_measures(capsys):
    """--only takes a comma-separated subset and rejects unknown names."""
    assert parse_args(["--only", "ceiling,peer"]).measures == ["ceiling", "peer"]
    assert parse_args([]).measures[0] == "ceiling"
    assert parse_args(["--shared-eval"]).shared_eval == Path(
        "../shared/eval/extraction-aeb-dev.jsonl"
    )
    with pytest.raises(SystemExit):
        parse_args(["--only", "speed"])


def test_tree_sampler_counts_this_process_as_the_daemon():
    """The sampler reads memory and CPU of the root process and files it under "daemon"."""
    import psutil

    from newsflow_tools.bench.daemon import TreeSampler, busy_seconds

    sampler = TreeSampler(psutil.Process())
    states: dict[str, int] = {}
    sample = sampler.sample(states)
    assert sample.rss > 10 * 1024 * 1024 and sample.processes >= 1
    assert "daemon" in sampler.cpu and states == {}
    assert busy_seconds() > 0


def test_other_load_adjusts_the_end_to_end_ratio():
    """CPU taken by other processes is reported and the ratio is shown adjusted for it."""
    results = _results()
    results["e2e"]["others_share"] = 0.25
    rows = {r.measure.strip(): r for r in report.verdicts(results)}
    assert (
        rows["CPU other processes took meanwhile; ratio adjusted"].figure
        == "25% of the machine; 1.20"
    )


def _story_run(mean_ms: float) -> dict:
    at = {"events": 2000, "mean_ms": mean_ms, "p99_ms": 9.0, "resolve_ms": 1.0, "joined": 1000}
    at.update(open=101000, cpu_ms=1.5, candidates=40.0)
    after = {**at, "mean_ms": 1.0, "open": 13000}
    close = {"open_before": 101000, "closed": 88000, "seconds": 20.0, "open_after": 13000}
    return {"at_scale": at, "close": close, "after_close": after}


def test_story_rows_judge_the_mean_per_event_on_each_backend():
    """Each backend's mean per event is held to 5 ms; an unreachable PostgreSQL says skipped."""
    stories = {"stories": 100000, "events": 2000, "sqlite": _story_run(2.0)}
    rows = report.verdicts({"stories": {**stories, "postgres": _story_run(6.0)}})
    judged = [r.verdict for r in rows if r.verdict]
    assert judged == ["PASS", "MISS"]
    assert any("101,000 -> 13,000 open" in r.figure for r in rows)
    rows = report.verdicts({"stories": {**stories, "postgres": {"skipped": "unreachable"}}})
    assert rows[-1].measure == "stories: PostgreSQL" and "unreachable" in rows[-1].figure


def test_story_bench_runs_on_a_small_sqlite_store():
    """The story benchmark's workload on 300 stories: half the reports join, idle ones close."""
    from newsflow_tools.bench import stories

    m = stories.measure(300, 20, None)["sqlite"]
    assert m["at_scale"]["joined"] == 10 and m["at_scale"]["open"] == 310
    assert m["close"]["open_after"] < m["close"]["open_before"] == 310
    assert m["after_close"]["joined"] == 10
