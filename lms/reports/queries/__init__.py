"""Read-only queries behind the report pages and their xlsx exports, one module per page; every one is scoped to the
viewer (``common`` says how).

- ``common``: the viewer's scope, the person on a named row, the periods a page offers, the list length;
- ``supervisor_board``: the supervisor's board in one call, built from ``current_period`` (the period's monthly
  test and who has not sat it), ``risk`` (failed twice, failed once) and ``ledger`` (the deductions);
- ``open_tests``: the tests open now and how the viewer's managers stand in each (home page and board);
- ``period_report``: a period's page (rates, histogram, trend, bands, its ledger from ``ledger``, notices);
- ``person_report``: a person's page;
- ``analytics``: the trainer's quiz overview and item analysis;
- ``suggestions``: point-to-point training suggestions.

No query here runs per row: each page issues a fixed number of statements whatever the number of people
(tests/reports/test_query_counts.py holds this).
"""
