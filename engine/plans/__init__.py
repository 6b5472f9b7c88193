"""The individual plan, owned by the person: at most one not ended per person (`lifecycle`),
its content (a)–(i) of domain.md as rows (`content`, headings in `sections`), participants and
their consent (`participants`), the coordinator with history (`coordinators`), meetings of
the ansvarsgruppe (`meetings`), and a version per approval that can be compared (`versions`).

Processes read and write the plan through these operations (engine/cases/plan_steps.py
connects them to the diagrams' `planOperation` property), never through free task data.

Owns: `sections`, `lifecycle`, `content`, `participants`, `coordinators`, `meetings`,
`versions`. May import `engine.core`, `engine.db`, `engine.accounts`, `engine.persons`,
`engine.cases.audit`.
"""
