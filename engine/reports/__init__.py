"""Reports to registries outside Samflyt.

Owns: the yearly KPR extract of each person's individual plan and coordinator status
(`kpr`: who had an IP, a coordinator or a child coordinator in the year, with the dates).

May import: `core`, `db`, `persons`, `plans`, `letters`, `cases.audit`.
"""
