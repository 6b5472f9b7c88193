"""Administration in the browser: the operations behind /admin (webui/views/admin*.py), each
checking who may do it (groups in engine/accounts/roles.py) and writing an audit event (no
case) naming who did it. The command line (webui/cli.py, webui/cli_organisation.py) calls the
same lower operations in engine/accounts and engine/organisation.

Owns: `guard` (who may), `people` (the user list, roles, the coordinator training register,
deactivation), `unit_admin` (units, members, home unit), `token_admin` (everyone's API tokens,
never the secret), `absences` (an officer's absence with a stand-in, and handing their tasks
over: `hand_over_due` runs in the scheduler's sweep). May import `engine.core`, `engine.db`,
`engine.accounts`, `engine.organisation`, `engine.deadlines`, `engine.cases.audit`.
"""
