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
for the columns it names.

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
                            number, ... (the column is then named by position)
==========================  ==================================================

A column whose every value is a yes/no word or a whole number of at most three
digits cannot hold the identifier its name suggests ("Cold e-mail?" yes/no,
"Emails sent" 3), and an empty column holds nothing: neither is refused.

Value rules (regular expressions compiled once and applied once per *distinct*
value of a column, which is factorised first: the cost grows with the number of
distinct values, not of rows):

* ``value_email``: an e-mail address anywhere, in any column;
* ``value_url``: a web address (``http://``, ``www.``), a profile link
  (linkedin.com/..., twitter.com/...) or an ``@handle``;
* ``value_phone``: UK numbers (``020 7946 0958``, ``07700 900123``,
  ``(0117) 496 0123``: 10-11 digits starting with 0), international numbers
  (``+44 20 7946 0958``, ``0044 ...``: 8-15 digits after ``+``/``00``) and North
  American ``(555) 123-4567``; plain integers and years never match;
* ``value_postcode``: a full UK postcode (outward and inward code, e.g. ``SW1A 1AA``;
  the format of the UK Government Data Standards Catalogue / BS 7666);
* ``value_nhs_number``: ten digits (``943 476 5919``) passing the NHS number
  modulus-11 check digit (NHS Data Dictionary, "NHS Number"); numbers made of one
  repeated digit are ignored;
* ``value_ni_number``: a National Insurance number (two prefix letters, six digits,
  suffix A-D, with the prefixes HMRC never issues excluded; HMRC National Insurance
  Manual NIM39110);
* ``value_date_of_birth``: full dates (day, month and year) in a birth-like column
  (a header mentioning birth, born, DOB or age);
* ``value_personal_name``: a column outside the schema (or the participant_id
  column) whose values are mostly one to four capitalised words, at least a quarter
  of them starting with a common first name from a built-in list (or a title such as
  Dr or Mrs): the list keeps the rule precise (job titles and organisation names do
  not trigger it);
* ``value_free_text``: more than :data:`FREE_TEXT_MAX_WORDS` words in a cell of a
  column outside the schema: narrative text can identify people.

A participant_id that is an e-mail address or a personal name is refused too: it
must be a pseudonymous code.

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
"""

from __future__ import annotations

import html
import itertools
import math
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ._frame import as_frame
from .exceptions import AnalysisError, DisclosureError
from .schema import HEADER_ALIASES, MISSING_MARKERS, normalise_header
from .stats._result import Result

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
    "PrivacySummary",
    "SuppressedTable",
    "TableSpec",
    "audit",
    "base_cell_incidence",
    "check_statistic",
    "neutralise_cell",
    "neutralise_frame",
    "policy",
    "privacy_summary",
    "scan_personal_data",
    "suppress",
    "withhold_if_unsafe",
]

# ======================================================================================
# 1. Personal-data guard
# ======================================================================================

#: A cell of a column outside the schema with more words than this is free text.
FREE_TEXT_MAX_WORDS = 12

#: Findings of one rule in one column are listed row by row up to this many rows;
#: beyond it the column is reported once with the count and the first rows.
MAX_ROWS_LISTED = 3

_ROWS_SHOWN = 5

_PERSON = (
    r"(?:participant|mentor|mentee|student|learner|delegate|candidate|person|personal|"
    r"contact|respondent|employee|manager|linemanager|supervisor|coach|member|client|"
    r"staff|trainee|applicant|attendee|alumnus|alumni|user|customer|patient)s?"
)

#: (kind, what it suggests, pattern searched in the normalised header), first match wins.
_HEADER_RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (kind, what, re.compile(pattern))
    for kind, what, pattern in (
        ("email", "e-mail addresses", rf"email|mailaddress|^mails?\d*$|^{_PERSON}mails?\d*$"),
        (
            "ip_address",
            "IP addresses",
            r"ipaddress|ipaddr|^ip(?:v[46])?\d*$|^(?:remote|client|user|source|src|host)ip$",
        ),
        (
            "profile_url",
            "profile links or web addresses",
            r"linkedin|profile(?:page)?(?:url|link)|url|website|webpage|homepage|twitter|"
            r"facebook|instagram|tiktok|socialmedia|orcid|github",
        ),
        ("nhs_number", "NHS numbers", r"nhs(?:no|num|number|id)|^nhs$"),
        (
            "ni_number",
            "National Insurance numbers",
            rf"nationalinsurance|^(?:{_PERSON})?ni(?:no|num|number)\d*$|^nino$",
        ),
        (
            "national_id",
            "national identity numbers",
            r"nationalid|nationalidentity|identitycard|identitynumber|idcard|^ssn\d*$|ssn$|"
            r"socialsecurity|taxpayer|^taxid|personnummer|citizenid|aadhaar|"
            r"driv(?:er|ing)licen[cs]e",
        ),
        ("passport", "passport numbers", r"passport"),
        (
            "phone",
            "telephone numbers",
            r"phone|^mobile|mobile(?:no|num|number)?\d*$|^tel(?:no|num|number|ephone)?\d*$|"
            rf"^{_PERSON}tel(?:no|number)?$|^cell(?:no|number)?$|^fax|whatsapp|contactn(?:o|umber)",
        ),
        (
            "postcode",
            "postcodes",
            r"postcode|postalcode|zipcode|^zip\d*$|^pcode$|^postal$|eircode",
        ),
        (
            "date_of_birth",
            "dates of birth",
            r"dateofbirth|birthdate|birthday|yearofbirth|birthyear|^dob|dob$|^bday|^born$|^birth$",
        ),
        ("address", "postal addresses", r"address|street|^addr\d*$|housenumber|housename"),
        (
            "name",
            "personal names",
            r"(?:first|last|sur|full|fore|given|family|middle|maiden|nick|user|christian|legal|"
            rf"preferred|display|birth)names?|^(?:{_PERSON})?names?|initials$",
        ),
    )
)

#: Weakly birth-like headers: full dates in them are treated as dates of birth.
_BIRTH_LIKE = re.compile(
    r"birth|born|dob|bday|^(?:participant|mentor)?age(?:s|years|yrs|at\w*|when\w*|on\w*)?\d*$"
)

#: Values that cannot be an identifier: yes/no words and whole numbers of <= 3 digits.
_HARMLESS_VALUE = r"(?i)^(?:yes|no|y|n|true|false|t|f|\d{1,3}(?:\.0+)?)$"

_EMAIL = r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
_URL = (
    r"(?i)(?:\b(?:https?|ftp)://|\bwww\.[a-z0-9\-]+\.|"
    r"\b(?:linkedin|twitter|facebook|instagram|github|tiktok|x)\.com/|"
    r"(?<![\w.@])@[A-Za-z0-9_]{3,30}(?![\w(@.]))"
)
_PHONE_PATTERNS: tuple[tuple[str, int, int], ...] = (
    # (pattern, minimum digits, maximum digits)
    (r"(?<![\w+])(?:\+|00)[1-9]\d{0,3}(?:[\s.\-]?\(?\d{1,5}\)?){2,6}(?!\d)", 8, 15),
    (r"(?<![\w+])(?:\(0\d{2,4}\)|0\d{2,4})[\s\-]?\d{3,4}[\s\-]?\d{3,4}(?!\d)", 10, 11),
    (r"(?<!\d)\(\d{3}\)\s?\d{3}[\s\-]\d{4}(?!\d)", 10, 10),
)
_POSTCODE = (
    r"(?i)(?<![A-Za-z0-9])(?:GIR\s?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|"
    r"[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRVWXY])\s?[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])"
)
_NHS_CANDIDATE = r"(?<![\d+])(\d{3})[\s\-]?(\d{3})[\s\-]?(\d{4})(?!\d)"
_NI_NUMBER = (
    r"(?i)(?<![A-Za-z0-9])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D](?![A-Za-z0-9])"
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_FULL_DATE = (
    r"(?i)(?<!\d)(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{2,4}}|"
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})(?!\d)"
)

_NAME_WORD = r"(?:[A-Z]\.|[A-Z][A-Za-z]*(?:['’\-][A-Za-z]+)*)"
_PARTICLE = r"(?:van|von|de|da|di|du|del|della|der|den|la|le|bin|binti|al|el|ter|ten)"
_TITLE = r"(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sir|Dame|Rev|Lord|Lady)\.?"
_NAME_SHAPE = (
    rf"^(?:{_TITLE}\s+)?{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_NAME_WORD}){{0,3}}$"
    rf"|^{_NAME_WORD}(?:\s+{_NAME_WORD})?,\s*(?:{_TITLE}\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD})?$"
)
_NAME_FIRST = rf"^(?:(?P<title>{_TITLE})\s+)?(?P<first>[A-Za-z][A-Za-z'’\-]*)"
_NAME_AFTER_COMMA = rf",\s*(?:{_TITLE}\s+)?(?P<after>[A-Za-z][A-Za-z'’\-]*)"

_MISSING_SEP = re.compile(r"[\s_\-/\\.,;:'\"()]+")
_HARMLESS_RE = re.compile(_HARMLESS_VALUE)
_EMAIL_RE = re.compile(_EMAIL)
_URL_RE = re.compile(_URL)
_PHONE_RES = tuple((re.compile(p), low, high) for p, low, high in _PHONE_PATTERNS)
_POSTCODE_RE = re.compile(_POSTCODE)
_NHS_CANDIDATE_RE = re.compile(_NHS_CANDIDATE)
_NI_NUMBER_RE = re.compile(_NI_NUMBER)
_FULL_DATE_RE = re.compile(_FULL_DATE)
_NAME_SHAPE_RE = re.compile(_NAME_SHAPE)
_NAME_FIRST_RE = re.compile(_NAME_FIRST)
_NAME_AFTER_COMMA_RE = re.compile(_NAME_AFTER_COMMA)

#: Common first names (lower case) used by the personal-name rule.  Names that are
#: also ordinary words or places (Grace, May, Will, Mark, Florence, Victoria, ...)
#: are left out on purpose, so category labels cannot trigger the rule.
FIRST_NAMES: frozenset[str] = frozenset(
    """
    aaron abena abigail adam adaeze adrian ahmed aisha akiko akosua alan alasdair alastair
    alex alexander alexandra alfie alice alison alistair amanda amelia amina amit ana andrea
    andrew angela angus anil anita anjali ann anna anne anthony antonio archie arjun arthur
    ashley astrid ava ayesha barbara beatrice benjamin bethany brenda brian callum carlos
    carol caroline catherine charlotte chiamaka chiara chinedu chloe christine christopher
    ciaran claire clare colin conor craig dafydd daniel darren david deborah declan deepa
    deepak derek diane dominic donna duncan dylan edward eleanor elaine elena elizabeth ella
    emeka emily emma esther ethan evie ewan fatima fiona folake francesca francesco francois
    fraser freddie freya gareth gary george georgina gillian giulia giuseppe gordon graham
    greta hamish hannah hans harriet harrison harry hassan heidi helen henri henry hiroshi
    hugo hussain ian imogen imran ingrid irene isabella isla jacob james jamie jane janet
    jennifer jens jeremy jessica joanne john jonathan jose joseph joshua judith julie juan
    jun karen kate katherine kavita keith kenji kenneth kevin klaus kofi kwame lakshmi lars
    laura lauren leila lewis liam linda lisa louise lucia lucy luis luke maria mariam marco
    margaret martin mary maryam matilda matthew megan mei melissa michael michelle miguel
    miriam mohammad mohammed monique muhammad nadia nancy naomi natalie neha neil ngozi
    niamh nicholas nicola nicolas nigel noah oliver olivia oluwaseun omar owen pablo pamela
    patricia patrick paul pedro peter philip philippe phoebe pierre pooja priya rachel
    rahul raj rajesh ravi rebecca rhys richard robert rupert ruth ryan sabine sakura samantha
    samuel sandra sanjay sarah scott sean sharon shirley simon siobhan sophia sophie stefan
    stephen steven stuart sunil sunita susan sven takeshi teresa theresa thomas timothy
    tracey tracy trevor tunde veronica vikram wayne wei wendy william yasmin yuki zainab
    """.split()
)

_DEFAULT_FIX = (
    "Delete the personal data from the file, or leave the column out with "
    "load_cohort(..., drop_columns=[{col!r}]); if the column holds no personal data, "
    "keep it with load_cohort(..., allow_columns=[{col!r}])."
)
_ID_FIX = (
    "participant_id must be a pseudonymous code (e.g. P001), never a name or an e-mail "
    "address: replace the identifiers with codes before loading; if they already are "
    "invented pseudonyms, keep the column with load_cohort(..., allow_columns=[{col!r}])."
)
_SCHEMA_FIX = (
    "Correct the value in the file (or leave the column out with "
    "load_cohort(..., drop_columns=[{col!r}])); if it is not personal data, keep the "
    "column with load_cohort(..., allow_columns=[{col!r}])."
)

#: Every rule of the guard: rule id -> what a hit means (for documentation).
GUARD_RULES: dict[str, str] = {
    **{f"header_{kind}": f"the column name suggests {what}" for kind, what, _ in _HEADER_RULES},
    "header_personal_data": "the header itself looks like personal data",
    "value_email": "an e-mail address",
    "value_url": "a web address, profile link or @handle",
    "value_phone": "a telephone number",
    "value_postcode": "a full UK postcode",
    "value_nhs_number": "an NHS number (passes the modulus-11 check)",
    "value_ni_number": "a National Insurance number",
    "value_date_of_birth": "a full date in a birth-like column",
    "value_personal_name": "a column of personal names",
    "value_free_text": f"free text of more than {FREE_TEXT_MAX_WORDS} words",
}

_VALUE_WHAT: dict[str, tuple[str, str]] = {
    # rule -> (one row, several rows)
    "value_email": ("holds an e-mail address", "hold e-mail addresses"),
    "value_url": ("holds a web address or profile link", "hold web addresses or profile links"),
    "value_phone": ("holds a telephone number", "hold telephone numbers"),
    "value_postcode": ("holds a full postcode", "hold full postcodes"),
    "value_nhs_number": ("holds an NHS number", "hold NHS numbers"),
    "value_ni_number": ("holds a National Insurance number", "hold National Insurance numbers"),
    "value_date_of_birth": (
        "holds a full date in a birth-like column (a date of birth)",
        "hold full dates in a birth-like column (dates of birth)",
    ),
    "value_free_text": (
        f"holds free text of more than {FREE_TEXT_MAX_WORDS} words (it may identify people)",
        f"hold free text of more than {FREE_TEXT_MAX_WORDS} words (it may identify people)",
    ),
}


def scan_personal_data(
    raw: pd.DataFrame,
    *,
    file: str | None = None,
    row_numbers: Sequence[int] | None = None,
    allow_columns: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Look for direct identifiers in a raw table of strings (original headers).

    The rules are listed in the module documentation (:mod:`mentoranalytics.privacy`).
    Values are never echoed: a finding names the file, row and column, the rule, and
    how to resolve it.

    Parameters
    ----------
    raw : DataFrame
        The table as read, with the user's own headers (before mapping).  Cells are
        strings or missing; other types are compared as text.
    file : str, optional
        File name, repeated in each finding.
    row_numbers : sequence of int, optional
        The row number shown for each row of ``raw`` (e.g. the spreadsheet line).
        Default: position + 2 (line 1 holds the headers).
    allow_columns : iterable of str, default=()
        Headers (or canonical names) whose columns are not checked at all.

    Returns
    -------
    list of dict
        One record per finding with keys ``file``, ``row``, ``column`` (the original
        header), ``rule`` (see ``GUARD_RULES``) and ``message``.  A rule that hits more
        than ``MAX_ROWS_LISTED`` rows of one column gives one record for the column
        (``row`` is its first hit).  Empty when nothing was found.

    Examples
    --------
    >>> raw = pd.DataFrame({"ID": ["P1", "P2"], "Contact": ["x", "jo@example.org"]})
    >>> [(f["row"], f["column"], f["rule"]) for f in scan_personal_data(raw)]
    [(3, 'Contact', 'value_email')]
    >>> scan_personal_data(raw, allow_columns=["Contact"])
    []
    """
    if not isinstance(raw, pd.DataFrame):
        raise AnalysisError(
            f"raw must be a pandas DataFrame, not {type(raw).__name__}. "
            "Pass the table as read from the file."
        )
    n_rows = len(raw)
    if row_numbers is None:
        rows = np.arange(n_rows, dtype=np.int64) + 2
    else:
        rows = np.asarray(list(row_numbers))
        if rows.shape != (n_rows,):
            raise AnalysisError(
                f"row_numbers must give one row number per row of raw ({n_rows}), "
                f"not {rows.size}. Pass the file's line numbers, or leave it out."
            )
    if isinstance(allow_columns, str):
        allow_columns = [allow_columns]
    allowed_norm = {normalise_header(a) for a in allow_columns}
    allowed_canon = {HEADER_ALIASES[a] for a in allowed_norm if a in HEADER_ALIASES}

    findings: list[dict[str, Any]] = []
    for pos in range(raw.shape[1]):
        header = str(raw.columns[pos])
        norm = normalise_header(header)
        canonical = HEADER_ALIASES.get(norm)
        if norm in allowed_norm or (canonical is not None and canonical in allowed_canon):
            continue
        findings.extend(_scan_column(raw.iloc[:, pos], header, norm, canonical, pos, rows, file))
    return findings


def _scan_column(
    col: pd.Series,
    header: str,
    norm: str,
    canonical: str | None,
    pos: int,
    rows: np.ndarray,
    file: str | None,
) -> list[dict[str, Any]]:
    """All findings of one column (see :func:`scan_personal_data`).

    The column is factorised once; every rule runs on its distinct values only, so
    the cost grows with the number of distinct values, not of rows.
    """
    if _header_is_personal(header):
        return [
            _finding(
                file,
                None,
                f"column {pos + 1}",
                "header_personal_data",
                f"{_where(file)}The header of column {pos + 1} itself looks like personal "
                "data (rule 'header_personal_data'). Rename the column in the file.",
            )
        ]
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    strings = _arrow_strings(uniques)
    text: Sequence[str]
    if strings is not None and len(strings) >= _Prefilter._MIN_VALUES:
        # many distinct texts held by Arrow: the prefilters read them there (their
        # conditions hold for the unstripped texts too), and only the candidates are
        # made Python strings
        text = _StrippedText(getattr(uniques, "array", uniques))
        pre = _Prefilter(strings)
    else:
        text = [str(u).strip() for u in np.asarray(uniques, dtype=object)]
        pre = _Prefilter.of(text)
    present_u = ~_where_true(
        lambda t: _MISSING_SEP.sub(" ", t.lower()).strip() in MISSING_MARKERS,
        text,
        pre.could_be_missing(),
    )
    valid = codes >= 0
    present_rows = np.zeros(len(codes), dtype=bool)
    present_rows[valid] = present_u[codes[valid]]
    if not present_rows.any():
        return []
    position = np.flatnonzero(present_u)  # unique index of each entry of `values`
    values: Sequence[str] = (
        text.subset(position) if isinstance(text, _StrippedText) else [text[k] for k in position]
    )
    pre = pre.take(position)

    if canonical == "participant_id":
        fix = _ID_FIX.format(col=header)
    elif canonical is not None:
        fix = _SCHEMA_FIX.format(col=header)
    else:
        fix = _DEFAULT_FIX.format(col=header)

    # column-name rules (never for canonical names and their aliases)
    if canonical is None:
        for kind, what, pattern in _HEADER_RULES:
            if pattern.search(norm):
                if all(_HARMLESS_RE.match(v) for v in values):
                    break
                hit_rows = rows[present_rows]
                shown = _row_list(hit_rows)
                message = (
                    f"{_where(file)}Column {header!r}: its name suggests {what} "
                    f"(rule 'header_{kind}'); {hit_rows.size} "
                    f"{'row holds' if hit_rows.size == 1 else 'rows hold'} values ({shown}). "
                    f"{fix}"
                )
                return [_finding(file, _first(hit_rows), header, f"header_{kind}", message)]

    # each rule runs only on the values that pass its necessary condition (_Prefilter)
    hits_by_rule: dict[str, np.ndarray] = {
        "value_email": _search(_EMAIL_RE, values, pre.contains_at()),
        "value_url": _search(_URL_RE, values, pre.contains_url_character()),
        "value_phone": _in_subset(_phone_hits, values, pre.digits_at_least(8)),
        "value_postcode": _search(_POSTCODE_RE, values, pre.digit_then_two_letters()),
        "value_nhs_number": _in_subset(_nhs_hits, values, pre.digits_at_least(10)),
        "value_ni_number": _search(_NI_NUMBER_RE, values, pre.two_letters_then_two_digits()),
    }
    if _BIRTH_LIKE.search(norm):
        hits_by_rule["value_date_of_birth"] = _search(_FULL_DATE_RE, values, pre.digits_at_least(3))
    if canonical is None:
        hits_by_rule["value_free_text"] = _where_true(
            lambda v: len(v.split()) > FREE_TEXT_MAX_WORDS,
            values,
            pre.length_at_least(2 * FREE_TEXT_MAX_WORDS + 1),
        )

    def rows_of(hit: np.ndarray) -> np.ndarray:
        hit_u = np.zeros(len(present_u), dtype=bool)
        hit_u[position[hit]] = True
        mask = np.zeros(len(codes), dtype=bool)
        mask[valid] = hit_u[codes[valid]]
        return rows[mask]

    findings: list[dict[str, Any]] = []
    for rule, hit in hits_by_rule.items():
        if hit.any():
            findings.extend(_value_findings(file, header, rule, rows_of(hit), fix))

    if canonical is None or canonical == "participant_id":
        weights = np.bincount(codes[valid], minlength=len(present_u))[position]
        name_hit = _personal_name_values(values, weights, pre.could_be_name())
        if name_hit is not None:
            hit_rows = rows_of(name_hit)
            message = (
                f"{_where(file)}Column {header!r}: {hit_rows.size} of {int(present_rows.sum())} "
                f"values look like personal names (rule 'value_personal_name'; "
                f"{_row_list(hit_rows)}). {fix}"
            )
            findings.append(
                _finding(file, _first(hit_rows), header, "value_personal_name", message)
            )
    return findings


def _search(
    pattern: re.Pattern[str], values: Sequence[str], candidates: np.ndarray | None = None
) -> np.ndarray:
    """Which values ``pattern`` finds something in (only ``candidates`` are searched)."""
    return _where_true(lambda v: pattern.search(v) is not None, values, candidates)


def _where_true(
    test: Any, values: Sequence[str], candidates: np.ndarray | None = None
) -> np.ndarray:
    """``test(v)`` for each value; False without calling it outside ``candidates``."""
    if candidates is None:
        return np.fromiter((bool(test(v)) for v in values), dtype=bool, count=len(values))
    out = np.zeros(len(values), dtype=bool)
    ks = np.flatnonzero(candidates).tolist()
    out[ks] = np.fromiter((bool(test(values[k])) for k in ks), dtype=np.bool_, count=len(ks))
    return out


def _in_subset(rule: Any, values: Sequence[str], candidates: np.ndarray | None) -> np.ndarray:
    """``rule(values)`` (a per-value mask) computed on the ``candidates`` only."""
    if candidates is None:
        return np.asarray(rule(values), dtype=bool)
    out = np.zeros(len(values), dtype=bool)
    ks = np.flatnonzero(candidates).tolist()
    if ks:
        out[ks] = rule([values[k] for k in ks])
    return out


def _arrow_strings(uniques: Any) -> Any:
    """The distinct values as one pyarrow string array, when pandas holds them so."""
    data = getattr(getattr(uniques, "array", uniques), "_pa_array", None)
    if data is None:
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is optional
        return None
    if not (pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        return None
    return data.combine_chunks() if isinstance(data, pa.ChunkedArray) else data


class _StrippedText(Sequence[str]):
    """``str(u).strip()`` of each distinct value, made only when asked for."""

    def __init__(self, uniques: Any, positions: np.ndarray | None = None) -> None:
        self._uniques = uniques
        self._positions = positions

    def __len__(self) -> int:
        return len(self._uniques) if self._positions is None else len(self._positions)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        j = k if self._positions is None else int(self._positions[k])
        return str(self._uniques[j]).strip()

    def subset(self, positions: np.ndarray) -> _StrippedText:
        if self._positions is not None:
            positions = self._positions[positions]
        return _StrippedText(self._uniques, positions)


class _Prefilter:
    """Vectorised necessary conditions of the value rules, on the distinct values.

    Each method returns a mask of the values that *could* match a rule (a value
    outside it cannot), or None (every value is a candidate).  The rules themselves
    (Python regular expressions) then run on the candidates only, so the findings are
    exactly those of running every rule on every value.

    The conditions are read from the values' UTF-8 bytes (an Arrow string array) with
    numpy: classes of bytes (digits, letters, spaces, ...) and their counts per value.
    They are counted on ASCII characters; a value with any non-ASCII character is
    always a candidate (Python's ``\\d`` and ``\\s`` also match non-ASCII digits and
    spaces, and a case-insensitive ``[a-z]`` matches the Kelvin sign).  Python's
    ``\\s`` among ASCII characters is ``[\\t-\\r\\x1c-\\x1f ]``.  A pattern that
    runs over the end of one value into the next only adds candidates.  Needs
    pyarrow; without it, or for few values, every value is a candidate.
    """

    _MIN_VALUES = 2_000

    def __init__(self, arr: Any = None) -> None:
        self.arr = arr
        self._data = np.zeros(0, dtype=np.uint8)
        self._starts = self._ends = np.zeros(0, dtype=np.int64)
        self._classes: dict[str, np.ndarray] = {}
        self._cache: dict[str, np.ndarray] = {}  # per value of the whole array
        self._index: np.ndarray | None = None  # the values kept by take()
        if arr is not None:
            import pyarrow as pa

            width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
            _, offset_buffer, buffer = arr.buffers()
            offsets = np.frombuffer(offset_buffer, dtype=width)
            offsets = offsets[arr.offset : arr.offset + len(arr) + 1].astype(np.int64)
            if buffer is not None:
                self._data = np.frombuffer(buffer, dtype=np.uint8)
            self._starts, self._ends = offsets[:-1], offsets[1:]

    @classmethod
    def of(cls, values: Sequence[str]) -> _Prefilter:
        if len(values) < cls._MIN_VALUES:
            return cls()
        try:
            import pyarrow as pa
        except ImportError:  # pragma: no cover - pyarrow is optional
            return cls()
        return cls(pa.array(values, type=pa.large_string()))

    def take(self, positions: np.ndarray) -> _Prefilter:
        if self.arr is None or self._index is None and positions.size == len(self._starts):
            return self
        out = _Prefilter()
        out.arr, out._data, out._starts, out._ends = self.arr, self._data, self._starts, self._ends
        out._classes, out._cache = self._classes, self._cache
        out._index = positions if self._index is None else self._index[positions]
        return out

    def _kept(self, values: np.ndarray) -> np.ndarray:
        return values if self._index is None else values[self._index]

    # -- bytes --------------------------------------------------------------------------
    def _byte_class(self, name: str) -> np.ndarray:
        """Per byte: digit, alpha (ASCII letter or any non-ASCII byte), space, ..."""
        if name not in self._classes:
            b = self._data
            if name == "digit":
                flag = (b >= 48) & (b <= 57)
            elif name == "ascii_letter":
                flag = ((b | 32) >= 97) & ((b | 32) <= 122)
            elif name == "alpha":
                flag = self._byte_class("ascii_letter") | (b >= 128)
            else:  # "space": Python's \\s among ASCII characters
                flag = ((b >= 9) & (b <= 13)) | ((b >= 28) & (b <= 32))
            self._classes[name] = flag
        return self._classes[name]

    def _reduce(self, per_byte: np.ndarray, ufunc: Any) -> np.ndarray:
        """``ufunc`` over the bytes of each value of the whole array (0 when empty)."""
        out = np.zeros(self._starts.size, dtype=np.int64)
        filled = self._ends > self._starts
        if filled.any():
            # the filled values' bytes are contiguous: one reduction per value
            starts = self._starts[filled]
            last = int(self._ends[filled][-1])
            out[filled] = ufunc.reduceat(per_byte[:last], starts)
        return out

    def _shifted(self, flag: np.ndarray, by: int) -> np.ndarray:
        """``flag`` of the byte ``by`` places further on (False past the end)."""
        out = np.zeros_like(flag)
        if by < flag.size:
            out[: flag.size - by] = flag[by:]
        return out

    _BITS = {"high": 1, "at": 2, "url": 4, "postcode": 8, "ni": 16, "not_missing": 32}

    def _has(self, name: str) -> np.ndarray:
        """Whether each kept value has a byte (or a byte sequence starting) of a kind."""
        if "bits" not in self._cache:
            b = self._data
            digit, letter = self._byte_class("digit"), self._byte_class("ascii_letter")
            alpha, space = self._byte_class("alpha"), self._byte_class("space")
            # postcode inward code: [0-9] then two letters
            postcode = digit & self._shifted(alpha, 1) & self._shifted(alpha, 2)
            # National Insurance number start: [A-Za-z]{2}\s?[0-9]{2}
            pair = letter & self._shifted(letter, 1)
            close = self._shifted(digit, 2) & self._shifted(digit, 3)
            spaced = self._shifted(space, 2) & self._shifted(digit, 3) & self._shifted(digit, 4)
            # missing markers use only a e l n o u among letters, and no digit
            keep = np.isin(b | 32, np.frombuffer(b"aelnou", dtype=np.uint8))
            code = (b >= 128).astype(np.uint8)
            code |= (b == ord("@")).astype(np.uint8) << 1
            code |= np.isin(b, np.frombuffer(b"@/.", dtype=np.uint8)).astype(np.uint8) << 2
            code |= postcode.astype(np.uint8) << 3
            code |= (pair & (close | spaced)).astype(np.uint8) << 4
            code |= (digit | (letter & ~keep)).astype(np.uint8) << 5
            self._cache["bits"] = self._reduce(code, np.bitwise_or)
        return (self._kept(self._cache["bits"]) & self._BITS[name]) > 0

    def _per_value(self, name: str) -> np.ndarray:
        """Digits or length of each kept value (cached for the whole array)."""
        if name not in self._cache:
            if name == "length":
                self._cache[name] = self._ends - self._starts
            else:
                self._cache[name] = self._reduce(self._byte_class(name).astype(np.int32), np.add)
        return self._kept(self._cache[name])

    def non_ascii(self) -> np.ndarray:
        return self._has("high")

    def _digits(self) -> np.ndarray:
        return self._per_value("digit")

    # -- conditions ---------------------------------------------------------------------
    def contains_at(self) -> np.ndarray | None:
        """Values holding an ``@`` (every e-mail address does)."""
        if self.arr is None:
            return None
        return self._has("at") | self.non_ascii()

    def contains_url_character(self) -> np.ndarray | None:
        """Values holding ``@``, ``/`` or ``.`` (every URL the rule finds does)."""
        if self.arr is None:
            return None
        return self._has("url") | self.non_ascii()

    def digits_at_least(self, k: int) -> np.ndarray | None:
        if self.arr is None:
            return None
        return (self._digits() >= k) | self.non_ascii()

    def length_at_least(self, k: int) -> np.ndarray | None:
        """At least ``k`` characters (bytes: a character takes one or more)."""
        if self.arr is None:
            return None
        return self._per_value("length") >= k

    def digit_then_two_letters(self) -> np.ndarray | None:
        """``[0-9]`` followed by two letters (a postcode's inward code)."""
        if self.arr is None:
            return None
        return self._has("postcode") | self.non_ascii()

    def two_letters_then_two_digits(self) -> np.ndarray | None:
        """``[A-Za-z]{2}\\s?[0-9]{2}`` (the start of a National Insurance number)."""
        if self.arr is None:
            return None
        return self._has("ni") | self.non_ascii()

    def could_be_missing(self) -> np.ndarray | None:
        """Missing markers (na, n a, nan, null, none, empty) use only the letters a e l
        n o u and separators: a value with another ASCII letter or a digit is not one."""
        if self.arr is None:
            return None
        return ~self._has("not_missing") | self.non_ascii()

    def could_be_name(self) -> np.ndarray | None:
        """Name-shaped values start with a capital A-Z (after any spaces) and hold no
        digit."""
        if self.arr is None:
            return None
        starts, ends = self._kept(self._starts), self._kept(self._ends)
        filled = ends > starts
        first = np.zeros(starts.size, dtype=np.uint8)
        first[filled] = self._data[starts[filled]]
        opens = ((first >= 65) & (first <= 90)) | ((first >= 9) & (first <= 13))
        opens |= (first >= 28) & (first <= 32)
        return filled & (opens | self.non_ascii()) & (self._digits() == 0)


def _header_is_personal(header: str) -> bool:
    """Whether a header itself is an e-mail address, phone number, ... (never echoed)."""
    one = [header]
    return bool(
        _EMAIL_RE.search(header)
        or _URL_RE.search(header)
        or _NI_NUMBER_RE.search(header)
        or _phone_hits(one)[0]
        or _nhs_hits(one)[0]
    )


def _phone_hits(values: Sequence[str]) -> np.ndarray:
    """Values holding a phone number (the digit count of each match is checked)."""

    def one(v: str) -> bool:
        for pattern, low, high in _PHONE_RES:
            for m in pattern.finditer(v):
                if low <= sum(ch.isdigit() for ch in m.group(0)) <= high:
                    return True
        return False

    return np.fromiter((one(v) for v in values), dtype=bool, count=len(values))


def _nhs_check_digit_ok(digits: np.ndarray) -> np.ndarray:
    """Modulus-11 check of ten-digit NHS numbers (rows of ``digits``).

    Weights 10..2 on the first nine digits; check = 11 - (sum mod 11), 11 -> 0,
    10 -> invalid; the check must equal the tenth digit (NHS Data Dictionary).
    """
    weights = np.arange(10, 1, -1)
    total = digits[:, :9] @ weights
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    return (check != 10) & (check == digits[:, 9])


def _nhs_hits(values: Sequence[str]) -> np.ndarray:
    """Values holding a ten-digit number that passes the NHS modulus-11 check.

    Candidates are collected once; the check digits are verified in one array step.
    """
    hit = np.zeros(len(values), dtype=bool)
    owners: list[int] = []
    numbers: list[str] = []
    for k, v in enumerate(values):
        for m in _NHS_CANDIDATE_RE.finditer(v):
            owners.append(k)
            numbers.append(m.group(1) + m.group(2) + m.group(3))
    if not numbers:
        return hit
    digits = (
        np.frombuffer("".join(numbers).encode("ascii"), dtype=np.uint8)
        .reshape(-1, 10)
        .astype(np.int64)
        - 48
    )
    ok = _nhs_check_digit_ok(digits) & ~(digits == digits[:, :1]).all(axis=1)
    hit[np.asarray(owners)[ok]] = True
    return hit


def _personal_name_values(
    values: Sequence[str], weights: np.ndarray, candidates: np.ndarray | None = None
) -> np.ndarray | None:
    """Which values look like names, when the column as a whole is one of names.

    The column counts as a column of names when at least 80% of its (row-weighted)
    values are one to four capitalised words (or "Surname, First"), and at least a
    quarter start with a common first name or a title.  Returns the per-value hit
    mask, or None when the column is not a column of names.  ``candidates``: the
    values that can have a name's shape (see :class:`_Prefilter`).
    """
    if not values:
        return None
    total = weights.sum()
    if candidates is not None and weights[candidates].sum() < 0.8 * total:
        return None  # too few could have a name's shape
    shape = _search(_NAME_SHAPE_RE, values, candidates)
    if total == 0 or weights[shape].sum() < 0.8 * total:
        return None

    def known(v: str) -> bool:
        m = _NAME_FIRST_RE.match(v)
        if m and (m.group("title") or m.group("first").lower() in FIRST_NAMES):
            return True
        after = _NAME_AFTER_COMMA_RE.search(v)
        return bool(after and after.group("after").lower() in FIRST_NAMES)

    known_mask = _where_true(known, values, shape)
    if weights[known_mask].sum() < 0.25 * total:
        return None
    return shape


def _value_findings(
    file: str | None, header: str, rule: str, hit_rows: np.ndarray, fix: str
) -> list[dict[str, Any]]:
    one, several = _VALUE_WHAT[rule]
    where = _where(file)
    if hit_rows.size <= MAX_ROWS_LISTED:
        return [
            _finding(
                file,
                _as_row(r),
                header,
                rule,
                f"{where}Row {_as_row(r)}, column {header!r} {one} (rule '{rule}'). {fix}",
            )
            for r in hit_rows
        ]
    message = (
        f"{where}Column {header!r}: {hit_rows.size} rows {several} (rule '{rule}'; "
        f"{_row_list(hit_rows)}). {fix}"
    )
    return [_finding(file, _first(hit_rows), header, rule, message)]


def _finding(file: str | None, row: Any, column: str, rule: str, message: str) -> dict[str, Any]:
    return {"file": file, "row": row, "column": column, "rule": rule, "message": message}


def _where(file: str | None) -> str:
    return f"{file}: " if file else ""


def _as_row(value: Any) -> Any:
    return int(value) if isinstance(value, (int, np.integer)) else value


def _first(rows: np.ndarray) -> Any:
    return _as_row(rows[0]) if rows.size else None


def _row_list(rows: np.ndarray) -> str:
    shown = ", ".join(str(_as_row(r)) for r in rows[:_ROWS_SHOWN])
    if rows.size == 1:
        return f"row {shown}"
    more = f" and {rows.size - _ROWS_SHOWN} more" if rows.size > _ROWS_SHOWN else ""
    return f"rows {shown}{more}"


# ======================================================================================
# 2. Quasi-identifiers
# ======================================================================================


@dataclass(frozen=True, kw_only=True)
class PrivacySummary(Result):
    """How well the participants hide in the crowd over a set of key columns.

    Attributes
    ----------
    keys_used, keys_missing : tuple of str
        The key columns found in the data, and those asked for but absent.
    threshold : int
        Groups smaller than this count as small.
    n : int
        Participants (rows).
    k : int
        Size of the smallest group over the combination of ``keys_used`` (the k of
        k-anonymity).  With no key present, ``k = n``.
    n_groups, n_small_groups, n_in_small_groups : int
        Groups (observed combinations), groups below the threshold, and participants
        in them.
    table : DataFrame
        One row per key combination tried (each key alone, all keys, all keys but
        one); columns ``keys``, ``n_keys``, ``n_groups``, ``k``, ``n_small_groups``,
        ``n_in_small_groups``.
    advice : tuple of str
        What to do, in words.  Counts only; identities are never listed.
    """

    keys_used: tuple[str, ...]
    keys_missing: tuple[str, ...]
    threshold: int
    n: int
    k: int
    n_groups: int
    n_small_groups: int
    n_in_small_groups: int
    table: pd.DataFrame = field(repr=False)
    advice: tuple[str, ...] = ()

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"k-anonymity by key combination": self.table}

    def _footer_lines(self) -> list[str]:
        head = [
            f"k = {self.k} over {' × '.join(self.keys_used) or 'no key'} "
            f"(threshold {self.threshold}); {self.n_in_small_groups} of {self.n} participants "
            f"are in {self.n_small_groups} groups smaller than {self.threshold}."
        ]
        if self.keys_missing:
            head.append(f"Not in the data (ignored): {', '.join(self.keys_missing)}.")
        return head + [f"Advice: {a}" for a in self.advice] + super()._footer_lines()


def _group_stats(frame: pd.DataFrame, keys: Sequence[str], threshold: int) -> dict[str, int]:
    if keys:
        sizes = frame.groupby(list(keys), dropna=False, observed=True).size().to_numpy()
    else:
        sizes = np.array([len(frame)])
    small = sizes < threshold
    return {
        "n_groups": int(sizes.size),
        "k": int(sizes.min()),
        "n_small_groups": int(small.sum()),
        "n_in_small_groups": int(sizes[small].sum()),
    }


def privacy_summary(
    data: Any,
    *,
    keys: Sequence[str] = ("gender", "cohort", "employment", "participant_level"),
    threshold: int = 5,
) -> PrivacySummary:
    """Smallest group over the quasi-identifiers, k-anonymity, and advice.

    Missing values of a key form a group of their own.  Only keys present in the data
    are used (``keys_used``); the others are listed in ``keys_missing``.

    Parameters
    ----------
    data : Cohort or DataFrame
        One row per participant.
    keys : sequence of str, default=("gender", "cohort", "employment", "participant_level")
        Quasi-identifier columns.
    threshold : int, default=5
        Groups smaller than this are small (use the threshold of the disclosure policy).

    Returns
    -------
    PrivacySummary
        ``k``, ``n_small_groups``, ``n_in_small_groups``, ``advice`` and ``table`` with
        columns ``keys``, ``n_keys``, ``n_groups``, ``k``, ``n_small_groups``,
        ``n_in_small_groups``.

    Examples
    --------
    >>> df = pd.DataFrame({"gender": ["woman"] * 6 + ["man"] * 2, "cohort": ["2019"] * 8})
    >>> s = privacy_summary(df)
    >>> s.k, s.n_in_small_groups, s.keys_used
    (2, 2, ('gender', 'cohort'))
    """
    frame = as_frame(data)
    if isinstance(keys, str):
        keys = (keys,)
    keys = tuple(keys)
    if not all(isinstance(k, str) for k in keys):
        raise AnalysisError(f"keys must be column names (strings), not {keys!r}.")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise AnalysisError(
            f"threshold must be a whole number >= 1, not {threshold!r}. "
            "Use the threshold of your disclosure policy, e.g. threshold=5."
        )
    threshold = int(threshold)
    if len(frame) == 0:
        raise AnalysisError("data has no rows, so there is no group to summarise.")
    used = tuple(k for k in dict.fromkeys(keys) if k in frame.columns)
    missing = tuple(k for k in dict.fromkeys(keys) if k not in frame.columns)

    combos: list[tuple[str, ...]] = [(k,) for k in used]
    if len(used) > 1:
        combos.append(used)
        combos += [tuple(k for k in used if k != drop) for drop in used]
    if not used:
        combos = [()]
    rows = []
    seen: set[tuple[str, ...]] = set()
    for combo in combos:
        if combo in seen:
            continue
        seen.add(combo)
        rows.append(
            {"keys": " × ".join(combo) or "(none)", "n_keys": len(combo)}
            | _group_stats(frame, combo, threshold)
        )
    table = pd.DataFrame(
        rows, columns=["keys", "n_keys", "n_groups", "k", "n_small_groups", "n_in_small_groups"]
    )
    overall = _group_stats(frame, used, threshold)
    advice = _privacy_advice(frame, used, threshold, overall)
    return PrivacySummary(
        method="k-anonymity over the key combination (Sweeney 2002)",
        keys_used=used,
        keys_missing=missing,
        threshold=threshold,
        n=len(frame),
        table=table,
        advice=tuple(advice),
        k=overall["k"],
        n_groups=overall["n_groups"],
        n_small_groups=overall["n_small_groups"],
        n_in_small_groups=overall["n_in_small_groups"],
    )


def _privacy_advice(
    frame: pd.DataFrame, used: tuple[str, ...], threshold: int, overall: dict[str, int]
) -> list[str]:
    k = overall["k"]
    if not used:
        return ["None of the key columns is in the data; nothing to assess."]
    if k >= threshold:
        return [
            f"Every combination of {' × '.join(used)} holds at least {threshold} participants "
            f"(k = {k}); tables over these keys need only the usual suppression."
        ]
    out = [
        f"{overall['n_in_small_groups']} of {len(frame)} participants are in "
        f"{overall['n_small_groups']} groups smaller than {threshold} (k = {k}): do not "
        f"publish tables that cross all of {', '.join(used)}."
    ]
    if "cohort" in used and len(used) > 1:
        pooled = _group_stats(frame, [u for u in used if u != "cohort"], threshold)["k"]
        if pooled > k:
            out.append(f"Pool cohorts: without cohort the smallest group rises to {pooled}.")
    for key in used:
        sizes = frame[key].value_counts(dropna=False)
        sizes = sizes[sizes > 0]  # empty categories identify no one
        n_small = int((sizes < threshold).sum())
        if n_small:
            out.append(
                f"Merge small categories of {key}: {n_small} of its {sizes.size} categories "
                f"have fewer than {threshold} participants."
            )
    if "participant_level" in used and len(used) > 1:
        without = _group_stats(frame, [u for u in used if u != "participant_level"], threshold)
        out.append(
            "Drop participant_level from published tables (or band it, e.g. 1-2, 3-4, 5-6): "
            f"without it the smallest group is {without['k']}."
        )
    return out


# ======================================================================================
# 3. Disclosure policies
# ======================================================================================


@dataclass(frozen=True)
class DisclosurePolicy:
    """A disclosure-control rulebook.

    Parameters
    ----------
    name : str
        Short name ("standard", "ons", "nhs", "internal", or "threshold_<k>").
    threshold : int
        Counts of 1 to ``threshold - 1`` are suppressed (``threshold <= 1``: none).
    suppress_zeros : bool, default=False
        Suppress zero counts too.
    rounding_base : int, optional
        Round every published count to the nearest multiple (halves up); None: exact.
    min_n_for_means : int, optional
        Means and medians need at least this many values; default ``threshold``.
    label : str
        One line describing the policy for footnotes.

    Examples
    --------
    >>> POLICIES["nhs"].threshold, POLICIES["nhs"].rounding_base
    (8, 5)
    >>> POLICIES["internal"].banner
    'internal — contains small numbers'
    >>> POLICIES["standard"].banner
    ''
    """

    name: str
    threshold: int
    suppress_zeros: bool = False
    rounding_base: int | None = None
    min_n_for_means: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if (
            isinstance(self.threshold, bool)
            or not isinstance(self.threshold, (int, np.integer))
            or self.threshold < 0
        ):
            raise AnalysisError(f"threshold must be a whole number >= 0, not {self.threshold!r}.")
        if self.rounding_base is not None and (
            isinstance(self.rounding_base, bool)
            or not isinstance(self.rounding_base, (int, np.integer))
            or self.rounding_base < 2
        ):
            raise AnalysisError(
                f"rounding_base must be None or a whole number >= 2, not {self.rounding_base!r}."
            )
        if self.min_n_for_means is None:
            object.__setattr__(self, "min_n_for_means", max(int(self.threshold), 1))
        if not self.label:
            object.__setattr__(self, "label", self.describe())

    @property
    def suppresses(self) -> bool:
        """Whether the policy suppresses anything at all."""
        return self.threshold > 1 or self.suppress_zeros

    @property
    def banner(self) -> str:
        """Text every page and export must carry: the label of a policy that suppresses
        nothing (``internal``), else empty."""
        return "" if self.suppresses else self.label

    def describe(self) -> str:
        """The rules in words, for a footnote.

        >>> POLICIES["ons"].describe()
        'counts of 1-9 suppressed (with further cells so that none can be recovered from totals); other counts rounded to the nearest 5'
        """
        if not self.suppresses:
            parts = ["no suppression: contains small numbers"]
        else:
            low = "0-" if self.suppress_zeros else "1-"
            parts = [
                f"counts of {low}{self.threshold - 1} suppressed (with further cells so that "
                "none can be recovered from totals)"
                if self.threshold > 1
                else "zero counts suppressed"
            ]
        if self.rounding_base:
            parts.append(f"other counts rounded to the nearest {self.rounding_base}")
        return "; ".join(parts)

    # -- array helpers (internal) -------------------------------------------------------

    def _primary(self, counts: np.ndarray) -> np.ndarray:
        counts = np.asarray(counts)
        out = (counts >= 1) & (counts < self.threshold)
        if self.suppress_zeros:
            out |= counts == 0
        return out

    def _round(self, counts: np.ndarray) -> np.ndarray:
        counts = np.asarray(counts, dtype=np.int64)
        if not self.rounding_base:
            return counts
        b = int(self.rounding_base)
        return ((counts + b // 2) // b) * b

    def _intervals(self, published: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """True counts consistent with published values (float; NaN entries ignored).

        A rounded value ``v`` stands for the integers that round to it,
        ``[v - base//2, v + (base-1)//2]``; a published count is known not to be in the
        suppressed range, which tightens the interval (kept only if non-empty).
        """
        v = np.asarray(published, dtype=float)
        if self.rounding_base:
            b = int(self.rounding_base)
            lo = np.maximum(v - b // 2, 0.0)
            hi = v + (b - 1) // 2
        else:
            lo, hi = v.copy(), v.copy()
        thr = float(self.threshold)
        zero_ok = not self.suppress_zeros
        lo2 = lo.copy()
        if not zero_ok:
            lo2 = np.where(lo2 == 0, 1.0, lo2)
        lo2 = np.where((lo2 >= 1) & (lo2 < thr), thr, lo2)
        hi2 = np.where((hi >= 1) & (hi < thr), np.where(zero_ok & (lo <= 0), 0.0, -1.0), hi)
        if not zero_ok:
            hi2 = np.where(hi2 == 0, -1.0, hi2)
        ok = lo2 <= hi2
        return np.where(ok, lo2, lo), np.where(ok, hi2, hi)


POLICIES: Mapping[str, DisclosurePolicy] = MappingProxyType(
    {
        "standard": DisclosurePolicy(
            "standard",
            5,
            label="standard: counts of 1-4 suppressed, with further cells so that none "
            "can be recovered from totals",
        ),
        "ons": DisclosurePolicy(
            "ons",
            10,
            rounding_base=5,
            label="ons: counts of 1-9 suppressed, others rounded to the nearest 5",
        ),
        "nhs": DisclosurePolicy(
            "nhs",
            8,
            rounding_base=5,
            label="nhs: counts of 1-7 suppressed, others rounded to the nearest 5, zeros shown",
        ),
        "internal": DisclosurePolicy(
            "internal", 1, min_n_for_means=1, label="internal — contains small numbers"
        ),
    }
)
"""The named presets: ``standard``, ``ons``, ``nhs`` and ``internal`` (read-only)."""


def policy(name_or_threshold: str | int | DisclosurePolicy = "standard") -> DisclosurePolicy:
    """Resolve a policy name, a custom threshold, or a :class:`DisclosurePolicy`.

    Parameters
    ----------
    name_or_threshold : str, int or DisclosurePolicy, default="standard"
        A key of :data:`POLICIES` (any case), a whole number >= 2 (counts below it
        suppressed, standard rules), or a policy (returned as is).

    Returns
    -------
    DisclosurePolicy

    Examples
    --------
    >>> policy("ONS").threshold
    10
    >>> policy(7).name, policy(7).threshold
    ('threshold_7', 7)
    """
    if isinstance(name_or_threshold, DisclosurePolicy):
        return name_or_threshold
    if isinstance(name_or_threshold, str):
        key = name_or_threshold.strip().lower()
        if key in POLICIES:
            return POLICIES[key]
        raise AnalysisError(
            f"Unknown disclosure policy {name_or_threshold!r}. Allowed: "
            f"{', '.join(repr(k) for k in POLICIES)}, a whole-number threshold such as 10, "
            "or a DisclosurePolicy."
        )
    if isinstance(name_or_threshold, (int, np.integer)) and not isinstance(name_or_threshold, bool):
        k = int(name_or_threshold)
        if k < 2:
            raise AnalysisError(
                f"A custom disclosure threshold must be at least 2, not {k}. "
                "For a report without suppression use policy='internal'."
            )
        return DisclosurePolicy(
            f"threshold_{k}",
            k,
            label=f"threshold {k}: counts of 1-{k - 1} suppressed, with further cells so "
            "that none can be recovered from totals",
        )
    raise AnalysisError(
        "policy must be a policy name "
        f"({', '.join(repr(k) for k in POLICIES)}), a whole-number threshold or a "
        f"DisclosurePolicy, not {type(name_or_threshold).__name__}."
    )


_resolve_policy = policy


# ======================================================================================
# 4. Cell suppression: the engine
# ======================================================================================
#
# A table with totals is held as an "extended grid" X of shape (R+1, C+1): the
# interior counts, the row totals in the last column, the column totals in the last
# row and the grand total in the corner.  Every line (row or column of the grid)
# satisfies  sum(interior cells) = total cell.  The grid is a network: source ->
# row i (row total), row i -> column j (cell), column j -> sink (column total),
# sink -> source (grand total); consistent tables are exactly the circulations of
# this network, so the linear-programming bounds of a cell are maximum flows.

#: Label of the total row and column.
TOTAL = "Total"
#: Marker of a suppressed cell in displays ("[c]": confidential, the GSS symbol).
SUPPRESSED_MARK = "[c]"

_INF = 10**15


def _extend(counts: np.ndarray) -> np.ndarray:
    """Counts (R, C) -> extended grid (R+1, C+1) with row, column and grand totals."""
    r, c = counts.shape
    grid = np.zeros((r + 1, c + 1), dtype=np.int64)
    grid[:r, :c] = counts
    grid[:r, c] = counts.sum(axis=1)
    grid[r, :c] = counts.sum(axis=0)
    grid[r, c] = counts.sum()
    return grid


def _maxflow(
    cap: list[list[int]],
    source: int,
    sink: int,
    limit: int,
    neighbours: list[list[int]] | None = None,
) -> int:
    """Edmonds-Karp maximum flow on a small dense graph (``cap`` is modified), capped.

    ``neighbours`` (node pairs with capacity in either direction) may be passed when
    the same graph is used repeatedly.
    """
    n = len(cap)
    flow = 0
    if neighbours is None:
        neighbours = [[v for v in range(n) if cap[u][v] or cap[v][u]] for u in range(n)]
    while flow < limit:
        parent = [-1] * n
        parent[source] = source
        queue = deque([source])
        while queue and parent[sink] < 0:
            u = queue.popleft()
            for v in neighbours[u]:
                if parent[v] < 0 and cap[u][v] > 0:
                    parent[v] = u
                    queue.append(v)
        if parent[sink] < 0:
            break
        push = limit - flow
        v = sink
        while v != source:
            u = parent[v]
            push = min(push, cap[u][v])
            v = u
        v = sink
        while v != source:
            u = parent[v]
            cap[u][v] -= push
            cap[v][u] += push
            v = u
        flow += push
    return flow


class _Grid:
    """Suppression state of one extended grid (internal)."""

    def __init__(self, grid: np.ndarray, pol: DisclosurePolicy, suppressed: np.ndarray) -> None:
        self.x = grid
        self.xl: list[list[int]] = grid.tolist()
        self.pol = pol
        self.need = max(int(pol.threshold), 1)
        self.s = suppressed.copy()
        self.r1, self.c1 = grid.shape
        self.sr = [1] * (self.r1 - 1) + [-1]
        self.sc = [1] * (self.c1 - 1) + [-1]
        self._residual: list[list[int]] | None = None
        self._neighbours: list[list[int]] = []
        self._safe: set[tuple[int, int]] = set()

    # -- state ------------------------------------------------------------------------

    def add(self, cells: Iterable[tuple[int, int]]) -> None:
        for cell in cells:
            self.s[cell] = True
        self._residual = None  # suppression only widens ranges: cached safe cells stay safe

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds of every cell an intruder knows: published intervals, [0, inf) else."""
        published = np.where(self.s, np.nan, self.pol._round(self.x).astype(float))
        lo, hi = self.pol._intervals(published)
        lo = np.where(self.s, 0.0, lo)
        hi = np.where(self.s, np.inf, hi)
        return lo, hi

    def _arc(self, i: int, j: int) -> tuple[int, int]:
        r, c = self.r1 - 1, self.c1 - 1
        if i < r and j < c:
            return 1 + i, 1 + r + j
        if i < r:
            return 0, 1 + i
        if j < c:
            return 1 + r + j, r + c + 1
        return r + c + 1, 0

    def residual(self) -> list[list[int]]:
        if self._residual is None:
            n = self.r1 + self.c1
            cap = [[0] * n for _ in range(n)]
            lo, hi = self.bounds()
            for i in range(self.r1):
                for j in range(self.c1):
                    u, v = self._arc(i, j)
                    x = self.xl[i][j]
                    cap[u][v] = _INF if math.isinf(hi[i, j]) else int(hi[i, j]) - x
                    cap[v][u] = x - int(lo[i, j])
            self._residual = cap
            self._neighbours = [[v for v in range(n) if cap[u][v] or cap[v][u]] for u in range(n)]
        return self._residual

    def flow_range(self, i: int, j: int, limit: int = _INF) -> tuple[int, int]:
        """(decrease, increase) the cell admits, each capped at ``limit``."""
        u, v = self._arc(i, j)
        base = self.residual()
        cap = [row[:] for row in base]
        cap[u][v] = cap[v][u] = 0
        inc = _maxflow(cap, v, u, limit, self._neighbours)
        cap = [row[:] for row in base]
        cap[u][v] = cap[v][u] = 0
        dec = min(_maxflow(cap, u, v, limit, self._neighbours), self.xl[i][j])
        return dec, inc

    # -- rectangles (hypercubes) --------------------------------------------------------

    def _width(self, i: int, j: int, k: int, col: int) -> float:
        """Feasible width of (i, j) along the rectangle (i, j), (i, col), (k, j), (k, col)."""
        xl, sr, sc = self.xl, self.sr, self.sc
        plus = minus = math.inf
        for a, b, p in ((i, j, 1), (i, col, -1), (k, j, -1), (k, col, 1)):
            v = xl[a][b]
            if sr[a] * sc[b] * p > 0:
                if v < plus:
                    plus = v
            elif v < minus:
                minus = v
        return plus + minus

    def rectangles(
        self, i: int, j: int
    ) -> Iterable[tuple[float, int, int, list[tuple[int, int]], int, int]]:
        """(width, cost, new totals, new cells, k, l) of every rectangle through (i, j)."""
        xl, s = self.xl, self.s
        last_r, last_c = self.r1 - 1, self.c1 - 1
        for k in range(self.r1):
            if k == i:
                continue
            for col in range(self.c1):
                if col == j:
                    continue
                new = [cell for cell in ((i, col), (k, j), (k, col)) if not s[cell]]
                cost = sum(xl[a][b] for a, b in new)
                totals = sum(1 for a, b in new if a == last_r or b == last_c)
                yield self._width(i, j, k, col), cost, totals, new, k, col

    def certified(self, i: int, j: int) -> bool:
        """Whether a rectangle of suppressed cells through (i, j) gives it enough room."""
        s = self.s
        rows = [k for k in range(self.r1) if k != i and s[k, j]]
        cols = [c for c in range(self.c1) if c != j and s[i, c]]
        return any(s[k, c] and self._width(i, j, k, c) >= self.need for k in rows for c in cols)

    def is_safe(self, i: int, j: int) -> bool:
        if (i, j) in self._safe:
            return True
        ok = self.certified(i, j)
        if not ok:
            dec, inc = self.flow_range(i, j, self.need)
            ok = dec + inc >= self.need
        if ok:
            self._safe.add((i, j))
        return ok

    def _cell_key(self, cell: tuple[int, int], *, crossing: int = 0) -> tuple[Any, ...]:
        a, b = cell
        v = self.xl[a][b]
        total = a == self.r1 - 1 or b == self.c1 - 1
        return (v == 0, v, crossing, total, a, b)

    def reinforce(self, i: int, j: int) -> bool:
        """Suppress more cells to protect (i, j); False when nothing is left to suppress."""
        best: tuple[Any, ...] | None = None
        fallback: tuple[Any, ...] | None = None
        key: tuple[Any, ...]
        for width, cost, totals, new, k, col in self.rectangles(i, j):
            if not new:
                continue
            if width >= self.need:
                key = (cost, totals, len(new), k, col, new)
                if best is None or key[:-1] < best[:-1]:
                    best = key
            else:
                key = (-width, cost, totals, len(new), k, col, new)
                if fallback is None or key[:-1] < fallback[:-1]:
                    fallback = key
        if best is not None:
            self.add(best[-1])
            return True
        if fallback is not None:
            self.add(fallback[-1])
            return True
        in_lines = [(i, b) for b in range(self.c1) if not self.s[i, b]]
        in_lines += [(a, j) for a in range(self.r1) if not self.s[a, j]]
        anywhere = [tuple(c) for c in np.argwhere(~self.s)]
        for pool in (in_lines, anywhere):
            if pool:
                self.add([min(pool, key=self._cell_key)])  # type: ignore[arg-type]
                return True
        return False

    def line_rules(self) -> bool:
        """No line with exactly one suppressed cell; with a published line total, the
        suppressed cells of the line add up to at least the threshold."""
        lines = [[(i, b) for b in range(self.c1)] for i in range(self.r1)]
        lines += [[(a, j) for a in range(self.r1)] for j in range(self.c1)]
        for line in lines:
            supp = [c for c in line if self.s[c]]
            if not supp:
                continue
            total = line[-1]
            short = not self.s[total] and sum(self.xl[a][b] for a, b in supp) < self.need
            if len(supp) != 1 and not short:
                continue
            candidates = [c for c in line if not self.s[c]]
            if not candidates:
                continue
            row_line = line[0][0] == line[-1][0]

            def key(cell: tuple[int, int], row_line: bool = row_line) -> tuple[Any, ...]:
                a, b = cell
                crossing = self.s[:, b].any() if row_line else self.s[a, :].any()
                return self._cell_key(cell, crossing=0 if crossing else 1)

            self.add([min(candidates, key=key)])
            return True
        return False


def _protect(
    grid: np.ndarray, pol: DisclosurePolicy, forced: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Primary and secondary suppression of an extended grid.

    Returns ``(suppressed, primary)`` boolean grids.  ``forced`` cells are suppressed
    from the start (used by the ledger and to check idempotence).
    """
    primary = pol._primary(grid)
    start = primary | forced if forced is not None else primary.copy()
    state = _Grid(grid, pol, start)
    if not state.s.any():
        return state.s, primary
    order_rank = np.where(primary, 0, np.where(forced if forced is not None else False, 1, 2))
    for _ in range(4 * grid.size + 4):  # each pass suppresses one more cell or stops
        cells = sorted(
            (tuple(c) for c in np.argwhere(state.s)),
            key=lambda c: (order_rank[c], state.xl[c[0]][c[1]], c),
        )
        unsafe = next((c for c in cells if not state.is_safe(*c)), None)
        if unsafe is not None:
            if not state.reinforce(*unsafe):
                break
            continue
        if state.line_rules():
            continue
        break
    return state.s, primary


def _exact_ranges(
    grid: np.ndarray, suppressed: np.ndarray, pol: DisclosurePolicy, limit: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact feasible range [lo, hi] of every suppressed cell (maximum flow).

    Used to cross-check the linear-programming audit.  With ``limit``, the moves down
    and up are each capped at ``limit``: the width is then at least ``limit`` exactly
    when the true width is.
    """
    state = _Grid(grid, pol, suppressed)
    lo = np.full(grid.shape, np.nan)
    hi = np.full(grid.shape, np.nan)
    for i, j in np.argwhere(suppressed):
        dec, inc = state.flow_range(int(i), int(j), _INF if limit is None else limit)
        x = int(grid[i, j])
        lo[i, j] = x - dec
        hi[i, j] = math.inf if inc >= _INF // 2 else x + inc
    return lo, hi


def _reasons(
    grid: np.ndarray,
    suppressed: np.ndarray,
    primary: np.ndarray,
    pol: DisclosurePolicy,
    cross: np.ndarray | None = None,
) -> np.ndarray:
    out = np.full(grid.shape, "", dtype=object)
    prim = np.asarray(primary, dtype=bool)
    row_has = (prim.sum(axis=1) > 0).tolist()
    col_has = (prim.sum(axis=0) > 0).tolist()
    for i, j in np.argwhere(suppressed):
        if primary[i, j]:
            out[i, j] = (
                "zero (the policy suppresses zeros)"
                if grid[i, j] == 0
                else f"fewer than {pol.threshold}"
            )
        elif cross is not None and cross[i, j]:
            out[i, j] = "secondary: protects a suppressed cell in another table"
        elif row_has[i]:
            out[i, j] = "secondary: protects a suppressed cell in the same row"
        elif col_has[j]:
            out[i, j] = "secondary: protects a suppressed cell in the same column"
        else:
            out[i, j] = "secondary: protects a suppressed cell elsewhere in the table"
    return out


# ======================================================================================
# 5. Suppressed tables
# ======================================================================================


@dataclass(frozen=True, kw_only=True)
class SuppressedTable(Result):
    """A count table after disclosure control.

    The ``*_full`` fields always include the total row and column (named
    :data:`TOTAL`); the properties without the suffix show them only when the table
    was made with ``margins=True``.  Protection always assumes the totals are known
    (they are usually published as group sizes elsewhere).

    Attributes
    ----------
    published : DataFrame
        Nullable integers; suppressed cells are ``<NA>``; rounded when the policy rounds.
    suppressed : DataFrame
        True where a cell is suppressed.
    reasons : DataFrame
        Why each cell is suppressed ("fewer than 5", "secondary: protects a suppressed
        cell in the same row", ...); "" when published.
    policy : DisclosurePolicy
    counts : DataFrame
        The TRUE counts.  For internal checks only: never publish or export them.
    """

    published_full: pd.DataFrame
    suppressed_full: pd.DataFrame
    reasons_full: pd.DataFrame
    counts_full: pd.DataFrame = field(repr=False)
    policy: DisclosurePolicy
    margins: bool = True
    name: str = ""

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def _view(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame if self.margins else frame.iloc[:-1, :-1]

    @property
    def published(self) -> pd.DataFrame:
        return self._view(self.published_full)

    @property
    def suppressed(self) -> pd.DataFrame:
        return self._view(self.suppressed_full)

    @property
    def reasons(self) -> pd.DataFrame:
        return self._view(self.reasons_full)

    @property
    def counts(self) -> pd.DataFrame:
        """True counts (internal use only; never export)."""
        return self._view(self.counts_full)

    @property
    def title(self) -> str:
        return self.name or "Suppressed table"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"published": self.published}

    def percentages(self, axis: str = "row") -> pd.DataFrame:
        """Percentages computed from the published counts (0-100).

        A percentage is missing when its numerator or denominator is suppressed (or the
        denominator is zero).  With a rounding policy, both are the rounded counts.

        Parameters
        ----------
        axis : {"row", "column", "total"}, default="row"
            Denominator: the row total, the column total or the grand total.

        Returns
        -------
        DataFrame
            Same shape and labels as :attr:`published`, float.
        """
        values = self.published_full.to_numpy(dtype=float, na_value=np.nan)
        if axis == "row":
            den = values[:, -1:]
        elif axis == "column":
            den = values[-1:, :]
        elif axis == "total":
            den = np.full_like(values, values[-1, -1])
        else:
            raise AnalysisError(f"axis must be 'row', 'column' or 'total', not {axis!r}.")
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = np.where(den > 0, 100.0 * values / den, np.nan)
        frame = pd.DataFrame(
            pct, index=self.published_full.index, columns=self.published_full.columns
        )
        return self._view(frame)

    def to_frame(self) -> pd.DataFrame:
        """Tidy long table: ``row``, ``column``, ``value``, ``suppressed``, ``reason``.

        ``value`` is the published count (``<NA>`` when suppressed); true counts are
        never included.
        """
        pub, sup, rea = self.published, self.suppressed, self.reasons
        n_r, n_c = pub.shape
        return pd.DataFrame(
            {
                "row": np.repeat(np.asarray(pub.index, dtype=object), n_c),
                "column": np.tile(np.asarray(pub.columns, dtype=object), n_r),
                "value": pd.array(pub.to_numpy().ravel(), dtype="Int64"),
                "suppressed": sup.to_numpy(dtype=bool).ravel(),
                "reason": rea.to_numpy(dtype=object).ravel(),
            }
        )

    def display(self) -> pd.DataFrame:
        """The published table as text, suppressed cells shown as ``[c]``."""
        pub = self.published
        text = pub.astype(object).where(~self.suppressed.to_numpy(), SUPPRESSED_MARK)
        return text.map(lambda v: SUPPRESSED_MARK if v is pd.NA else str(v))

    def _footer_lines(self) -> list[str]:
        lines = []
        if self.policy.banner:
            lines.append(self.policy.banner.upper())
        lines.append(f"Disclosure control: {self.policy.label}.")
        if self.suppressed.to_numpy().any():
            lines.append(f"{SUPPRESSED_MARK} = suppressed to protect confidentiality.")
        return lines + list(self.notes) + [f"Warning: {w}" for w in self.warnings]

    def to_markdown(self, digits: int = 3) -> str:
        from .stats._result import _markdown_table

        parts = [f"**{self.title}**", ""]
        if self.policy.banner:
            parts += [f"**{self.policy.banner.upper()}**", ""]
        parts += [_markdown_table(self.display().reset_index()), ""]
        parts += [line for line in self._footer_lines() if line != self.policy.banner.upper()]
        return "\n".join(parts).rstrip() + "\n"

    def _repr_html_(self) -> str:
        parts = ["<div class='ma-result'>"]
        if self.policy.banner:
            parts.append(f"<p><strong>{html.escape(self.policy.banner.upper())}</strong></p>")
        parts.append(f"<h4>{html.escape(self.title)}</h4>")
        parts.append(self.display().to_html(border=0))
        foot = [line for line in self._footer_lines() if line != self.policy.banner.upper()]
        parts.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in foot) + "</ul>")
        parts.append("</div>")
        return "".join(parts)

    def audit(self) -> AuditResult:
        """Linear-programming audit of this table from its published numbers."""
        return audit(self)


def _with_total(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        labels = [tuple(t) for t in index] + [(TOTAL,) + ("",) * (index.nlevels - 1)]
        return pd.MultiIndex.from_tuples(labels, names=index.names)
    return pd.Index([*index, TOTAL], dtype=object, name=index.name)


def _check_labels(index: pd.Index, what: str) -> None:
    flat = [v for t in index for v in (t if isinstance(t, tuple) else (t,))]
    if any(isinstance(v, str) and v == TOTAL for v in flat):
        raise AnalysisError(
            f"The table's {what} already contain a {TOTAL!r} label. Pass the table without "
            f"totals: suppress() adds the row, column and grand totals itself."
        )


def _count_matrix(table: Any, *, what: str = "table") -> np.ndarray:
    """Validate a 2-D table of counts and return it as int64."""
    if not isinstance(table, pd.DataFrame):
        raise AnalysisError(
            f"{what} must be a pandas DataFrame of counts (rows x columns, no totals), "
            f"not {type(table).__name__}. Build one with pd.crosstab(df[a], df[b])."
        )
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise AnalysisError(f"{what} is empty ({table.shape[0]} x {table.shape[1]}).")
    bad = [
        str(c)
        for c, dt in table.dtypes.items()
        if pd.api.types.is_bool_dtype(dt) or not pd.api.types.is_numeric_dtype(dt)
    ]
    if bad:
        raise AnalysisError(
            f"{what} must hold counts (whole numbers >= 0); columns {bad} are not numeric."
        )
    values = table.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(values).any():
        raise AnalysisError(f"{what} has missing counts; fill them (0) before suppressing.")
    if (values < 0).any() or not np.all(values == np.round(values)):
        raise AnalysisError(
            f"{what} must hold counts (whole numbers >= 0); it has negative or fractional values."
        )
    return values.astype(np.int64)


def _make_table(
    index: pd.Index,
    columns: pd.Index,
    grid: np.ndarray,
    suppressed: np.ndarray,
    primary: np.ndarray,
    pol: DisclosurePolicy,
    *,
    margins: bool,
    name: str,
    cross: np.ndarray | None = None,
) -> SuppressedTable:
    rows, cols = _with_total(index), _with_total(columns)
    rounded = pol._round(grid)
    published = pd.DataFrame(
        {
            k: pd.arrays.IntegerArray(
                np.ascontiguousarray(rounded[:, k], dtype=np.int64), suppressed[:, k].copy()
            )
            for k in range(grid.shape[1])
        }
    )
    published.index, published.columns = rows, cols
    reasons = _reasons(grid, suppressed, primary, pol, cross)
    n_supp = int(suppressed.sum())
    notes: tuple[str, ...] = ()
    if n_supp:
        n_primary = int((suppressed & primary).sum())
        notes = (
            f"{n_primary} cells suppressed under the policy's threshold and "
            f"{n_supp - n_primary} further cells so that none can be recovered from totals.",
        )
    return SuppressedTable(
        method=f"cell suppression ({pol.name})",
        notes=notes,
        published_full=published,
        suppressed_full=pd.DataFrame(suppressed, index=rows, columns=cols),
        reasons_full=pd.DataFrame(reasons, index=rows, columns=cols),
        counts_full=pd.DataFrame(grid, index=rows, columns=cols),
        policy=pol,
        margins=margins,
        name=name,
    )


def suppress(
    table: pd.DataFrame,
    policy: str | int | DisclosurePolicy = "standard",
    *,
    margins: bool = True,
    name: str = "",
) -> SuppressedTable:
    """Suppress small counts of a two-way table so that none can be recovered.

    Row, column and grand totals are added and treated as cells.  Primary suppression
    hides counts of 1 to threshold-1 (and zeros if the policy says so); secondary
    suppression hides further cells, smallest counts first, until every suppressed
    cell's feasible range, given everything published, is at least the threshold
    wide (see the module documentation for the exact criterion).

    Parameters
    ----------
    table : DataFrame
        Counts (whole numbers >= 0), rows x columns, without totals, e.g.
        ``pd.crosstab(df["gender"], df["promoted"])``.
    policy : str, int or DisclosurePolicy, default="standard"
        See :func:`policy`.
    margins : bool, default=True
        Show the totals.  With False they are hidden from the result but still
        assumed known when protecting (group sizes are usually published elsewhere).
    name : str, default=""
        Title of the table (used by audits and displays).

    Returns
    -------
    SuppressedTable
        ``published`` (nullable integers, ``<NA>`` when suppressed), ``suppressed``,
        ``reasons``, ``percentages(axis)``, ``to_frame()`` (columns ``row``,
        ``column``, ``value``, ``suppressed``, ``reason``) and ``audit()``.

    Examples
    --------
    >>> t = pd.DataFrame({"yes": [3, 8], "no": [10, 12]}, index=["woman", "man"])
    >>> res = suppress(t)
    >>> print(res.display())
           yes   no Total
    woman  [c]  [c]    13
    man    [c]  [c]    20
    Total   11   22    33
    >>> res.reasons.loc["woman", "yes"]
    'fewer than 5'
    >>> res.audit().ok
    True
    """
    pol = _resolve_policy(policy)
    counts = _count_matrix(table)
    _check_labels(table.index, "row labels")
    _check_labels(table.columns, "column labels")
    grid = _extend(counts)
    suppressed, primary = _protect(grid, pol)
    return _make_table(
        table.index, table.columns, grid, suppressed, primary, pol, margins=margins, name=name
    )


# ======================================================================================
# 6. Linear-programming audit
# ======================================================================================


@dataclass(frozen=True, kw_only=True)
class AuditResult(Result):
    """Result of a disclosure audit.

    Attributes
    ----------
    ok : bool
        True when every suppressed cell's feasible range is at least ``threshold`` wide.
    threshold : int
    cells : DataFrame
        One row per suppressed cell: ``table``, ``row``, ``column``, ``lo``, ``hi``
        (feasible range given the published numbers; ``hi`` may be inf), ``width``,
        ``safe``.  For the analyst only: ``lo``/``hi`` of an unsafe cell can reveal it.
    policy : DisclosurePolicy
    """

    ok: bool
    threshold: int
    cells: pd.DataFrame
    policy: DisclosurePolicy

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"suppressed cells": self.cells}

    @property
    def failures(self) -> pd.DataFrame:
        """The unsafe cells."""
        return self.cells[~self.cells["safe"].to_numpy(dtype=bool)]

    def raise_if_failed(self) -> None:
        """Raise :class:`DisclosureError` naming the unsafe cells (never their ranges)."""
        if self.ok:
            return
        bad = self.failures
        shown = [
            f"table {t!r} row {r!r} column {c!r}"
            for t, r, c in zip(bad["table"], bad["row"], bad["column"], strict=True)
        ]
        more = f" and {len(shown) - 10} more" if len(shown) > 10 else ""
        raise DisclosureError(
            f"Disclosure audit failed: {len(shown)} suppressed cell(s) can be narrowed to a "
            f"range narrower than {self.threshold}: {'; '.join(shown[:10])}{more}. Suppress "
            "more cells (suppress() does this; register tables built from the same data in "
            "one DisclosureLedger) or use a stricter policy."
        )

    def _footer_lines(self) -> list[str]:
        verdict = "passed" if self.ok else f"FAILED for {len(self.failures)} cell(s)"
        return [
            f"Audit {verdict}: every suppressed cell must have a feasible range at least "
            f"{self.threshold} wide ({self.policy.name} policy)."
        ] + super()._footer_lines()


class _LinearAudit:
    """The intruder's linear programme: {z >= 0 : lo <= published @ z <= hi}.

    ``published`` is a (cells x variables) 0/1 incidence matrix; rows with a single 1
    become variable bounds.  :meth:`bound` gives the minimum or maximum of a cell.
    """

    def __init__(self, published: np.ndarray, lo_pub: np.ndarray, hi_pub: np.ndarray) -> None:
        n_var = published.shape[1]
        var_lo = np.zeros(n_var)
        var_hi = np.full(n_var, np.inf)
        sizes = published.sum(axis=1)
        single = sizes == 1
        for row, lo, hi in zip(published[single], lo_pub[single], hi_pub[single], strict=True):
            k = int(np.flatnonzero(row)[0])
            var_lo[k] = max(var_lo[k], lo)
            var_hi[k] = min(var_hi[k], hi)
        if np.any(var_lo > var_hi):
            raise AnalysisError(
                "The published numbers are inconsistent (a cell cannot satisfy its own "
                "totals); audit the tables as produced by suppress()."
            )
        rest = ~single & (sizes > 0)
        a, lo_r, hi_r = published[rest].astype(float), lo_pub[rest], hi_pub[rest]
        exact = lo_r == hi_r
        self.a_eq = a[exact] if exact.any() else None
        self.b_eq = lo_r[exact] if exact.any() else None
        inexact = ~exact
        self.a_ub = np.vstack([a[inexact], -a[inexact]]) if inexact.any() else None
        self.b_ub = np.concatenate([hi_r[inexact], -lo_r[inexact]]) if inexact.any() else None
        self.bounds = [
            (float(lo), None if math.isinf(hi) else float(hi))
            for lo, hi in zip(var_lo, var_hi, strict=True)
        ]
        self._cache: dict[tuple[bytes, float], float] = {}

    def bound(self, objective: np.ndarray, sign: float) -> float:
        """Minimum (sign 1) or maximum (sign -1) of ``objective @ z``.

        Solved by HiGHS' dual simplex without presolve (these programmes are small:
        presolving took most of the time), falling back to HiGHS' default when that
        does not end with an answer.  Optima within 1e-9 (relative) of a whole number
        are that number: the data are counts, and floating-point noise must not decide
        between cells.
        """
        from scipy.optimize import linprog

        obj = np.asarray(objective, dtype=float)
        key = (obj.tobytes(), sign)
        if key not in self._cache:
            problem = dict(
                A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq, bounds=self.bounds
            )
            res = linprog(sign * obj, method="highs-ds", options={"presolve": False}, **problem)
            if res.status not in (0, 2, 3):
                res = linprog(sign * obj, method="highs", **problem)
            if res.status == 3:
                value = -sign * math.inf
            elif res.status != 0:
                raise AnalysisError(
                    "The published numbers are inconsistent with each other (the audit's "
                    f"linear programme is {'infeasible' if res.status == 2 else 'unsolved'}: "
                    f"{res.message}). Audit the tables as produced by suppress()."
                )
            else:
                value = sign * float(res.fun)
                whole = round(value)
                if abs(value - whole) <= 1e-9 * max(1.0, abs(value)):
                    value = float(whole)
            self._cache[key] = value
        return self._cache[key]


def _lp_ranges(
    published: np.ndarray, lo_pub: np.ndarray, hi_pub: np.ndarray, objectives: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """min and max of each objective row over {z >= 0 : lo <= published @ z <= hi}."""
    lp = _LinearAudit(published, lo_pub, hi_pub)
    lo = np.array([lp.bound(obj, 1.0) for obj in objectives], dtype=float)
    hi = np.array([lp.bound(obj, -1.0) for obj in objectives], dtype=float)
    return lo, hi


def _grid_incidence(r1: int, c1: int) -> np.ndarray:
    """Incidence (cells x interior cells) of an extended grid: each cell as a sum."""
    r, c = r1 - 1, c1 - 1
    inc = np.zeros((r1, c1, r, c), dtype=bool)
    for i in range(r):
        for j in range(c):
            inc[i, j, i, j] = True
            inc[i, c, i, j] = True
            inc[r, j, i, j] = True
            inc[r, c, i, j] = True
    return inc.reshape(r1 * c1, r * c)


def _published_grid(frame: pd.DataFrame, what: str) -> np.ndarray:
    bad = [
        str(c)
        for c, dt in frame.dtypes.items()
        if pd.api.types.is_bool_dtype(dt) or not pd.api.types.is_numeric_dtype(dt)
    ]
    if bad:
        raise AnalysisError(
            f"{what} must hold published counts (numbers, missing when suppressed); "
            f"columns {bad} are not numeric."
        )
    values = frame.to_numpy(dtype=float, na_value=np.nan)
    if (values[~np.isnan(values)] < 0).any():
        raise AnalysisError(f"{what} has negative counts.")
    return values


def _audit_grid(
    published: np.ndarray, audited: np.ndarray, pol: DisclosurePolicy
) -> tuple[np.ndarray, np.ndarray]:
    """LP ranges of the ``audited`` cells of one extended grid of published values."""
    r1, c1 = published.shape
    inc = _grid_incidence(r1, c1)
    flat = published.ravel()
    known = ~np.isnan(flat)
    lo, hi = pol._intervals(flat[known])
    return _lp_ranges(inc[known], lo, hi, inc[audited.ravel()])


def _cells_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Audit records (with the width each cell needs) -> the tidy cells table."""
    frame = pd.DataFrame(records, columns=["table", "row", "column", "lo", "hi", "need"])
    frame["lo"] = frame["lo"].astype(float)
    frame["hi"] = frame["hi"].astype(float)
    frame["width"] = frame["hi"] - frame["lo"]
    frame["safe"] = (frame["width"] >= frame["need"].astype(float) - 1e-7).astype(bool)
    return frame.drop(columns="need")


def audit(
    *tables: SuppressedTable | pd.DataFrame,
    policy: str | int | DisclosurePolicy | None = None,
    margins: bool | None = None,
) -> AuditResult:
    """Check that no suppressed cell can be narrowed to fewer than ``threshold`` values.

    For every suppressed cell, the minimum and maximum consistent with the published
    numbers are found with ``scipy.optimize.linprog`` (each published cell an equality,
    or for a rounded count the interval of counts that round to it; every cell >= 0).
    The cell is safe when ``hi - lo >= threshold`` (see the module documentation).
    Tables are audited independently; to audit tables built from the same microdata
    jointly (so they cannot be differenced), use :class:`DisclosureLedger`.

    Parameters
    ----------
    *tables : SuppressedTable or DataFrame
        Results of :func:`suppress`, or published tables with missing values for the
        suppressed cells.
    policy : str, int or DisclosurePolicy, optional
        Policy of DataFrame tables (default "standard"); overrides a SuppressedTable's own.
    margins : bool, optional
        Whether DataFrame tables end with a total row and column; default: when their
        last row and column are labelled "Total".  Without totals nothing links the
        cells, so every suppressed cell is safe.

    Returns
    -------
    AuditResult
        ``ok``, ``cells`` (columns ``table``, ``row``, ``column``, ``lo``, ``hi``,
        ``width``, ``safe``) and ``raise_if_failed()``.

    Examples
    --------
    >>> pub = pd.DataFrame({"yes": [None, 8, 11], "no": [10, 12, 22], "Total": [13, 20, 33]},
    ...                    index=["woman", "man", "Total"])
    >>> res = audit(pub)
    >>> res.ok, res.cells[["row", "column", "lo", "hi"]].to_dict("records")
    (False, [{'row': 'woman', 'column': 'yes', 'lo': 3.0, 'hi': 3.0}])
    """
    if not tables:
        raise AnalysisError("audit() needs at least one table (a SuppressedTable or DataFrame).")
    records: list[dict[str, Any]] = []
    pols = []
    for number, table in enumerate(tables, start=1):
        if isinstance(table, SuppressedTable):
            pol = _resolve_policy(policy) if policy is not None else table.policy
            values = table.published_full.to_numpy(dtype=float, na_value=np.nan)
            audited = table.suppressed_full.to_numpy(dtype=bool)
            rows, cols = table.published_full.index, table.published_full.columns
            label = table.name or f"table {number}"
        elif isinstance(table, pd.DataFrame):
            pol = _resolve_policy("standard" if policy is None else policy)
            label = f"table {number}"
            values = _published_grid(table, f"table {number}")
            has_margins = margins
            if has_margins is None:
                has_margins = (
                    len(table) > 0
                    and len(table.columns) > 0
                    and str(table.index[-1]) == TOTAL
                    and str(table.columns[-1]) == TOTAL
                )
            if has_margins:
                rows, cols = table.index, table.columns
                audited = np.isnan(values)
            else:
                rows, cols = _with_total(table.index), _with_total(table.columns)
                audited = np.zeros((values.shape[0] + 1, values.shape[1] + 1), dtype=bool)
                audited[:-1, :-1] = np.isnan(values)
                padded = np.full(audited.shape, np.nan)
                padded[:-1, :-1] = values
                values = padded
        else:
            raise AnalysisError(
                f"audit() takes SuppressedTable or DataFrame tables, not {type(table).__name__}."
            )
        pols.append(pol)
        if not audited.any():
            continue
        lo, hi = _audit_grid(values, audited, pol)
        for (i, j), a, b in zip(np.argwhere(audited), lo, hi, strict=True):
            records.append(
                {
                    "table": label,
                    "row": rows[i],
                    "column": cols[j],
                    "lo": a,
                    "hi": b,
                    "need": max(pol.threshold, 1),
                }
            )
    need = max(max(p.threshold, 1) for p in pols)
    cells = _cells_frame(records)
    return AuditResult(
        method="linear-programming bounds of each suppressed cell (scipy.optimize.linprog, HiGHS)",
        ok=bool(cells["safe"].all()),
        threshold=need,
        cells=cells,
        policy=pols[0],
    )


# ======================================================================================
# 7. Report-wide protection: base cells and the disclosure ledger
# ======================================================================================

#: Refuse cross-classifications larger than this (split the ledger instead).
MAX_BASE_CELLS = 200_000

_NA_LABEL = "missing"


@dataclass(frozen=True)
class TableSpec:
    """One published count table: ``rows`` x ``columns``, optionally restricted.

    Parameters
    ----------
    name : str
        Unique name.
    rows, columns : tuple of str
        Variables crossed in the rows and in the columns.
    where : tuple of (str, tuple) pairs, default=()
        Restriction to a subset, e.g. ``(("cohort", ("2019",)),)``.
    margins : bool, default=True
        Whether the totals are shown (they are assumed known either way).
    """

    name: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    where: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    margins: bool = True


@dataclass(frozen=True, eq=False)
class _TableCells:
    name: str
    index: pd.Index
    columns: pd.Index
    incidence: np.ndarray  # bool, (R+1)*(C+1) extended cells x base cells
    margins: bool

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.index) + 1, len(self.columns) + 1


@dataclass(frozen=True, eq=False)
class BaseCells:
    """The finest cross-classification of the variables of a set of tables.

    Attributes
    ----------
    variables : tuple of str
    levels : dict
        Observed levels of each variable (missing values form an extra level).
    counts : ndarray
        Participants in each base cell (true counts: internal use only).
    tables : dict
        Name -> cells of each registered table, with ``incidence``: a boolean matrix
        (extended cells x base cells) saying which base cells each cell adds up, in
        row-major order over the table with its totals.
    shadows : dict
        Cells of the subsets a ``where=`` filter leaves out (e.g. the other cohorts),
        which are not published but must not become recoverable.
    """

    variables: tuple[str, ...]
    levels: Mapping[str, tuple[Any, ...]]
    counts: np.ndarray
    tables: Mapping[str, _TableCells]
    shadows: Mapping[str, _TableCells]


def _as_spec(item: Any, number: int) -> TableSpec:
    if isinstance(item, TableSpec):
        return item
    if isinstance(item, Mapping):
        item = dict(item)
        return _make_spec(
            item.get("name", f"table {number}"),
            item.get("rows"),
            item.get("columns"),
            item.get("where"),
            item.get("margins", True),
        )
    if isinstance(item, tuple) and len(item) in (2, 3):
        return _make_spec(f"table {number}", item[0], item[1], item[2] if len(item) == 3 else None)
    raise AnalysisError(
        f"Table spec {number} must be a TableSpec, a (rows, columns[, where]) tuple or a dict, "
        f"not {type(item).__name__}."
    )


def _names(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise AnalysisError(f"{what} must be a column name or a list of column names, not {value!r}.")


def _make_spec(
    name: str, rows: Any, columns: Any, where: Any = None, margins: bool = True
) -> TableSpec:
    w: list[tuple[str, tuple[Any, ...]]] = []
    if where:
        if not isinstance(where, Mapping):
            raise AnalysisError(
                f"where must be a dict of column -> value(s), e.g. {{'cohort': '2019'}}, "
                f"not {type(where).__name__}."
            )
        for var, vals in where.items():
            if isinstance(vals, (str, bytes)) or not isinstance(vals, Iterable):
                vals = (vals,)
            w.append((str(var), tuple(vals)))
    return TableSpec(str(name), _names(rows, "rows"), _names(columns, "columns"), tuple(w), margins)


def _observed_levels(series: pd.Series) -> tuple[Any, ...]:
    present = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        seen = set(present.unique())
        return tuple(c for c in series.cat.categories if c in seen)
    uniques = list(pd.unique(present))
    try:
        return tuple(sorted(uniques))
    except TypeError:
        return tuple(uniques)


def _label_index(levels: Sequence[tuple[Any, ...]], names: Sequence[str]) -> pd.Index:
    if len(names) == 1:
        return pd.Index(list(levels[0]), dtype=object, name=names[0])
    return pd.MultiIndex.from_product([list(lv) for lv in levels], names=list(names))


def base_cell_incidence(microdata: Any, tables: Iterable[Any]) -> BaseCells:
    """Express every cell of a set of count tables as a sum of base cells.

    The base cells are the finest cross-classification of all variables the tables
    use (rows, columns and ``where`` filters), missing values forming a level of their
    own.  A table cell, row total, column total or grand total is the indicator vector
    of the base cells it adds up: stacking them gives the linear system an intruder
    can solve from everything published.

    Parameters
    ----------
    microdata : Cohort or DataFrame
        One row per participant.
    tables : iterable
        :class:`TableSpec` objects, ``(rows, columns)`` or ``(rows, columns, where)``
        tuples, or dicts with keys ``name``, ``rows``, ``columns``, ``where``.

    Returns
    -------
    BaseCells

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "y": [1, 0, 1], "c": ["x", "z", "x"]})
    >>> bc = base_cell_incidence(df, [("g", "y"), ("g", "y", {"c": "x"})])
    >>> bc.variables, len(bc.counts), list(bc.shadows)
    (('g', 'y', 'c'), 8, ['table 2 [c=z]'])
    """
    frame = as_frame(microdata)
    specs = [_as_spec(item, k) for k, item in enumerate(tables, start=1)]
    if not specs:
        raise AnalysisError("Register at least one table.")
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise AnalysisError(f"Table names must be unique; got {names}.")
    variables = tuple(
        dict.fromkeys(v for s in specs for v in (*s.rows, *s.columns, *(w for w, _ in s.where)))
    )
    missing = [v for v in variables if v not in frame.columns]
    if missing:
        raise AnalysisError(
            f"Columns {missing} not found in the data. Available: {[str(c) for c in frame.columns][:30]}."
        )
    levels: dict[str, tuple[Any, ...]] = {}
    dims: list[int] = []
    codes: list[np.ndarray] = []
    for v in variables:
        lv = _observed_levels(frame[v])
        levels[v] = lv
        # look up each distinct value once (same matching as looking up every value)
        value_codes, uniques = pd.factorize(frame[v])
        in_levels = pd.Index(list(lv), dtype=object).get_indexer(
            pd.Index(np.asarray(uniques, dtype=object), dtype=object)
        )
        code = np.append(in_levels, -1).astype(np.int64)[value_codes]  # -1: missing
        has_na = bool((code < 0).any())
        dims.append(len(lv) + int(has_na))
        codes.append(np.where(code < 0, len(lv), code))
    size = int(np.prod(dims))
    if size > MAX_BASE_CELLS:
        raise AnalysisError(
            f"The tables cross {len(variables)} variables into {size} base cells (limit "
            f"{MAX_BASE_CELLS}). Register tables that share variables in separate ledgers."
        )
    flat = np.ravel_multi_index(tuple(codes), tuple(dims)) if len(frame) else np.zeros(0, int)
    counts = np.bincount(flat, minlength=size).astype(np.int64)
    combos = np.unravel_index(np.arange(size), tuple(dims))
    position = {v: k for k, v in enumerate(variables)}

    def cells(spec_rows, spec_cols, where_codes, name, margins) -> _TableCells:
        def code_of(names: tuple[str, ...]) -> tuple[np.ndarray, int, list[tuple[Any, ...]]]:
            lv = [levels[v] for v in names]
            sub = [combos[position[v]] for v in names]
            valid = np.all([s < len(level) for s, level in zip(sub, lv, strict=True)], axis=0)
            shape = tuple(len(level) for level in lv)
            idx = np.full(size, -1, dtype=np.int64)
            if valid.any() and all(shape):
                idx[valid] = np.ravel_multi_index(tuple(s[valid] for s in sub), shape)
            return idx, int(np.prod(shape)), lv

        r_idx, n_r, r_lv = code_of(spec_rows)
        c_idx, n_c, c_lv = code_of(spec_cols)
        inside = (r_idx >= 0) & (c_idx >= 0)
        for v, allowed in where_codes:
            inside &= np.isin(combos[position[v]], allowed)
        b = np.flatnonzero(inside)
        inc = np.zeros(((n_r + 1) * (n_c + 1), size), dtype=bool)
        width = n_c + 1
        inc[r_idx[b] * width + c_idx[b], b] = True
        inc[r_idx[b] * width + n_c, b] = True
        inc[n_r * width + c_idx[b], b] = True
        inc[n_r * width + n_c, b] = True
        return _TableCells(
            name, _label_index(r_lv, spec_rows), _label_index(c_lv, spec_cols), inc, margins
        )

    registered: dict[str, _TableCells] = {}
    shadows: dict[str, _TableCells] = {}
    keys = set()
    for spec in specs:
        where_codes = []
        for v, vals in spec.where:
            lv = levels[v]
            unknown = [x for x in vals if x not in lv]
            if unknown:
                raise AnalysisError(
                    f"Table {spec.name!r}: where={{{v!r}: ...}} asks for {unknown}, which no "
                    f"participant has. Observed values of {v!r}: {list(lv)[:20]}."
                )
            where_codes.append((v, [lv.index(x) for x in vals]))
        registered[spec.name] = cells(spec.rows, spec.columns, where_codes, spec.name, spec.margins)
        keys.add((spec.rows, spec.columns, tuple((v, tuple(c)) for v, c in where_codes)))
    for spec in specs:
        if not spec.where:
            continue
        wvars = [v for v, _ in spec.where]
        ranges = [range(dims[position[v]]) for v in wvars]
        for combo in itertools.product(*ranges):
            key = (
                spec.rows,
                spec.columns,
                tuple((v, (c,)) for v, c in zip(wvars, combo, strict=True)),
            )
            if key in keys:
                continue
            keys.add(key)
            label = ", ".join(
                f"{v}={levels[v][c] if c < len(levels[v]) else _NA_LABEL}"
                for v, c in zip(wvars, combo, strict=True)
            )
            name = f"{spec.name} [{label}]"
            shadows[name] = cells(
                spec.rows,
                spec.columns,
                [(v, [c]) for v, c in zip(wvars, combo, strict=True)],
                name,
                True,
            )
    return BaseCells(variables, levels, counts, registered, shadows)


class DisclosureLedger:
    """Protect and audit all count tables of a report together.

    Register every published count table built from the same microdata with
    :meth:`add`; :meth:`suppress` protects each table (as :func:`suppress` does) and
    then repeats, suppressing more cells, until the joint linear-programming audit of
    all tables passes: no suppressed cell, and no small cell of a subset left out by a
    ``where=`` filter (e.g. the other cohorts when one cohort's table and the overall
    table are both published), can be narrowed below the threshold by combining tables.
    When a cell fails, every published cell (of any table) that shares participants
    with it is tried in turn (suppressed, its table re-protected, the cell re-audited),
    and the one that protects the cell with the least information loss (the smallest
    sum of newly suppressed counts) is kept; every round suppresses at least one more
    cell, so the loop ends.

    Parameters
    ----------
    microdata : Cohort or DataFrame
        One row per participant.
    policy : str, int or DisclosurePolicy, default="standard"

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "cohort": ["A"] * 30 + ["B"] * 12,
    ...     "gender": (["woman"] * 15 + ["man"] * 15) + (["woman"] * 6 + ["man"] * 6),
    ...     "promoted": ([1] * 7 + [0] * 8) * 2 + [1, 1, 0, 0, 0, 0] + [1] * 3 + [0] * 3,
    ... })
    >>> ledger = DisclosureLedger(df)
    >>> _ = ledger.add("overall", rows="gender", columns="promoted")
    >>> _ = ledger.add("cohort A", rows="gender", columns="promoted", where={"cohort": "A"})
    >>> tables = ledger.suppress()
    >>> ledger.audit().ok
    True
    """

    def __init__(
        self, microdata: Any, *, policy: str | int | DisclosurePolicy = "standard"
    ) -> None:
        self._data = as_frame(microdata)
        self.policy = _resolve_policy(policy)
        self._specs: list[TableSpec] = []
        self._result: tuple[dict[str, SuppressedTable], AuditResult] | None = None

    @property
    def specs(self) -> tuple[TableSpec, ...]:
        """The registered tables."""
        return tuple(self._specs)

    def add(
        self,
        name: str,
        *,
        rows: str | Sequence[str],
        columns: str | Sequence[str],
        where: Mapping[str, Any] | None = None,
        margins: bool = True,
    ) -> DisclosureLedger:
        """Register a published count table ``rows`` x ``columns`` (restricted by ``where``).

        Returns the ledger, so calls can be chained.
        """
        spec = _make_spec(name, rows, columns, where, margins)
        if any(s.name == spec.name for s in self._specs):
            raise AnalysisError(
                f"A table named {spec.name!r} is already registered; use another name."
            )
        self._specs.append(spec)
        self._result = None
        return self

    def incidence(self) -> BaseCells:
        """Base cells and the incidence of every registered table (see :func:`base_cell_incidence`)."""
        if not self._specs:
            raise AnalysisError("Register tables with ledger.add(...) before suppressing.")
        return base_cell_incidence(self._data, self._specs)

    def suppress(self) -> dict[str, SuppressedTable]:
        """Jointly protected tables, by name."""
        return self._run()[0]

    def audit(self) -> AuditResult:
        """Joint linear-programming audit of all registered tables (after :meth:`suppress`)."""
        return self._run()[1]

    def _run(self) -> tuple[dict[str, SuppressedTable], AuditResult]:
        if self._result is not None:
            return self._result
        bc = self.incidence()
        pol = self.policy
        names = list(bc.tables)
        grids = {
            n: (bc.tables[n].incidence.astype(np.int64) @ bc.counts).reshape(bc.tables[n].shape)
            for n in names
        }
        cross = {n: np.zeros(grids[n].shape, dtype=bool) for n in names}
        state: dict[str, tuple[np.ndarray, np.ndarray]] = {
            n: _protect(grids[n], pol) for n in names
        }
        system = _JointSystem(bc, grids, pol)
        safe: set[bytes] = set()
        for _ in range(sum(g.size for g in grids.values()) + 1):
            row = system.first_failure(state, safe)
            if row is None:
                break
            support = system.incidence[row]
            best: tuple[Any, ...] | None = None
            for order, n in enumerate(names):
                s, primary = state[n]
                overlap = bc.tables[n].incidence[:, support].any(axis=1)
                for flat in np.flatnonzero(overlap & ~s.ravel()):
                    # try it: suppress this cell, re-protect its table, re-audit the cell
                    forced = s | cross[n]
                    forced.ravel()[flat] = True
                    trial, _ = _protect(grids[n], pol, forced=forced)
                    loss = int(grids[n][trial & ~s].sum())
                    trial_state = {**state, n: (trial, primary)}
                    published, _ = system.masks(trial_state)
                    width = system.width(system.programme(published), row, quick=True)
                    enough = width >= system.need - 1e-7
                    key = (
                        not enough,
                        -min(width, system.need) if not enough else 0,
                        loss,
                        order,
                        int(flat),
                    )
                    if best is None or key < best[0]:
                        best = (key, n, int(flat), trial)
            if best is None:
                break
            _, n, flat, trial = best
            cross[n].ravel()[flat] = True
            state[n] = (trial, state[n][1])
        result = system.audit(state)
        tables = {}
        for n in names:
            tc = bc.tables[n]
            s, primary = state[n]
            tables[n] = _make_table(
                tc.index,
                tc.columns,
                grids[n],
                s,
                primary,
                pol,
                margins=tc.margins,
                name=n,
                cross=cross[n] & ~primary,
            )
        self._result = (tables, result)
        return self._result


class _JointSystem:
    """All cells of a ledger (registered and shadow tables) over merged base cells."""

    def __init__(
        self, bc: BaseCells, grids: Mapping[str, np.ndarray], pol: DisclosurePolicy
    ) -> None:
        self.pol = pol
        self.need = max(pol.threshold, 1)
        self.blocks: list[tuple[str, _TableCells, int, bool]] = []
        true_parts, shown_parts = [], []
        offset = 0
        for n, tc in bc.tables.items():
            self.blocks.append((n, tc, offset, False))
            true_parts.append(grids[n].ravel())
            shown_parts.append(pol._round(grids[n].ravel()))
            offset += tc.incidence.shape[0]
        self.shadow_sensitive: list[np.ndarray] = []
        for n, tc in bc.shadows.items():
            x = tc.incidence.astype(np.int64) @ bc.counts
            self.blocks.append((n, tc, offset, True))
            self.shadow_sensitive.append(pol._primary(x))
            true_parts.append(x)
            shown_parts.append(np.zeros(x.size, dtype=np.int64))
            offset += tc.incidence.shape[0]
        self.incidence = np.vstack([tc.incidence for _, tc, _, _ in self.blocks])
        used = self.incidence.any(axis=0)
        patterns = np.unique(self.incidence[:, used].T, axis=0)
        # base cells that belong to exactly the same table cells are merged
        self.reduced = patterns.T.astype(float)
        self.true = np.concatenate(true_parts).astype(float)
        self.shown = np.concatenate(shown_parts).astype(float)
        self._programmes: dict[bytes, _LinearAudit] = {}

    def masks(
        self, state: Mapping[str, tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(published, audited) row masks for a suppression state."""
        published, audited = [], []
        shadows = iter(self.shadow_sensitive)
        for n, _tc, _, is_shadow in self.blocks:
            if is_shadow:
                sens = next(shadows)
                published.append(np.zeros(sens.size, dtype=bool))
                audited.append(sens)
            else:
                s = state[n][0].ravel()
                published.append(~s)
                audited.append(s)
        return np.concatenate(published), np.concatenate(audited)

    def programme(self, published: np.ndarray) -> _LinearAudit:
        """The intruder's programme for a set of published cells (cached, with its bounds)."""
        key = np.packbits(published).tobytes()
        if key not in self._programmes:
            lo, hi = self.pol._intervals(self.shown[published])
            self._programmes[key] = _LinearAudit(self.reduced[published], lo, hi)
        return self._programmes[key]

    def width(self, lp: _LinearAudit, row: int, *, quick: bool = False) -> float:
        """Feasible width of a row; with ``quick``, stop once it is known to be enough."""
        hi = lp.bound(self.reduced[row], -1.0)
        if quick and hi - self.true[row] >= self.need - 1e-7:
            return hi - self.true[row]  # lo <= true count, so the width is at least this
        return hi - lp.bound(self.reduced[row], 1.0)

    def first_failure(
        self, state: Mapping[str, tuple[np.ndarray, np.ndarray]], safe: set[bytes]
    ) -> int | None:
        """Row of the first audited cell narrower than the threshold, or None.

        Suppressing more only widens feasible ranges, so cells found safe (``safe``,
        keyed by their incidence) stay safe.
        """
        published, audited = self.masks(state)
        if not audited.any():
            return None
        lp = self.programme(published)
        for row in (int(r) for r in np.flatnonzero(audited)):
            key = self.incidence[row].tobytes()
            if key in safe:
                continue
            if self.width(lp, row, quick=True) < self.need - 1e-7:
                return int(row)
            safe.add(key)
        return None

    def audit(self, state: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> AuditResult:
        """Full joint audit: the feasible range of every suppressed or sensitive cell."""
        published, audited = self.masks(state)
        lp = self.programme(published) if audited.any() else None
        records: list[dict[str, Any]] = []
        for n, tc, offset, _ in self.blocks:
            c1 = tc.shape[1]
            rows, cols = _with_total(tc.index), _with_total(tc.columns)
            for flat in np.flatnonzero(audited[offset : offset + tc.incidence.shape[0]]):
                assert lp is not None
                obj = self.reduced[offset + flat]
                records.append(
                    {
                        "table": n,
                        "row": rows[flat // c1],
                        "column": cols[flat % c1],
                        "lo": lp.bound(obj, 1.0),
                        "hi": lp.bound(obj, -1.0),
                        "need": self.need,
                    }
                )
        cells = _cells_frame(records)
        return AuditResult(
            method="joint linear-programming bounds over base cells "
            "(scipy.optimize.linprog, HiGHS)",
            ok=bool(cells["safe"].all()),
            threshold=self.need,
            cells=cells,
            policy=self.pol,
        )


# ======================================================================================
# 8. Statistics derived from counts
# ======================================================================================

_EXTREMES = frozenset({"min", "minimum", "max", "maximum", "range"})
_LOCATION = frozenset(
    {
        "mean",
        "median",
        "sd",
        "std",
        "standard_deviation",
        "variance",
        "iqr",
        "q1",
        "q3",
        "quartile",
        "quantile",
        "percentile",
        "mode",
        "mad",
        "se",
        "sem",
    }
)


def _table_fails(counts: Any, pol: DisclosurePolicy) -> bool:
    """Whether any cell of a count table (with its totals) needs suppression."""
    if isinstance(counts, SuppressedTable):
        return bool(counts.suppressed_full.to_numpy().any())
    if isinstance(counts, pd.Series):
        counts = counts.to_frame().T
    if isinstance(counts, np.ndarray):
        counts = pd.DataFrame(np.atleast_2d(counts))
    if isinstance(counts, (list, tuple)):
        if counts and all(
            isinstance(c, (pd.DataFrame, pd.Series, np.ndarray, SuppressedTable)) for c in counts
        ):
            return any(_table_fails(c, pol) for c in counts)
        counts = pd.DataFrame(np.atleast_2d(np.asarray(counts)))
    grid = _extend(_count_matrix(counts, what="counts"))
    return bool(pol._primary(grid).any())


def check_statistic(
    statistic: str,
    *,
    n: int | None = None,
    counts: Any = None,
    policy: str | int | DisclosurePolicy = "standard",
) -> tuple[bool, str]:
    """Whether a statistic may be published under a disclosure policy, and why not.

    * ``min``, ``max`` and ``range`` are never published (each is one person's value);
    * means, medians, standard deviations and quantiles need ``n >= min_n_for_means``;
    * anything else (a p-value, test statistic, odds ratio, risk difference, rate,
      confidence limit, ...) needs the count table(s) behind it: it is withheld when any
      of their cells, totals included, would be suppressed, because with the margins
      known it can reveal the table (a Fisher p-value pins down a 2x2 table).

    Under a policy that suppresses nothing (``internal``) everything but the
    extremes is publishable.

    Parameters
    ----------
    statistic : str
        Its name, e.g. "mean", "median", "p_value", "odds_ratio".
    n : int, optional
        Number of values behind a mean or median.
    counts : DataFrame, Series, array, SuppressedTable or list of them, optional
        The count table(s) behind a test statistic or effect (a Series: group sizes).
    policy : str, int or DisclosurePolicy, default="standard"

    Returns
    -------
    (bool, str)
        Publishable, and the reason when not ("" when publishable).

    Examples
    --------
    >>> check_statistic("median", n=4)
    (False, 'withheld: fewer than 5 values behind it (disclosure control)')
    >>> check_statistic("p_value", counts=pd.DataFrame({"y": [6, 9], "n": [10, 12]}))
    (True, '')
    """
    pol = _resolve_policy(policy)
    if not isinstance(statistic, str) or not statistic.strip():
        raise AnalysisError(f"statistic must be the name of a statistic, not {statistic!r}.")
    key = re.sub(r"[\s\-]+", "_", statistic.strip().lower())
    if key in _EXTREMES:
        return (
            False,
            "withheld: minimum and maximum are never published (each is one person's value)",
        )
    if not pol.suppresses:
        return True, ""
    if key in _LOCATION:
        if n is None:
            raise AnalysisError(
                f"check_statistic({statistic!r}) needs n, the number of values behind it."
            )
        min_n = int(pol.min_n_for_means or 1)
        if n < min_n:
            return False, f"withheld: fewer than {min_n} values behind it (disclosure control)"
        return True, ""
    if counts is None:
        raise AnalysisError(
            f"check_statistic({statistic!r}) needs counts=, the count table behind it "
            "(e.g. the group x outcome table, or the group sizes)."
        )
    if _table_fails(counts, pol):
        return False, (
            f"withheld: a table behind it has counts below {pol.threshold} "
            "(with its totals it could reveal them; disclosure control)"
        )
    return True, ""


def withhold_if_unsafe(
    value: Any,
    counts: Any,
    *,
    policy: str | int | DisclosurePolicy = "standard",
    statistic: str = "estimate",
) -> tuple[Any, str]:
    """Return ``(value, "")`` when publishable, else ``(nan, reason)``.

    For a test statistic or effect estimate computed from ``counts`` (see
    :func:`check_statistic`); the report shows the reason in place of the value.

    Examples
    --------
    >>> withhold_if_unsafe(0.03, pd.DataFrame({"y": [2, 9], "n": [10, 12]}), statistic="p_value")
    (nan, 'withheld: a table behind it has counts below 5 (with its totals it could reveal them; disclosure control)')
    """
    ok, reason = check_statistic(statistic, counts=counts, policy=policy)
    return (value, "") if ok else (math.nan, reason)


# ======================================================================================
# 9. Export safety
# ======================================================================================

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def neutralise_cell(value: Any) -> Any:
    """Prefix a single quote to text a spreadsheet would run as a formula.

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    (OWASP, "CSV Injection") gets a leading ``'``; numbers, text that is just a number
    (``-3.5``) and everything else are returned unchanged.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> neutralise_cell("-3.5"), neutralise_cell(-3.5), neutralise_cell("woman")
    ('-3.5', -3.5, 'woman')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if _PLAIN_NUMBER.match(value):
            return value
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell, column name and index label neutralised.

    See :func:`neutralise_cell`.  Numeric columns are untouched.

    Returns
    -------
    DataFrame
        Same shape; text columns become object columns.

    Examples
    --------
    >>> neutralise_frame(pd.DataFrame({"a": ["=1+1", "ok"], "b": [-1, 2]})).to_dict("list")
    {'a': ["'=1+1", 'ok'], 'b': [-1, 2]}
    """
    if not isinstance(df, pd.DataFrame):
        raise AnalysisError(f"neutralise_frame needs a DataFrame, not {type(df).__name__}.")
    out = df.copy()
    for k in range(out.shape[1]):
        col = out.iloc[:, k]
        if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            continue
        out.isetitem(k, col.astype(object).map(neutralise_cell))
    out.columns = _neutral_index(out.columns)
    out.index = _neutral_index(out.index)
    return out


def _neutral_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_tuples(
            [tuple(neutralise_cell(v) for v in t) for t in index], names=index.names
        )
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        return pd.Index([neutralise_cell(v) for v in index], name=index.name, dtype=object)
    return index
