"""SSRF guard: decide whether an address may be contacted.

Feed URLs come from configuration but article URLs and redirect targets come
from the web, so a hostile feed could point us at 127.0.0.1, the LAN or a cloud
metadata service. The decision is made on resolved addresses (a hostname can
resolve to anything) and again for every redirect hop; the client applies it
inside its resolver, so the address checked is the address connected to.
"""

from __future__ import annotations

import ipaddress

# Not covered by ipaddress's flags, or worth naming explicitly.
_EXTRA_BLOCKED = (
    ipaddress.ip_network("100.64.0.0/10"),  # RFC 6598 carrier-grade NAT, often internal
    ipaddress.ip_network("169.254.169.254/32"),  # cloud metadata (also link-local)
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS IMDS over IPv6
    ipaddress.ip_network("64:ff9b::/96"),  # RFC 6052 NAT64, can wrap an internal IPv4
)


def blocked_reason(address: str) -> str | None:
    """Why `address` must not be contacted, or None when it is a public address.

    Unparseable input is refused: an address we cannot classify is not safe.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4-mapped (::ffff:127.0.0.1) and 6to4 forms reach the embedded IPv4 host.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return blocked_reason(str(embedded))
    for net in _EXTRA_BLOCKED:
        if ip.version == net.version and ip in net:
            return "metadata or internal range"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_private or not ip.is_global:
        return "private or reserved"
    return None


def is_ip_literal(host: str) -> bool:
    """True when a URL host is an IP address rather than a name (DNS is not consulted)."""
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def check_addresses(host: str, addresses: list[str]) -> str | None:
    """A refusal message when any resolved address of `host` is blocked, else None.

    Any blocked address refuses the host: connecting would pick one of them, and
    a name that resolves to both a public and an internal address is suspicious.
    """
    if not addresses:
        return f"{host} resolved to no address"
    for addr in addresses:
        why = blocked_reason(addr)
        if why:
            return f"{host} resolves to {addr} ({why})"
    return None


def host_exempt(host: str, allowed_hosts: list[str]) -> bool:
    """True when `host` is listed (exactly, case-insensitive) as exempt from the guard."""
    h = host.lower().rstrip(".")
    return any(h == a.lower().rstrip(".") for a in allowed_hosts)


def literal_refusal(host: str, *, enabled: bool, allowed_hosts: list[str]) -> str | None:
    """A refusal for a URL whose host is a blocked IP literal, else None.

    aiohttp does not consult the resolver for IP literals, so the resolver-side
    check never sees them; the client asks this first.
    """
    if not enabled or not is_ip_literal(host) or host_exempt(host, allowed_hosts):
        return None
    why = blocked_reason(host.strip("[]"))
    return f"{host} is {why}" if why else None
