"""`dnssec-doctor monitor`: keep watch over zones so that an outage never happens.

config (TOML) → engine (rounds of checks through services.check) → store (SQLAlchemy
Core: SQLite or PostgreSQL) → alerts (Apprise, a command) and metrics (Prometheus).
docs/monitor.md is the user's page; docs/monitor-store.md and docs/metrics.md the public
interfaces.
"""
