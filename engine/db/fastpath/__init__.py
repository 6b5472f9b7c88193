"""The fast path: SQLAlchemy Core statements run on the driver's cursor, for the workflow
step and the sweep only (see docs/architecture.md, "One persistence rule").

Owns: `driver` (statements, read-through loading, pipelined writes), `rows` (writing rows
without ORM objects). May import `engine.core` and `engine.db`. Every private SQLAlchemy API it
touches is listed in `driver` with the reason.
"""
