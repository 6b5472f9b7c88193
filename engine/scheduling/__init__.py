"""Background work: the sweep (due timers, due deadlines, stale notices) and the scheduler
that runs it in chunks, in process or from Celery.

Owns: `chunks` (the chunked runner), `sweep`, `scheduler`. May import every other engine
package.
"""
