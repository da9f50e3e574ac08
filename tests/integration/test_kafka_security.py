"""Kafka security: settings → aiokafka options, and what a secured broker makes of them.

What Tansu 0.6.0 (the embedded broker) allows, checked with `tansu broker --help`,
`tansu user --help` and by trying:
- `--authentication` turns on SASL with SCRAM-SHA-256/512 only (PLAIN: NoSharedMechanism).
  Users are created with AlterUserScramCredentials (`tansu user create`), which itself needs
  an authenticated connection, and the in-memory store (the only one built in) starts empty:
  no user can ever log in, so a successful SCRAM login cannot be shown here. What can be
  shown: each wrong way in fails at once with a clear PublishError.
- `--cert`/`--key` are accepted but the listener stays plain TCP. TLS is therefore tested
  through a TLS-terminating proxy at the broker's advertised address (see kafka_tls): real
  handshakes against the CA file newsflow is given, with and without client certificates.
"""

from __future__ import annotations

import json
import ssl
import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError

from newsflow.config import KafkaSettings, Topics
from newsflow.errors import PublishError, Reason
from newsflow.models import Stage
from newsflow.pipeline.deadletters import dead_letter
from newsflow.publish.embedded import free_port
from newsflow.publish.kafka import Publisher, client_options
from tests.integration import kafka_tls
from tests.integration.kafka_tls import HOST

pytestmark = pytest.mark.timeout(120)

FAIL_FAST = 10.0  # seconds; a refused connection must not look like a slow broker
PASSWORD = "s3cret-never-shown"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    made = kafka_tls.make_pki(tmp_path_factory.mktemp("pki"))
    if made is None:
        pytest.skip("the openssl command is needed to make test certificates")
    return made


def _settings(bootstrap: str, **security) -> KafkaSettings:
    suffix = uuid.uuid4().hex[:8]
    return KafkaSettings(
        bootstrap_servers=[bootstrap],
        request_timeout_ms=5000,
        topics=Topics(
            articles=f"s{suffix}.articles",
            events=f"s{suffix}.events",
            dlq=f"s{suffix}.dlq",
            raw=f"s{suffix}.raw",
        ),
        **security,
    )


# --- the mapping (no broker) -----------------------------------------------------------


def test_plaintext_options_carry_no_security():
    """PLAINTEXT sends neither a TLS context nor SASL fields to aiokafka."""
    opts = client_options(KafkaSettings(client_id="nf"), ["b:9092"])
    assert opts == {
        "bootstrap_servers": ["b:9092"],
        "client_id": "nf",
        "security_protocol": "PLAINTEXT",
        "request_timeout_ms": 30000,
    }


def test_ssl_options_verify_the_broker_against_the_given_ca(pki):
    """SSL builds a context that requires the broker's certificate, signed by ssl_cafile,
    for the host name it connects to."""
    opts = client_options(KafkaSettings(security_protocol="SSL", ssl_cafile=pki.ca), ["b:9093"])
    ctx = opts["ssl_context"]
    assert isinstance(ctx, ssl.SSLContext)
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    subjects = [dict(x[0] for x in c["subject"]) for c in ctx.get_ca_certs()]
    assert {"commonName": "newsflow ca"} in subjects
    assert opts["security_protocol"] == "SSL"
    assert not {k for k in opts if k.startswith("sasl")}


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_ssl_options_carry_mechanism_user_secret_and_tls(pki, mechanism):
    """SASL_SSL passes the mechanism, the user and the unwrapped password, plus TLS."""
    s = KafkaSettings(
        security_protocol="SASL_SSL",
        sasl_mechanism=mechanism,
        sasl_username="nf",
        sasl_password=PASSWORD,
        ssl_cafile=pki.ca,
        ssl_certfile=pki.client_cert,
        ssl_keyfile=pki.client_key,
    )
    opts = client_options(s, ["b:9094"])
    assert opts["security_protocol"] == "SASL_SSL"
    assert (opts["sasl_mechanism"], opts["sasl_plain_username"], opts["sasl_plain_password"]) == (
        mechanism,
        "nf",
        PASSWORD,
    )
    assert isinstance(opts["ssl_context"], ssl.SSLContext)
    assert PASSWORD not in repr(s) and PASSWORD not in str(s.model_dump())


def test_sasl_plaintext_options_have_no_tls():
    """SASL_PLAINTEXT authenticates without TLS: no context, so no certificate is demanded."""
    s = KafkaSettings(
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-256",
        sasl_username="nf",
        sasl_password=PASSWORD,
    )
    opts = client_options(s, ["b:9092"])
    assert "ssl_context" not in opts and opts["sasl_mechanism"] == "SCRAM-SHA-256"


@pytest.mark.parametrize("missing", ["sasl_mechanism", "sasl_username", "sasl_password"])
def test_sasl_without_a_credential_is_a_settings_error(missing):
    """A SASL protocol without mechanism, user or password is refused when settings load."""
    fields = {"sasl_mechanism": "PLAIN", "sasl_username": "nf", "sasl_password": PASSWORD}
    del fields[missing]
    with pytest.raises(ValidationError, match="SASL needs"):
        KafkaSettings(security_protocol="SASL_SSL", **fields)


def test_a_missing_ca_file_fails_before_any_connection(tmp_path):
    """A CA path that does not exist fails when the options are built, not at the first send."""
    s = KafkaSettings(security_protocol="SSL", ssl_cafile=tmp_path / "nope.pem")
    with pytest.raises(FileNotFoundError):
        client_options(s, ["b:9093"])


# --- TLS against a real broker ---------------------------------------------------------


async def _publish_one(settings: KafkaSettings) -> str:
    """Start a Publisher with `settings`, deliver one dead letter, stop; its id."""
    publisher = Publisher(settings, settings.bootstrap_servers)
    dl = dead_letter(
        url="https://example.org/x",
        source_id="s",
        stage=Stage.FETCH,
        reason=Reason.NOT_FOUND,
        detail="test",
        retriable=False,
        attempts=1,
    )
    await publisher.start(timeout=FAIL_FAST)
    try:
        assert await publisher.deliver([dl], source_id="s") == 1
    finally:
        await publisher.stop()
    return dl.dead_letter_id


async def _read_all(settings: KafkaSettings, topic: str) -> list[dict]:
    """Every value on `topic`, read with the same security options."""
    consumer = AIOKafkaConsumer(
        **client_options(settings, settings.bootstrap_servers),
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        out: list[dict] = []
        while any([await consumer.position(tp) < end[tp] for tp in tps]):
            for records in (await consumer.getmany(timeout_ms=500)).values():
                out += [json.loads(r.value) for r in records]
        return out
    finally:
        await consumer.stop()


async def _refused(settings: KafkaSettings) -> tuple[PublishError, float]:
    started = time.monotonic()
    with pytest.raises(PublishError) as info:
        await _publish_one(settings)
    return info.value, time.monotonic() - started


@pytest.fixture
async def tls_broker(pki):
    """Tansu behind a TLS proxy that asks for no client certificate: (address, proxy port)."""
    proxy_port = free_port()
    async with (
        kafka_tls.tansu(advertised_port=proxy_port) as port,
        kafka_tls.tls_proxy(
            proxy_port, port, kafka_tls.server_context(pki, require_client_cert=False)
        ),
    ):
        yield f"{HOST}:{proxy_port}", port


async def test_tls_publishes_and_reads_back_through_a_verified_broker(pki, tls_broker):
    """With security_protocol SSL and the CA file, the publisher creates its topics, delivers,
    and a consumer with the same options reads the message back, all over TLS."""
    bootstrap, _ = tls_broker
    settings = _settings(bootstrap, security_protocol="SSL", ssl_cafile=pki.ca)
    sent = await _publish_one(settings)
    got = await _read_all(settings, settings.topics.dlq)
    assert [v["dead_letter_id"] for v in got] == [sent]


async def test_untrusted_broker_certificate_fails_fast(pki, tls_broker):
    """A broker certificate not signed by ssl_cafile is a prompt PublishError, never a hang."""
    bootstrap, _ = tls_broker
    error, took = await _refused(
        _settings(bootstrap, security_protocol="SSL", ssl_cafile=pki.other_ca)
    )
    assert took < FAIL_FAST, took
    assert "unreachable" in str(error)


async def test_protocol_mismatch_fails_fast_both_ways(pki, tls_broker):
    """PLAINTEXT against the TLS listener, and SSL against the plain one, fail promptly."""
    bootstrap, plain_port = tls_broker
    _, took = await _refused(_settings(bootstrap))
    assert took < FAIL_FAST, took
    _, took = await _refused(
        _settings(f"{HOST}:{plain_port}", security_protocol="SSL", ssl_cafile=pki.ca)
    )
    assert took < FAIL_FAST, took


async def test_mutual_tls_needs_the_client_certificate(pki):
    """When the broker asks for a client certificate, ssl_certfile/ssl_keyfile get the
    publisher in and their absence keeps it out."""
    proxy_port = free_port()
    ctx = kafka_tls.server_context(pki, require_client_cert=True)
    async with (
        kafka_tls.tansu(advertised_port=proxy_port) as port,
        kafka_tls.tls_proxy(proxy_port, port, ctx),
    ):
        bootstrap = f"{HOST}:{proxy_port}"
        _, took = await _refused(_settings(bootstrap, security_protocol="SSL", ssl_cafile=pki.ca))
        assert took < FAIL_FAST, took
        settings = _settings(
            bootstrap,
            security_protocol="SSL",
            ssl_cafile=pki.ca,
            ssl_certfile=pki.client_cert,
            ssl_keyfile=pki.client_key,
        )
        sent = await _publish_one(settings)
        assert [v["dead_letter_id"] for v in await _read_all(settings, settings.topics.dlq)] == [
            sent
        ]


# --- SASL against a broker that demands it ---------------------------------------------


@pytest.fixture
async def sasl_broker():
    async with kafka_tls.tansu("--authentication") as port:
        yield f"{HOST}:{port}"


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512"])
async def test_refused_scram_login_is_a_clear_permanent_publish_error(sasl_broker, mechanism):
    """A SCRAM login the broker refuses is a non-retriable PublishError naming the mechanism
    and the user (never the password), at once; not aiokafka's KeyError('v')."""
    settings = _settings(
        sasl_broker,
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism=mechanism,
        sasl_username="nobody",
        sasl_password=PASSWORD,
    )
    error, took = await _refused(settings)
    assert took < FAIL_FAST, took
    assert mechanism in str(error) and "'nobody'" in str(error) and PASSWORD not in str(error)
    assert error.retriable is False


@pytest.mark.parametrize(
    "security",
    [
        {},  # no SASL at all
        {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "PLAIN",  # not offered by Tansu
            "sasl_username": "nobody",
            "sasl_password": PASSWORD,
        },
    ],
    ids=["plaintext", "sasl-plain"],
)
async def test_unauthenticated_or_unoffered_mechanism_fails_fast(sasl_broker, security):
    """Without a login, or with a mechanism the broker does not offer, start fails promptly
    with a PublishError."""
    error, took = await _refused(_settings(sasl_broker, **security))
    assert took < FAIL_FAST, took
    assert PASSWORD not in str(error)
