"""The person a case is about: national numbers (`identity`), the register of persons and
their relations (`registry`, and the person page's relation form `relations_form`), who may
see an address (`protection`), finding persons and cases (`search`), the person page as one
read (`person_page`), and the fixed vocabularies (`catalogue`).

Owns: `catalogue`, `identity`, `registry`, `relations_form`, `protection`, `search`,
`person_page`. May import `engine.core`, `engine.db`, `engine.accounts`, `engine.access`,
`engine.deadlines.calendar`, `engine.cases.audit`.
"""
