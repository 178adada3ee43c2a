"""Demo data of the support pipeline: the problems (애로과제) of program year 2010 and
everything that followed them until the end of the year.

About 3,000 problems (``--scale national``: 20,000) of small firms (≤ 50 employees, nine in
ten) of the 2010 hub and linked complexes, written in varied Korean from the templates and
word lists of ``data/support/demo_texts.json`` (needs × industries × details × styles: web
form, council meeting minutes, phone and visit notes; a few whose words point to another
category). Each problem is submitted on a working day of 2010 and then lives through the
pipeline as the services would move it, up to the end of the year (31 December 2010,
18:00): the triage engine's suggestion (the year's `triage_for_year` engine, one call per
text), the coordinator's decision (the suggestion confirmed, or overridden when the firm
meant something else), experts ranked by the matcher (never one of the firm's own
organisation) with mentoring notes, projects of every type with participants, milestones
and budgets that keep the year's cost-share rule, their approvals (with the duplicate-funding
check: its flags are overridden with a reason at approval, or left open on projects still
waiting), completion with outcomes and satisfaction surveys (most answered), referrals to
partner agencies with their outcomes, rejections and closures. What happens after the
cut-off does not happen, so the year ends with problems still waiting at every stage, some
past their service level.

The demo users have their story: the demo company (``company``) has four problems (one
with a completed project whose survey is still open — its one-time link is re-sent at
every run and printed — one in a running project, one matched to the demo expert, one
waiting for triage); the demo expert (``expert``) has cases of the coordinator's office;
the coordinator (``coordinator``) finds problems waiting for triage.

Rows are written in bulk (``bulk_create``), one audit entry per row under one batch
(``audit.record_created``), like the councils demo; they are what the services would have
written (statuses consistent with the timestamps, a category wherever the status needs
one, cost shares, one lead firm, no conflicted expert). Same seed → same content: every
choice comes from ``rng_for(seed, …)`` over lists sorted by natural keys. Running it again
adds nothing (the part is skipped when the year has problems) and only re-sends the demo
company's survey link.
"""
