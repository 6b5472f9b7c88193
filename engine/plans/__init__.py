"""The individual plan, owned by the person: at most one not ended per person (`lifecycle`),
its content (a)–(i) of domain.md as rows (`content`, headings in `sections`), participants and
their consent (`participants`), the coordinator with history (`coordinators`), meetings of
the ansvarsgruppe (`meetings`), a version per approval that can be compared (`versions`), the
plan as a document and who reads how much of it (`plan_page`), and changes made outside the
processes (`editing`).

Processes read and write the plan through these operations (`steps` connects them to the
diagrams' `planOperation` property), never through free task data.

Owns: `sections`, `lifecycle`, `content`, `participants`, `coordinators`, `meetings`,
`versions`, `plan_page`, `editing`, `steps`. May import `engine.core`, `engine.db`,
`engine.accounts`, `engine.access`, `engine.persons`, `engine.deadlines.calendar`,
`engine.cases.audit`.
"""
