"""Background work on Celery and Redis (the scaled set-up): thin tasks that take IDs and
call one engine operation. The embedded default sweeps in-process instead (webui/background.py).
"""
