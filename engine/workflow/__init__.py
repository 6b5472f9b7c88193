"""Running BPMN with SpiffWorkflow: loading and saving a workflow's state, one step from
a task or timer to the rows it writes, the spec cache, restricted scripts and safe XML.

Owns: `loading` (an instance's live workflow, a task's diagram properties), `step` (start,
run, persist a step), `task_rows`, `timer_rows` and `diagram_notices` (the rows a step
writes), `conflicts` (a lost race as ConflictError), `state`, `specs`, `scripting`,
`safe_xml`. A step persists only through `engine.db.fastpath`. May import `engine.core`,
`engine.db`, `engine.deadlines`, `engine.notices`, `engine.accounts`, `engine.cases.audit`,
`engine.definitions.store`.
"""
