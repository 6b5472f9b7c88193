"""The ground every other package stands on: settings (`SAMFLYT_*`), the clock, the engine
errors (each with a message key the web UI translates) and `EngineContext`, what every engine
operation receives.

Owns: `settings`, `clock`, `errors`, `messages` (N_ and Message: texts with a key),
`context`, `logs` (the logging set-up the boundaries call). Imports nothing of Samflyt
outside this package (the context names the workflow caches only for type checking).
"""
