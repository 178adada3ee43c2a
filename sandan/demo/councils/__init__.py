"""Demo data of the councils: the 2005–2009 era and program year 2010.

* 2005–2009: the 54 councils (미니클러스터) of the 12 original complexes, each on the hub
  designation of the year it was founded (the first seven complexes from 2005, the other
  five from 2008); firms of the complex as members (the chair firm, vice-chairs), one or
  more nearby universities or institutes, a technopark as advisor, sub-groups, and about
  15,000 networking activities in 2005–2008 with attendance (organisation, person, title).
  Two councils merge into a sibling in 2008.
* 2010: 2–5 councils per hub designation, themed by the main KSIC divisions of the firms of
  the hub and its linked complexes (firms of the linked complexes join the hub's councils),
  their activities from April to December 2010, and a few planned ones in the coming weeks
  (counted from the day of loading) with registrations, for the calendar and the reminders.
* ``--scale national`` then tops the attendance up to 2,000,000 rows (the benchmark).

Every council, membership, status change and sub-group goes through `councils.services`
(validated and audited one by one); activities and attendance through the bulk services
(`bulk_create_activities`, `bulk_record_attendance`: one audit entry per row, one batch per
step). The national top-up is benchmark load: its 1.8 million rows are written with
`core.io.fast_insert` (COPY on PostgreSQL) and audited as one entry per activity (the
attendance count before and after, under one batch), not one per row — a per-row log
would double the load for rows nobody edits.

Same seed → same data: every choice comes from `rng_for(seed, stable key)`, and every list
is sorted by natural keys (names, business numbers), never by primary keys. Running it
again adds nothing: each part is skipped when its councils exist already.
"""
