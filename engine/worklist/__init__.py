"""The officers' work: human tasks (claim, assign, complete), the inbox and its saved
filters, the task page, and checking a form's data against its JSON Schema.

Owns: `humantasks`, `inbox_page`, `saved_filters`, `taskpage`, `forms`, `pagefields`. May import
`engine.core`, `engine.db`, `engine.workflow`, `engine.definitions`, `engine.deadlines`,
`engine.accounts`, `engine.cases`, `engine.access`.
"""
