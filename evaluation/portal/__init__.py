"""The web portal for coordinators and evaluators (Django).

Coordinators upload a file, read the intake's own check report in the page,
submit it through the same intake path as ``peer-eval submit``
(:func:`evaluation.intake.submit.submit_file`) and get a receipt; evaluators
see every prison's status, the quarantine, interview imports, quote sign-offs
and start a book build. The portal's own tables (accounts, sessions, audit of
access, uploads waiting to be submitted, build jobs) live in SQLite by default
(``<state dir>/portal.sqlite3``) or PostgreSQL through ``DATABASE_URL``; the
evaluation data stay in the workspace.

Apps: :mod:`.accounts` (users, roles, site memberships, second factor),
:mod:`.submissions` (coordinator pages), :mod:`.evaluator` (evaluator pages,
book build job), :mod:`.audit` (who did what, never an identifier).

Start it with ``peer-eval portal [WORKSPACE]`` (:mod:`evaluation.cli.portal_cmd`).
"""

__all__: list[str] = []
