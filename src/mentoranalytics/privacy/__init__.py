"""Privacy: the personal-data guard, quasi-identifier summary and disclosure control.

A gender breakdown of a cohort of ten can identify people, and course-review
reports travel beyond the course team.  This module holds every privacy rule of
the package, in four parts.

1. Personal-data guard (:func:`scan_personal_data`)
---------------------------------------------------
The loader calls :func:`scan_personal_data` on the raw table (strings, the user's
own headers) before anything else and refuses the file when it finds direct
identifiers.  Every finding names the file, row and column and the rule, says how to
resolve it (``drop_columns=[...]`` or ``allow_columns=[...]`` in ``load_cohort``),
and **never contains the value**.  A column with many hits is reported once, with
the count and the first few row numbers.  ``allow_columns`` switches every rule off
for the columns it names, except ``header_personal_data``.

Column-name rules (headers compared case- and separator-insensitively, as
:func:`mentoranalytics.schema.normalise_header` does; canonical column names and
their header aliases never trigger):

==========================  ==================================================
rule                        headers such as
==========================  ==================================================
``header_email``            E-mail, Email address, participant_email
``header_ip_address``       IP, IP address
``header_profile_url``      LinkedIn, profile URL, website, Twitter, ORCID
``header_nhs_number``       NHS number, NHS no
``header_ni_number``        NI number, National Insurance number, NINO
``header_national_id``      national ID, SSN, identity card, driving licence
``header_passport``         passport (number)
``header_phone``            phone, telephone, mobile, tel, fax
``header_postcode``         postcode, postal code, ZIP
``header_date_of_birth``    date of birth, DOB, birthday, year of birth
``header_address``          address, street, house number
``header_name``             name, first name, surname, full name, mentor name,
                            initials
``header_personal_data``    a header that is itself an e-mail address, phone
                            number, postcode, NHS or NI number, web address or
                            personal name (the value rules below but dates; the
                            column is then named by position)
==========================  ==================================================

A column whose every value is a yes/no word or a whole number of at most three
digits cannot hold the identifier its name suggests ("Cold e-mail?" yes/no,
"Emails sent" 3), and an empty column holds nothing: neither is refused.

Value rules run on **every column, schema columns included** (a name typed as a
cohort label, a date of birth in ``mentor_level``, a phone number in ``employment``
are refused like the same value in a free-text column).  Each is applied once per
*distinct* value of a column, which is factorised first (the cost grows with the
number of distinct values, not of rows), after Unicode compatibility folding (NFKC:
full-width ``＠`` and digits become ASCII):

* ``value_email``: an e-mail address anywhere (``jane.doe@example.com``), or one
  written to dodge filters: spaces around ``@`` (``jane @ example.com``), ``[at]``,
  ``(at)``, ``{at}``, ``<at>``, ``(dot)``/``[dot]``, full-width ``＠``, or the words
  "at" and "dot" (``jane dot doe at example dot com``).  A bare "at" counts only with
  a spelled-out "dot", a local part holding ``.``, ``_`` or a digit, or a local part
  that is a first name (``priya at example.org``): "worked at example.com" is no
  address;
* ``value_url``: a web address (``http://``, ``www.``), a profile link
  (linkedin.com/..., twitter.com/...) or an ``@handle``;
* ``value_phone``: UK numbers with the trunk 0 (``020 7946 0958``,
  ``07700 900123``, ``(0117) 496 0123``, ``020.7946.0958``: 10-11 digits), UK
  numbers that lost it (``20 7946 0958``, ``7700 900123``, ``117 496 0123``: ten
  digits starting 1, 2, 3 or 7, grouped with spaces, dots or hyphens; ``44 7700
  900123``; an ungrouped mobile ``7700900123``), international numbers (``+44 20
  7946 0958``, ``0044 ...``: 8-15 digits after ``+``/``00``) and North American
  ``(555) 123-4567``; plain integers, years and ranges never match;
* ``value_postcode``: a full UK postcode (outward and inward code, e.g. ``SW1A 1AA``,
  ``sw1a1aa``, ``SW1A  1AA``, ``SW1A-1AA``; the format of the UK Government Data
  Standards Catalogue / BS 7666);
* ``value_nhs_number``: ten digits grouped 3-3-4 (``943 476 5919``), 3-4-3
  (``943 4765 919``), 4-3-3 or not at all, with spaces, hyphens or dots, passing the
  NHS number modulus-11 check digit (NHS Data Dictionary, "NHS Number"); numbers
  made of one repeated digit are ignored;
* ``value_ni_number``: a National Insurance number (two prefix letters, six digits,
  suffix A-D, spaces, hyphens or dots between the pairs, with the prefixes HMRC never
  issues excluded; HMRC National Insurance Manual NIM39110);
* ``value_date_of_birth``: a full date (day, month and year) in a birth-like column
  (a header mentioning birth, born, DOB or age); a full date announced as a birth
  date in any column (``DOB 12/03/1985``, ``born 3 March 1985``, ``date of birth
  ...``); in a schema column (none holds dates) a full date from 1900 to
  :data:`~mentoranalytics.privacy.identifier_guard.BIRTH_YEAR_MAX` (later dates are
  left to the validator's ``excel_date`` rule: a spreadsheet's conversion of ``3-4``);
* ``value_name``: a cell that is a personal name, in any letter case: a first name
  or a common short form (``Jane Smith``, ``jane smith``, ``Jim Brown``, ``Liz``),
  a title and a name (``Dr Smith``, ``Prof. Jane Doe``), initials and a common
  surname (``J. Smith``, ``J Smith``; a bare ``A``/``I`` needs its dot),
  ``Smith, J.`` or ``Smith, Jane``; or such a name inside a text (``Mentor was Sarah
  Jones``, ``Line manager (Jim Brown)``, ``asked Dr Patel``).  Built-in lists
  (:data:`FIRST_NAMES`, ``DIMINUTIVES``, ``SURNAMES``) keep it precise: first names
  that are also words (Max, Mark, Will, Pat) count only before a common surname;
  a phrase whose later words name an organisation or a place (``Helen Hamlyn
  Centre``, ``Elizabeth Line``, ``George Street``), a name after Queen, King, St
  (``Queen Elizabeth Hospital``), one followed by more capitalised words (``Alan
  Turing Institute``) and upper-case acronyms (``TED Talk``, ``MS Teams``) are not
  names.  Organisations named after a person (``Thomas Cook``, ``Ted Baker``) are
  flagged: allow such a column;
* ``value_personal_name``: a column outside the schema (or the participant_id
  column) whose values are mostly one to four capitalised words, at least a quarter
  of them starting with a common first name from a built-in list (or a title such as
  Dr or Mrs); it finds columns of names whose first names are not in the list, and
  is reported once for the column (instead of ``value_name`` per cell);
* ``value_free_text``: more than :data:`FREE_TEXT_MAX_WORDS` words in a cell of a
  column outside the schema: narrative text can identify people.

A participant_id that is an e-mail address or a personal name is refused too: it
must be a pseudonymous code.

**Measured.** ``tests/test_identifier_battery.py`` plants identifiers one at a time
in an ordinary export (free-text and schema columns, and as headers): 161 of 161
caught (26% before these rules), and 78 of 82 (95%) of a second set written after
the rules and never tuned for (missed: a first name alone inside a text, full names
whose first name is not in the list, "b." for born); no finding on job titles,
organisation names, cohort labels, participant codes, the packaged samples and
simulated cohorts.  What is not caught: single surnames, names whose first name is
not in the list (unless a whole column of them), addresses without a postcode.

No message quotes a flagged value: the validator (:mod:`mentoranalytics.validation`)
describes such a value as "a value that looks like personal data (not shown)"
(:func:`~mentoranalytics.privacy.identifier_guard.looks_like_personal_data`, which
also counts every full date), and a header that is itself an identifier is named
by position ("column 7") in every message, even in a column given in
``allow_columns`` (rename it in the file).

2. Quasi-identifiers (:func:`privacy_summary`)
----------------------------------------------
Even without names, the combination of gender, cohort, employment and level can
single people out.  :func:`privacy_summary` reports the smallest group over the key
combination, i.e. the k of k-anonymity (Sweeney 2002, "k-anonymity: a model for
protecting privacy"), how many participants sit in groups below the threshold, and
advice (pool cohorts, merge small categories, drop participant_level from tables).
It never lists identities; counts only.

3. Disclosure control of tables (:func:`suppress`, :func:`audit`)
-----------------------------------------------------------------
Policies (:data:`POLICIES`, :class:`DisclosurePolicy`, :func:`policy`):

* ``standard``: counts of 1-4 suppressed (threshold 5), zeros shown;
* ``ons``: counts of 1-9 suppressed (threshold 10, the "threshold rule" of ONS and
  UK Secure Research Service output checking), every other count rounded to the
  nearest 5 (GSS/ONS 2014, "Disclosure control guidance for tables produced from
  administrative sources");
* ``nhs``: counts of 1-7 suppressed, every other count rounded to the nearest 5,
  zeros kept and published (NHS Digital, "Disclosure control methodology for
  Hospital Episode Statistics (HES) and Emergency Care Data Set (ECDS)", 2018);
  means and medians need at least 8 values;
* ``internal``: nothing suppressed; every page and export must carry
  :attr:`DisclosurePolicy.banner` ("internal — contains small numbers");
* a whole number: a custom threshold with the ``standard`` rules.

Suppression (:func:`suppress`) works on a two-way table of counts with its row,
column and grand totals (the totals are cells too):

* *primary suppression*: counts of 1 to threshold-1 (and 0 if the policy suppresses
  zeros);
* *secondary suppression*, so that no suppressed cell can be recovered from the
  totals: for every suppressed cell the cheapest "hypercube" (a rectangle of four
  cells whose alternating changes keep every total fixed; Repsilber 2002, the
  τ-ARGUS HYPERCUBE method) that leaves the cell a feasible range at least the
  threshold wide is suppressed (cost: the sum of the newly suppressed counts, so the
  smallest counts go first); lines (rows or columns, totals included) with exactly
  one suppressed cell, or whose suppressed cells add up to less than the threshold
  while the line total is published, get another cell; every suppressed cell is then
  checked exactly (below) and the loop repeats until all pass.  Every step
  suppresses at least one more cell, so it terminates (in the worst case with
  everything suppressed).  Rounding policies round the published counts (totals are
  rounded from their true values, so they need not add up).

The audit (:func:`audit`, :meth:`SuppressedTable.audit`) is the check an intruder
would make.  From the published numbers alone it solves, for every suppressed cell,
``min`` and ``max`` of the cell subject to every published cell (an equality, or for
a rounded count ``v`` the interval of true counts that round to ``v``; a published
count is known not to lie in the suppressed range 1..threshold-1) and all cells
``>= 0``, with ``scipy.optimize.linprog`` (the linear-programming audit of Hundepool
et al. 2012, *Statistical Disclosure Control*, Wiley, section 4.3).  **Criterion:**
a suppressed cell is safe when its feasible interval ``[lo, hi]`` is at least
``threshold`` wide, ``hi - lo >= threshold``.  This is the "sliding protection
level" of τ-ARGUS with the protection level set to the threshold: the intruder
cannot narrow the cell to fewer than ``threshold + 1`` possible values, so in
particular can never pin it inside ``1..threshold-1`` (which holds only
``threshold - 1`` values) and never learn it exactly.  The same criterion is
applied to secondary cells (a secondary cell that can be recovered protects
nothing).  Suppression itself checks the same bounds exactly and fast by maximum
flow (a two-way table with totals is a network, so the linear-programming bounds
equal maximum-flow values).

A report is audited as a whole with :class:`DisclosureLedger`: every published
count table built from the same microdata is registered, each cell being a sum
(indicator vector) of *base cells* of the finest cross-classification of the
variables involved (:func:`base_cell_incidence`), suppression is repeated until the
joint linear-programming audit of all tables passes, and the cells of the subsets
that a ``where=`` filter leaves out (the other cohorts) are checked too, so that
two tables cannot be differenced to reveal a cell.

Derived statistics (:func:`check_statistic`, :func:`withhold_if_unsafe`):
percentages follow their numerator and denominator
(:meth:`SuppressedTable.percentages`, computed from the published counts, as NHS
Digital does); means and medians need ``n >= policy.min_n_for_means``; minimum and
maximum are never published (each is one person's value); a test statistic or effect
estimate is withheld when a table behind it has a suppressed cell (a Fisher p-value
with known margins can reveal the table).

4. Export safety (:func:`neutralise_cell`, :func:`neutralise_frame`)
--------------------------------------------------------------------
A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is a formula to a spreadsheet.  Following the OWASP "CSV Injection" guidance, the
exporters prefix such cells with a single quote.  Numbers, and text that is just a
number (``-3.5``), are left alone.

Layout
------
:mod:`~mentoranalytics.privacy.identifier_guard` (part 1),
:mod:`~mentoranalytics.privacy.quasi_identifiers` (part 2),
:mod:`~mentoranalytics.privacy.policies`, :mod:`~mentoranalytics.privacy.suppression`,
:mod:`~mentoranalytics.privacy.joint_audit` (part 3),
:mod:`~mentoranalytics.privacy.output_rules` (derived statistics, part 4),
:mod:`~mentoranalytics.privacy.gate` (the release gate) and
:mod:`~mentoranalytics.privacy.release` (:func:`release`: the gate for a researcher's
outputs, written as a checked output pack).
"""

from __future__ import annotations

from .identifier_guard import (
    FIRST_NAMES,
    FREE_TEXT_MAX_WORDS,
    GUARD_RULES,
    MAX_ROWS_LISTED,
    scan_personal_data,
)
from .joint_audit import (
    MAX_BASE_CELLS,
    AuditResult,
    BaseCells,
    DisclosureLedger,
    TableSpec,
    audit,
    base_cell_incidence,
)
from .output_rules import check_statistic, neutralise_cell, neutralise_frame, withhold_if_unsafe
from .policies import POLICIES, DisclosurePolicy, policy
from .quasi_identifiers import PrivacySummary, privacy_summary
from .release import PackExistsError, ReleasePack, mark_released, release
from .suppression import SUPPRESSED_MARK, TOTAL, SuppressedTable, suppress

__all__ = [
    "FIRST_NAMES",
    "FREE_TEXT_MAX_WORDS",
    "GUARD_RULES",
    "MAX_BASE_CELLS",
    "MAX_ROWS_LISTED",
    "POLICIES",
    "SUPPRESSED_MARK",
    "TOTAL",
    "AuditResult",
    "BaseCells",
    "DisclosureLedger",
    "DisclosurePolicy",
    "PackExistsError",
    "PrivacySummary",
    "ReleasePack",
    "SuppressedTable",
    "TableSpec",
    "audit",
    "base_cell_incidence",
    "check_statistic",
    "mark_released",
    "neutralise_cell",
    "neutralise_frame",
    "policy",
    "privacy_summary",
    "release",
    "scan_personal_data",
    "suppress",
    "withhold_if_unsafe",
]
