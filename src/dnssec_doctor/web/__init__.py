"""`dnssec-doctor serve`: the check as a web page and a JSON API (docs/web.md).

An ASGI application on Starlette, Jinja2 templates with autoescaping, run by uvicorn. It
calls the check service exactly as the command line does and renders the same report
data (render/check_json.py's dictionary, render/check_text.py's verdict words and
broken-link marks); nothing here decides anything about DNSSEC.
"""
