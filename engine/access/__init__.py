"""Access: who may see a case and its tasks. The one place that decides.

Owns: `rules` (the rules, and the SQL clause the inbox filters with) and `refusals` (refused
reads written to the audit log). The case page, the task page, the task API, the inbox and
every task operation ask this package, so they cannot disagree. May import `engine.core`,
`engine.db`, `engine.accounts`.
"""
