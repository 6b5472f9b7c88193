"""The municipality's organisation as data: units (forvaltningskontoret, hjemmetjenesten,
barnevernet, a NAV office, …), the users who belong to them, and each case's responsible
unit, set at registration and changed only with a reason.

Owns: `kinds` (the kinds of unit), `units` (units and their members), `responsibility`
(a case's responsible unit). Access follows this data; the rules are engine/access.
"""
