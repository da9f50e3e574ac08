"""HTTP and file:// fetching with politeness, limits and safety.

Layers, outermost first (client.py wires them; each lives in its own module):

    retry.py       retry retriable failures, honouring Retry-After, within total_timeout
    redirects.py   follow redirects by hand so every hop is checked again
    ssrf.py        refuse loopback/private/link-local/metadata addresses
    robots.py      RFC 9309 rules per origin, cached; Crawl-delay feeds politeness
    politeness.py  per-host slot: concurrency, min delay, pause after 429/503
    response.py    one conditional GET: status → reason, body under limits.py caps
    files.py       file:// under fetch.file_root
    charset.py     bytes → text when labels lie (FetchOutcome.text)

Only client.py imports aiohttp.
"""
