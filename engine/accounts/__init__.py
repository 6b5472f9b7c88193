"""Users, roles and signing in: the role catalogue (one source), passwords, sign-in
throttling, API tokens.

Owns: `users`, `roles`, `credentials`. May import `engine.core`, `engine.db`.
"""
