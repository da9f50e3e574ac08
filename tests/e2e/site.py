"""A local news site for whole-command runs: article pages and the RSS feed that lists them."""

from __future__ import annotations

from newsflow_tools.bench.corpus import CorpusArticle, make_articles, render_page, render_rss
from newsflow_tools.bench.server import CorpusServer, Route


async def start_site(
    n: int = 4, *, seed: int = 31, missing: bool = False
) -> tuple[CorpusServer, list[CorpusArticle]]:
    """`n` pages under /articles/ and /feed.rss listing them (plus a 404 link when `missing`)."""
    arts = make_articles(n, seed=seed)
    server = await CorpusServer(
        {f"/articles/{a.slug}.html": Route(render_page(a).encode()) for a in arts}
    ).start()
    items = [(server.url(f"/articles/{a.slug}.html"), a) for a in arts]
    if missing:
        items.append(
            (
                server.url("/articles/taken-down.html"),
                CorpusArticle(
                    slug="taken-down",
                    title="A story that was taken down",
                    paragraphs=("x",),
                    published=arts[0].published,
                ),
            )
        )
    server.routes["/feed.rss"] = Route(render_rss(items).encode(), "application/rss+xml")
    return server, arts
