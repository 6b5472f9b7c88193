"""Cases: starting one, its processes (appeal, coordinator change), the case page and its
record of the person and the written work, intake (who may start which case, the person
first, the applicant), meetings' action items as tasks, a birth that moves the timers, the
plans' daily calendar rules and the carrying over of old plans, the append-only audit log,
and the demo data.

Owns: `casework`, `coordinator`, `intake`, `applicants`, `casepage`, `case_record`,
`action_items`, `births`, `plan_rules`, `plan_carry_over`, `audit`, `demo`,
`demo_persons`. May import `engine.core`, `engine.db`, `engine.workflow`,
`engine.definitions`, `engine.deadlines`, `engine.worklist`, `engine.notices`,
`engine.accounts`, `engine.access`, `engine.persons`, `engine.plans`.
"""
