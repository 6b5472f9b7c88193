"""Celery task names: the contract between beat, the workers and anyone sending a task by
name (`celery -A tasks.celery_app call samflyt.sweep`). Renaming one breaks messages in flight."""

#: Fire the due timers, raise the due deadline notices, hand absent officers' open tasks to
#: their stand-ins (beat: every SAMFLYT_SWEEP_INTERVAL s).
SWEEP = "samflyt.sweep"
#: Plan and send the immediate e-mails of raised notices (beat: every SAMFLYT_SWEEP_INTERVAL s,
#: and right after a sweep that raised something).
DISPATCH_NOTICES = "samflyt.dispatch_notices"
#: Send the daily digests (beat: every day at SAMFLYT_DIGEST_HOUR).
SEND_DIGESTS = "samflyt.send_digests"
#: One item by ID: fire one instance's due timers / raise one notice / raise one task's "not
#: claimed" notice / send one e-mail.
FIRE_TIMERS = "samflyt.fire_timers"
RAISE_NOTICE = "samflyt.raise_notice"
RAISE_UNCLAIMED = "samflyt.raise_unclaimed"
DELIVER_NOTICE = "samflyt.deliver_notice"
#: Send one letter's copy to SvarUt by its LetterRecipient id (retried with backoff while
#: SvarUt does not answer; the shipment id makes a retry send nothing twice).
SEND_LETTER = "samflyt.send_letter"
#: Render one approved letter's PDFs by its Letter id (once: a second run finds them done).
RENDER_LETTER = "samflyt.render_letter"
#: Queue RENDER_LETTER for every approved letter not yet rendered, SEND_LETTER for every
#: queued copy and fetch the sent copies' status (beat: every
#: SAMFLYT_SWEEP_INTERVAL s; sending and status only when digital mail is on).
LETTERS = "samflyt.letters"
#: Make the audit trail's month partitions ahead of time (beat: daily; PostgreSQL).
AUDIT_PARTITIONS = "samflyt.audit_partitions"

#: The queue every Samflyt task goes to (a worker started without -Q consumes it).
QUEUE = "samflyt"

#: (soft, hard) time limits in seconds. The soft limit raises inside the task: the item in hand
#: is rolled back and the next run does it; the hard limit kills the worker process.
SWEEP_LIMITS = (240, 300)
DISPATCH_LIMITS = (240, 300)
DIGEST_LIMITS = (900, 960)
ITEM_LIMITS = (60, 90)
#: A send to SvarUt may take long (KS allows 16 minutes for a large letter).
LETTER_LIMITS = (1000, 1060)
#: Rendering a letter: a PDF takes about 0.2 s a copy; a minute is far more than enough.
RENDER_LIMITS = (60, 90)
#: Making a few empty partitions takes milliseconds; moving rows that waited in the DEFAULT
#: partition (maintenance that had not run for months) may take longer.
AUDIT_PARTITION_LIMITS = (240, 300)
#: Retries of SEND_LETTER: at most this many, waiting 2^n seconds up to the cap.
LETTER_RETRIES, LETTER_BACKOFF_MAX = 8, 600
