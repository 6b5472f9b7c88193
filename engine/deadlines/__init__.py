"""Time as the law counts it: calendar arithmetic for diagram expressions, working days
(Norwegian public holidays), legal dates (the rules as data in legal_rules.toml), and the
deadlines of human tasks (not claimed, overdue) that raise notices.

Owns: `calendar`, `workdays`, `legal`, `task_deadlines`. May import `engine.core`, `engine.db`,
`engine.notices`, `engine.cases.audit`.
"""
