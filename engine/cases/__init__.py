"""Cases: starting one, its processes (appeal, coordinator change), the case page, intake
(who may start which case), the append-only audit log, and the demo data.

Owns: `casework`, `coordinator`, `intake`, `casepage`, `audit`, `demo`. May import
`engine.core`, `engine.db`, `engine.workflow`, `engine.definitions`, `engine.worklist`,
`engine.notices`, `engine.accounts`, `engine.access`.
"""
