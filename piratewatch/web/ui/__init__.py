"""The operators' web UI: server-rendered pages (Jinja2 + htmx) on the API's own app.

Sign-in with an API key, a signed session cookie, CSRF tokens on every state-changing request; the
queue, notices, sites and providers. Views call the domain's services and queries; they hold no
business rules of their own. See ``docs/ui.md``.
"""
