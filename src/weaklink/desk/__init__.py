"""The support desk (`weaklink serve`): cases made from customers' bundles, traced in the
background, shown as pages and a JSON API, and escalated as redacted bundles.

    config.py     where the desk keeps its data, where it listens, its limits
    store.py      the case store: SQLite with numbered migrations (migrations/*.sql)
    casefiles.py  where each case's files live
    work.py       tracing and bundling, run in worker processes
    service.py    the desk: cases, runs, notes, escalations, agents
    security.py   login, sessions, CSRF, security headers
    api.py        the JSON API and its route table
    openapi.py    the OpenAPI document, made from the route table
    pages.py      the pages (templates/, static/)
    app.py        the aiohttp application
"""
