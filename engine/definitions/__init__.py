"""Process definitions as versioned data: deploying and reading versions, validation,
the process library and its heat map, drafts from the editors, and moving running cases to
another version (case and timer migration).

Owns: `store`, `validation`, `library`, `heatmap`, `process_page`, `drafts`, `editing`,
`case_migration`, `migration_data`, `timer_migration`. May import `engine.core`, `engine.db`,
`engine.workflow`, `engine.deadlines`, `engine.accounts`, `engine.cases`.
"""
