"""The person a case is about: national numbers (`identity`), the register of persons and
their relations (`registry`), who may see an address (`protection`), finding persons and
cases (`search`), and the fixed vocabularies (`catalogue`).

Owns: `catalogue`, `identity`, `registry`, `protection`, `search`. May import
`engine.core`, `engine.db`, `engine.accounts`, `engine.cases.audit`.
"""
