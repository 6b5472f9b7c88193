"""The person's read log: who read their information, when, what and why, in plain language
(pasientjournalloven § 22: the right to know who has had access). Built from the audit
trail, where every read, refused read and emergency access is written with the person it
concerns.

Owns: `report` (one person's reads over a period, as the page, the PDF and the API give
them) and `audit_view` (the coordinating unit's view of the reads by user, person, period
and emergency access, and the report of unusual reading). The events are written by
engine/cases/audit.py; the query over them, and how they are stored and kept, is
engine/audit (read_log.person_reads, partitions, retention).
"""
