"""Adversarial suite: attack report bundles from their published outputs only.

Modules
-------
``designs``
    Synthetic cohorts (25-50 people, one of 300) with disclosure traps.
``bundle``
    Builds a design's bundle with the command line and reads every published file
    (JSON, CSV, Excel, HTML, Markdown, SVG).
``adapter``
    The ONE place that knows the report's structure: table names, row and column
    labels, sentence patterns, chart element ids.  When the report renames a table or
    rewords a sentence, update this module only.
``attacks``
    Differencing, linear programming, inversion (rates, Wilson intervals, gaps, Fisher
    p, Mantel-Haenszel), summary inversion, class disclosure, figure geometry, text.
``targets``, ``truth``
    What an attack claims, and the judge that checks claims against the microdata
    (the attacks never see it).
``test_redteam``
    Zero recoveries under ``standard``/``ons``/``nhs``; controls on ``internal``.

Run ``pytest tests/redteam -m "not slow"`` for the fast part, ``pytest tests/redteam``
for everything.
"""
