"""Running BPMN with SpiffWorkflow: loading and saving a workflow's state, one step from
a task or timer to the rows it writes, the spec cache, restricted scripts and safe XML.

Owns: `runtime`, `state`, `specs`, `scripting`, `safe_xml`. May import `engine.core`,
`engine.db`, `engine.deadlines`, `engine.notices`, `engine.accounts`, `engine.cases.audit`,
`engine.definitions.store`.
"""
