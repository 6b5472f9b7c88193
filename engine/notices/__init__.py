"""Notices (escalations and warnings a diagram or a deadline raises, their lifecycle) and
their delivery by e-mail (immediate or daily digest; never health information).

Owns: `notice_board`, `mailing`. May import `engine.core`, `engine.db`, `engine.cases.audit`.
"""
