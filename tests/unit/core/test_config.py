"""Configuration: bad files are rejected with the field and the reason, never a traceback."""

import subprocess
import sys

import pytest

from newsflow.config import load_settings
from newsflow.errors import ConfigError


def test_invalid_file_names_each_bad_field(tmp_path):
    """Each problem is reported as a dotted field path and a reason."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "sources:\n  - {id: ok, kind: feed, url: 'https://x.org/rss'}\n"
        "  - {id: Bad Id, kind: blog, url: 'ftp://x'}\nkafka: {partitions: 0}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    text = str(err.value)
    assert "sources.1.id" in text and "sources.1.kind" in text and "sources.1.url" in text
    assert "kafka.partitions" in text


def test_duplicate_source_ids_rejected(tmp_path):
    """Two sources with one id would share state; that is refused."""
    path = tmp_path / "dup.yaml"
    path.write_text(
        "sources:\n  - {id: a, kind: feed, url: 'https://x.org/1'}\n"
        "  - {id: a, kind: feed, url: 'https://x.org/2'}\n"
    )
    with pytest.raises(ConfigError, match="duplicate source id"):
        load_settings(path)


def test_yaml_syntax_error_and_missing_file(tmp_path):
    """Broken YAML and a missing file are ConfigErrors too."""
    bad = tmp_path / "broken.yaml"
    bad.write_text("sources: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yaml")


def test_environment_overrides_file(tmp_path, monkeypatch):
    """NEWSFLOW_* variables win over the file, in both spellings."""
    path = tmp_path / "c.yaml"
    path.write_text("kafka: {bootstrap_servers: ['file:1']}\nstate_dir: /from/file\n")
    monkeypatch.setenv("NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS", "a:1,b:2")
    monkeypatch.setenv("NEWSFLOW_STATE_DIR", "/from/env")
    monkeypatch.setenv("NEWSFLOW_FETCH__MAX_BODY_BYTES", "1234")
    s = load_settings(path)
    assert s.kafka.bootstrap_servers == ["a:1", "b:2"]
    assert str(s.state_dir) == "/from/env"
    assert s.fetch.max_body_bytes == 1234


def test_relative_file_source_resolves_against_config_dir(tmp_path):
    """`file:sample/feed.xml` in a config file means beside that file."""
    path = tmp_path / "c.yaml"
    path.write_text(
        "fetch: {file_root: sample}\nsources:\n  - {id: s, kind: feed, url: 'file:sample/feed.xml'}\n"
    )
    s = load_settings(path)
    assert s.sources[0].url == (tmp_path / "sample" / "feed.xml").as_uri()
    assert s.fetch.file_root == tmp_path / "sample"


def test_every_relative_path_in_a_config_file_is_relative_to_that_file(tmp_path, monkeypatch):
    """state_dir and kafka.ssl_* follow the same rule as file_root; defaults stay with the cwd."""
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = tmp_path / "conf" / "c.yaml"
    path.parent.mkdir()
    path.write_text("state_dir: var\nkafka: {ssl_cafile: certs/ca.pem}\n")
    s = load_settings(path)
    assert s.state_dir == tmp_path / "conf" / "var"
    assert s.kafka.ssl_cafile == tmp_path / "conf" / "certs" / "ca.pem"
    (path.parent / "d.yaml").write_text("sources: []\n")
    assert load_settings(path.parent / "d.yaml").state_dir.resolve() == elsewhere / "var"


def test_cli_prints_reason_without_traceback(tmp_path):
    """The command line exits 2 with the field and reason, and no Python traceback."""
    path = tmp_path / "bad.yaml"
    path.write_text("sources:\n  - {id: s, kind: feed, url: 'gopher://x'}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "sources", "check", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "sources.0.url" in proc.stderr and "Traceback" not in proc.stderr


def test_raw_topic_must_hold_the_largest_page(tmp_path):
    """Keeping raw pages with a message limit below the page limit is refused up front."""
    path = tmp_path / "c.yaml"
    path.write_text("raw: {enabled: true}\nkafka: {max_request_size: 1048576}\n")
    with pytest.raises(ConfigError, match="max_request_size"):
        load_settings(path)
