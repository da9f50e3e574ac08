"""SSRF address classification."""

from __future__ import annotations

import pytest

from newsflow.fetch.ssrf import blocked_reason, check_addresses, host_exempt, is_ip_literal


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.8.9.10", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1",
        "169.254.169.254", "169.254.1.1", "fe80::1", "fe80::1%eth0", "fc00::1", "0.0.0.0", "::",
        "100.64.0.1", "224.0.0.1", "255.255.255.255", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
        "2002:7f00:1::", "64:ff9b::7f00:1", "fd00:ec2::254", "198.18.0.1", "192.0.2.1", "not-an-ip",
    ],
)  # fmt: skip
def test_blocked(address):
    """Loopback, private, link-local, metadata, mapped and reserved addresses are refused."""
    assert blocked_reason(address) is not None


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_allowed(address):
    """Ordinary public addresses pass."""
    assert blocked_reason(address) is None


def test_any_blocked_address_blocks_the_host():
    """A name resolving to one public and one private address is refused, and so is one resolving to none."""
    assert check_addresses("mixed.example", ["8.8.8.8", "10.0.0.1"]) is not None
    assert check_addresses("none.example", []) is not None
    assert check_addresses("ok.example", ["8.8.8.8"]) is None


def test_literals_and_exemptions():
    """IP literals are recognised (bracketed IPv6 too) and exemptions match host names exactly."""
    assert (
        is_ip_literal("127.0.0.1") and is_ip_literal("[::1]") and not is_ip_literal("example.com")
    )
    assert host_exempt("Mirror.Internal.", ["mirror.internal"])
    assert not host_exempt("evil.mirror.internal", ["mirror.internal"])
