"""Letters of a case: the decision (vedtak), the interim reply, an appeal's notices.

Owns: the letter kinds as data (`kinds`), the templates a process version carries and their
sandboxed rendering to HTML and PDF/A (`templates`, `render`), the legal rules per decided
item read from the version's «klagefrist» table (`legal`), what a letter says (`content`),
who receives it (`recipients`: the person, parents under 16, a guardian, a pårørende only
with a fullmakt that covers it), the life of a letter from draft to approval, immutable
after (`drafting`), sending through a channel and recording delivery, which starts the
appeal clock (`sending`), digital mail through KS SvarUt (`svarut`, the client; `outbox`,
each copy sent once and its status fetched), the preview of a drafting task's letter
(`preview`) and of a template being edited (`template_preview`), what diagrams do to letters
(`steps`: the `letterOperation` property), and the case's list of letters (`letter_list`).

May import: `core`, `db`, `accounts`, `access`, `persons`, `deadlines`, `workflow`,
`definitions.store`, `cases.audit`.
"""
