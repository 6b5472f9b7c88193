"""Users, roles and signing in: the role catalogue (one source), passwords, sign-in
throttling, API tokens.

Owns: `users`, `roles`, `credentials`, `stand_ins` (who stands in for an absent officer
today). May import `engine.core`, `engine.db`.
"""
