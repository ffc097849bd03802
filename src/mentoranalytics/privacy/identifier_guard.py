"""The personal-data guard: direct identifiers in headers and values (see the package docstring, part 1)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError
from ..schema import FOLLOWUP_HEADER_ALIASES, HEADER_ALIASES, MISSING_MARKERS, normalise_header

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
# An e-mail address written to dodge filters: "jane dot doe at example dot com",
# "jane[at]example.com", "jane (at) example (dot) com", "jane @ example.com".  The
# bare word "at" counts only with a spelled-out dot, a local part holding . _ or a
# digit, or a local part that is a first name (see _email_hit): "worked at nhs.uk" is
# not an address.  Full-width forms (＠ ．) are folded by NFKC first (_fold).
_DOT_WORD = r"(?:\s+dot\s+|\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*)"
_EMAIL_LOOSE = (
    r"(?i)(?<![\w.%+'\-])(?P<local>[a-z0-9][\w.%+'\-]*(?:" + _DOT_WORD + r"[a-z0-9][\w%+'\-]*)*)"
    r"(?P<at>\s*@\s*|\s*[\[\(\{<]\s*(?:at|@)\s*[\]\)\}>]\s*|\s+at\s+)"
    r"(?P<domain>[a-z0-9][a-z0-9\-]*(?:(?:\.|" + _DOT_WORD + r")[a-z0-9][a-z0-9\-]*)*)"
    r"(?:\.|" + _DOT_WORD + r")(?P<tld>[a-z]{2,24})(?![\w\-])"
)
#: Top-level domains accepted after a bare "at" (besides any two-letter country code).
_COMMON_TLDS = frozenset("com org net edu gov mil int info biz io me nhs ac co ltd plc".split())
_URL = (
    r"(?i)(?:\b(?:https?|ftp)://|\bwww\.[a-z0-9\-]+\.|"
    r"\b(?:linkedin|twitter|facebook|instagram|github|tiktok|x)\.com/|"
    r"(?<![\w.@])@[A-Za-z0-9_]{3,30}(?![\w(@.]))"
)
_PHONE_PATTERNS: tuple[tuple[str, int, int], ...] = (
    # (pattern, minimum digits, maximum digits)
    # international: +44 20 7946 0958, 0044 ..., +1 (555) 123-4567
    (r"(?<![\w+])(?:\+|00)[1-9]\d{0,3}(?:[\s.\-]?\(?\d{1,5}\)?){2,6}(?!\d)", 8, 15),
    # UK with the trunk 0: 020 7946 0958, (0117) 496 0123, 020.7946.0958
    (r"(?<![\w+])(?:\(0\d{2,4}\)|0\d{2,4})[\s.\-]?\d{3,4}[\s.\-]?\d{3,4}(?!\d)", 10, 11),
    # UK without the trunk 0, grouped as phone numbers are: 20 7946 0958, 7700 900123,
    # 117 496 0123 (ten digits, first 1, 2, 3 or 7, the first group separated)
    (r"(?<![\w+.,/:\-])[1237]\d{1,3}[\s.\-]\d{3,4}[\s.\-]?\d{3,4}(?![\d.,/:\-]|\s?\d)", 10, 10),
    # the same with the country code but no +: 44 7700 900123
    (
        r"(?<![\w+.,/:\-])44[\s.\-]?[1237]\d{1,3}[\s.\-]?\d{3,4}[\s.\-]?\d{3,4}(?![\d.,/:\-])",
        12,
        12,
    ),
    # a UK mobile without the 0, ungrouped: 7700900123
    (r"(?<![\w+.,/:\-])7[1-57-9]\d{8}(?!\d)", 10, 10),
    # North American: (555) 123-4567
    (r"(?<!\d)\(\d{3}\)\s?\d{3}[\s\-]\d{4}(?!\d)", 10, 10),
)
_POSTCODE = (
    r"(?i)(?<![A-Za-z0-9])(?:GIR\s?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|"
    r"[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRVWXY])(?:\s{0,3}|\s?-\s?)[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])"
)
# ten digits grouped 3-3-4 (the NHS's own), 3-4-3 or 4-3-3, or not at all
_NHS_CANDIDATE = (
    r"(?<![\d+])(?:\d{3}[\s.\-]?\d{3}[\s.\-]?\d{4}|\d{3}[\s.\-]?\d{4}[\s.\-]?\d{3}|"
    r"\d{4}[\s.\-]?\d{3}[\s.\-]?\d{3})(?!\d)"
)
_NI_NUMBER = (
    r"(?i)(?<![A-Za-z0-9])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"[\s.\-]?\d{2}[\s.\-]?\d{2}[\s.\-]?\d{2}[\s.\-]?[A-D](?![A-Za-z0-9])"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_FULL_DATE_BODY = (
    r"(?<!\d)(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{2,4}}|"
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})(?!\d)"
)
_FULL_DATE = "(?i)" + _FULL_DATE_BODY
#: A full date announced as a birth date, in any column: "DOB 12/03/1985", "born 3 March 1985".
_DOB_CONTEXT = (
    r"(?i)(?<![a-z])(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|birth\s*date|birthday|"
    r"born(?:\s+on)?)\s*[:=\-]?\s*(?:on\s+)?" + _FULL_DATE_BODY
)
#: Full dates in schema columns (none of which holds dates) up to this year are
#: treated as dates of birth; later ones as a spreadsheet's conversion of an entry
#: such as ``3-4`` (the validator's ``excel_date`` rule).
BIRTH_YEAR_MAX = 2005

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
_EMAIL_LOOSE_RE = re.compile(_EMAIL_LOOSE)
_DOB_CONTEXT_RE = re.compile(_DOB_CONTEXT)
_NON_DIGIT_RE = re.compile(r"\D")
_YEAR_RE = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
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

#: Short forms of first names (lower case): Liz, Bob, Jim, ...  Used like FIRST_NAMES
#: by the cell rule; short forms that are also ordinary words are in _AMBIGUOUS_FIRST.
DIMINUTIVES: frozenset[str] = frozenset(
    """
    abby alfie andy annie baz bea becca becky beth betsy betty bev billy bob bobby ben
    benji benny bert bertie bex cathy charlie chris chrissie danny dan dave davey davy
    debbie debs dom eddie ellie evie flo fred freddie freddy gabby georgie gerry greg
    geoff hattie issy izzy jake jen jenni jenny jess jessie jill jim jimmy jo jodie joe
    joey johnny jon jonny josh kath kathy kate katie katy kenny kev kirsty lexi libby
    liv livvy liz lizzie lizzy lottie maddie maggie mandy matt meg mick micky mike mikey
    millie molly nate nell nellie nicky ollie olly pam pete phil polly rick ricky robbie
    ronnie rosie sally sam sammy shaz steve stevie suzy tash tasha ted teddy theo
    tim timmy tina toby tom tommy tony trev trish vicky vikki viv zoe
    """.split()
)

#: First names that are also ordinary words (or acronyms): a personal name only when a
#: common surname follows ("Max Jones", not "Max level").
_AMBIGUOUS_FIRST = frozenset(
    """
    al ali art bill dawn del di dick don dot ed faith frank gene gill grace guy hope jack
    jan joy june kit mark max may mo nat nick pat penny pip ray reg rich rob rose sandy
    sue val will
    """.split()
)

_KNOWN_FIRST = FIRST_NAMES | DIMINUTIVES

#: First names that are never flagged on their own (a place or a month as well).
_NOT_ALONE = frozenset({"angus", "clare", "jun", "ann", "jo"})

#: Common surnames in the UK (lower case), for "J. Smith", "Smith, J." and "Max Jones".
#: Surnames that are frequent ordinary words (Day, May, Long, West, Page, ...) are
#: left out on purpose.
SURNAMES: frozenset[str] = frozenset(
    """
    abbott adams adeyemi ahmed akhtar ali allen anderson andrews armstrong arnold asante
    atkinson bailey baker banks barker barnes barrett bates begum bell bennett berry
    boateng booth bradley brooks brown burgess burke butler butt byrne campbell carr
    carter chapman chaudhry chen choi chopra clark clarke cole coleman collins cook cooke
    cooper costa cox curtis davies davis dawson dixon doyle dubois dunn edwards elliott
    ellis evans ferguson fernandes ferrari ferreira fisher fletcher foster francis
    freeman garcia gardner gibson gonzalez gordon graham gray green gregory grey griffin
    griffiths gupta hamilton hardy harper harris harrison harvey hassan hawkins hayes
    henderson hernandez hill hodgson holland holmes hopkins howard hudson hughes
    hussain hutchinson ibrahim iqbal islam jackson jenkins johnson johnston jones
    jordan joshi kaur kelly kennedy khan kim king knight kowalski kumar lawrence lee
    lewis lloyd lopez lowe macdonald mahmood malik marshall martin martinez mason
    matthews mccarthy mcdonald mehta mensah miah miller mills mirza mitchell mohamed
    mohammed moore morgan morris moss muller murphy murray nair newman newton nguyen
    nicholls nicholson nowak o'brien o'connor o'neill o'sullivan okafor okeke okonkwo
    oliver osborne owen owusu palmer parker parry parsons patel payne pearce pearson
    perez perry phillips pollard porter powell price qureshi rahman reddy rees reid
    reynolds richards richardson riley roberts robertson robinson robson rodriguez rogers
    rossi rowe russell ryan sanchez santos saunders schmidt scott shah sharma shaw
    shepherd silva simpson singh smith spencer stevens stewart sutton taylor thomas
    thompson thomson tran turner uddin walker wallace walsh walton wang ward watkins
    watson watts webb webster wells white wilkinson williams williamson wilson wood
    woods wright yang yates young yusuf zhang zhao
    """.split()
)

#: Last words that make a capitalised phrase an organisation, place, role or label,
#: not a person ("Elizabeth Line", "Helen Hamlyn Centre", "TOM Lead").
_NOT_SURNAME = frozenset(
    """
    academy accountants agency associates association authority award awards bank board
    borough building capital care center centre charity city class clinic co cohort college
    company consultancy consultants consulting corp corporation council county day
    department digital director division estate estates fellowship finance foundation fund
    gallery gardens global group health healthcare holdings homes hospital hospitals hotel
    housing inc infirmary institute institution insurance intake international investments
    lead leader lecture legal leisure level library limited line llp ltd manager market
    mayor media medical memorial ministry month museum network nursery office officer
    palace park partners partnership pharmacy place plan plc practice press prize
    programme program project properties recruitment region report review road scheme
    scholarship school service services society solicitors solutions square station
    street studio studios surgery systems talk team technologies theatre theater trust uk
    union unit university ventures wave week year
    """.split()
)

#: Words before a first name that make it part of a place or an institution.
_PLACE_PREFIX = frozenset(
    "Queen King Prince Princess St Saint Royal Mount Port Fort Cape Lake Isle".split()
)

_TITLES_SHORT = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "rev", "revd"})
_TITLES_WORD = frozenset({"Miss", "Sir", "Dame", "Lord", "Lady", "Professor", "Doctor"})
_PARTICLES = frozenset(
    "van von de da di du del della der den la le bin binti al el ter ten st".split()
)
_NAME_TOKEN_RE = re.compile(r"^(?:[^\W\d_]['’])?[^\W\d_]{2,}(?:['’\-][^\W\d_]+)*$")
_INITIALS_RE = re.compile(r"^(?:[^\W\d_]\.){1,3}$|^[^\W\d_]$")
_CAP_WORD_RE = re.compile(r"^(?:Mc|Mac|O['’])?[A-Z][a-z]+(?:['’\-][A-Za-z][a-z]*)*$")
_PUNCT = "()[]{}<>\"'“”‘’,;:!?"
_CAPITALISED_RE = re.compile(r"(?<![A-Za-z])[A-Z][a-z]+")


def _first_name(word: str, *, ambiguous: bool = False) -> bool:
    """A (lower-case) word that is a first name or a short form ("mary-jane" too)."""
    if word in _KNOWN_FIRST or word.split("-")[0] in _KNOWN_FIRST:
        return True
    return ambiguous and word in _AMBIGUOUS_FIRST


def _is_title(word: str, following: Sequence[str]) -> bool:
    base = word.rstrip(".")
    if base.lower() in _TITLES_SHORT:
        # an upper-case acronym (MS Teams, DR plan) is no title
        return not (base.isupper() and len(base) > 1 and following and not following[0].isupper())
    return base in _TITLES_WORD and bool(following) and following[0][:1].isupper()


def _whole_name(text: str) -> bool:
    """Whether the whole value is a personal name, in any letter case.

    Forms: ``Jane Smith``, ``jane smith``, ``Jim`` (a first name or short form on its
    own), ``Dr Smith``, ``Prof. Jane Doe``, ``J. Smith``/``J Smith`` (initials and a
    common surname), ``Smith, J.`` and ``Smith, Jane``.
    """
    t = text.strip()
    if not t or len(t) > 60:
        return False
    if "," in t:
        left, _, right = t.partition(",")
        lw, rw = left.split(), right.split()
        if not (1 <= len(lw) <= 3 and 1 <= len(rw) <= 4) or "," in right:
            return False
        if not all(_NAME_TOKEN_RE.match(w) or w.lower() in _PARTICLES for w in lw):
            return False
        if _is_title(rw[0], rw[1:]):
            rw = rw[1:]
        if not rw:
            return False
        if all(_INITIALS_RE.match(w) for w in rw):
            return lw[-1].lower() in SURNAMES and (
                any("." in w for w in rw) or all(w.isupper() for w in rw)
            )
        return _first_name(rw[0].lower()) and all(
            _NAME_TOKEN_RE.match(w) or _INITIALS_RE.match(w) for w in rw[1:]
        )
    words = t.split()
    if len(words) > 5:
        return False

    def name_part(w: str) -> bool:
        return bool(_NAME_TOKEN_RE.match(w) or _INITIALS_RE.match(w)) or w.lower() in _PARTICLES

    last = words[-1]
    surname_like = (
        len(words) > 1
        and bool(_NAME_TOKEN_RE.match(last))
        and not any(w.lower() in _NOT_SURNAME for w in words[1:])
    )
    if _is_title(words[0], words[1:]):
        rest = words[1:]
        if 1 <= len(rest) <= 3 and all(name_part(w) for w in rest) and surname_like:
            return True
    k = 0
    while k < len(words) - 1 and k < 3 and _INITIALS_RE.match(words[k]):
        k += 1
    if k and k == len(words) - 1 and last.lower() in SURNAMES and _NAME_TOKEN_RE.match(last):
        initials = words[:k]
        if any("." in w for w in initials):
            return True
        if all(w.isupper() for w in initials) and not (k == 1 and initials[0] in ("A", "I")):
            return True
    first = words[0]
    if not _NAME_TOKEN_RE.match(first):
        return False
    if first.isupper() and len(first) > 1 and not t.isupper():
        return False  # an acronym: TED Talk, SAM team
    fl = first.lower()
    if len(words) == 1:
        return _first_name(fl) and fl not in _NOT_ALONE
    if not (surname_like and all(name_part(w) for w in words[1:])):
        return False
    if _first_name(fl):
        return True
    return fl in _AMBIGUOUS_FIRST and len(words) == 2 and last.lower() in SURNAMES


def _embedded_name(text: str) -> bool:
    """Whether a capitalised personal name stands inside a longer text.

    ``Mentor was Sarah Jones``, ``Met with Dr Okafor``, ``Line manager (Jim Brown)``:
    a title and a capitalised word, or a known first name (or short form) and a
    capitalised surname.  Not when more capitalised words follow (``Alan Turing
    Institute``) or a place word precedes (``Queen Elizabeth``).
    """
    raw = text.split()
    if len(raw) < 2 or not any(
        w in _TITLES_WORD or w.lower() in _TITLES_SHORT or _first_name(w.lower(), ambiguous=True)
        for w in _CAPITALISED_RE.findall(text)
    ):
        return False  # no capitalised first name or title: nothing to look at
    words = [w.strip(_PUNCT) for w in raw]
    stops = [w[-1] in ".,;:!?)]}\"'" for w in raw]
    n = len(words)
    for i in range(n - 1):
        w = words[i]
        if w.rstrip(".") in _TITLES_WORD or (
            w.rstrip(".").lower() in _TITLES_SHORT and w[:1].isupper() and not w.isupper()
        ):
            j = i + 1
            if j < n - 1 and _INITIALS_RE.match(words[j]) and words[j][:1].isupper():
                j += 1
            if _CAP_WORD_RE.match(words[j]) and words[j].lower() not in _NOT_SURNAME:
                return True
            continue
        if stops[i] or not _CAP_WORD_RE.match(w) or not _first_name(w.lower(), ambiguous=True):
            continue
        j = i + 1
        if j < n - 1 and _INITIALS_RE.match(words[j]) and words[j][:1].isupper():
            j += 1
        last = words[j]
        if not _CAP_WORD_RE.match(last) or last.lower() in _NOT_SURNAME:
            continue
        if not _first_name(w.lower()) and last.lower() not in SURNAMES:
            continue  # an ambiguous first name needs a common surname
        if i > 0 and words[i - 1].rstrip(".") in _PLACE_PREFIX:
            continue
        if not stops[j] and j + 1 < n and words[j + 1][:1].isupper():
            continue  # part of a longer proper noun
        return True
    return False


def _organisation_like(text: str) -> bool:
    """A capitalised phrase whose later words name an organisation or a place
    ("Robert Gordon University", "George Street"), that starts with a place word
    ("Queen Elizabeth"), or a first name that is also a place or month ("Angus")."""
    words = text.split()
    if len(words) == 1:
        return words[0].lower() in _NOT_ALONE
    return words[0].rstrip(".") in _PLACE_PREFIX or any(
        w.strip(_PUNCT).lower() in _NOT_SURNAME for w in words[1:]
    )


def _name_hit(text: str) -> bool:
    return _whole_name(text) or _embedded_name(text)


def _email_hit(text: str) -> bool:
    """An e-mail address, plain or obfuscated (see _EMAIL_LOOSE)."""
    if _EMAIL_RE.search(text):
        return True
    for m in _EMAIL_LOOSE_RE.finditer(text):
        at = m.group("at").strip()
        if at.lower() != "at":
            return True  # "@" with spaces, or a bracketed [at] / (at)
        whole = m.group(0).lower()
        tld = m.group("tld").lower()
        spelled_dot = re.search(r"\bdot\b", whole) is not None
        local = m.group("local")
        if not (len(tld) == 2 or tld in _COMMON_TLDS):
            continue
        if spelled_dot or re.search(r"[._\d]", local) or _first_name(local.lower()):
            return True
    return False


def _date_year(text: str) -> int | None:
    """The year of a full date (two-digit years: 30-99 -> 19xx, else 20xx)."""
    years = _YEAR_RE.findall(text)
    if years:
        return int(years[-1])
    two = re.findall(r"(?<!\d)(\d{2})(?!\d)", text)
    if not two:
        return None
    yy = int(two[-1])
    return 1900 + yy if yy >= 30 else 2000 + yy


def _old_date(text: str) -> bool:
    """A full date from 1900 to BIRTH_YEAR_MAX (in a schema column: a birth date)."""
    for m in _FULL_DATE_RE.finditer(text):
        year = _date_year(m.group(0))
        if year is not None and 1900 <= year <= BIRTH_YEAR_MAX:
            return True
    return False


def _fold(text: str) -> str:
    """Unicode compatibility folding (full-width ＠ ． and digits -> ASCII)."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def looks_like_personal_data(value: Any) -> bool:
    """Whether any value rule of the guard flags ``value`` on its own.

    Used wherever a value might be quoted in a message (the validator's "not a known
    value" messages): a value for which this is true is described, never quoted.
    Stricter than the column scan: every full date counts (it may be a date of birth),
    and no column context is needed.

    Examples
    --------
    >>> looks_like_personal_data("jane dot doe at example dot com")
    True
    >>> looks_like_personal_data("Smith, J."), looks_like_personal_data("femal")
    (True, False)
    """
    text = _fold(str(value)).strip()
    if not text:
        return False
    one = [text]
    return bool(
        _email_hit(text)
        or _URL_RE.search(text)
        or _POSTCODE_RE.search(text)
        or _NI_NUMBER_RE.search(text)
        or _FULL_DATE_RE.search(text)
        or _phone_hits(one)[0]
        or _nhs_hits(one)[0]
        or _name_hit(text)
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
    "value_email": "an e-mail address, plain or obfuscated (dot/at spelled out, [at], (at))",
    "value_url": "a web address, profile link or @handle",
    "value_phone": "a telephone number (UK with or without the leading 0, international)",
    "value_postcode": "a full UK postcode",
    "value_nhs_number": "an NHS number (passes the modulus-11 check)",
    "value_ni_number": "a National Insurance number",
    "value_date_of_birth": (
        "a date of birth: a full date in a birth-like column, after DOB/born, or an "
        f"old one (up to {BIRTH_YEAR_MAX}) in a schema column"
    ),
    "value_name": "a personal name (full name, initials and surname, Surname, First, ...)",
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
        "holds what looks like a date of birth",
        "hold what look like dates of birth",
    ),
    "value_name": ("holds what looks like a personal name", "hold what look like personal names"),
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
    table: str = "cohort",
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
    table : {"cohort", "followup"}, default="cohort"
        Which record's headers count as canonical: the follow-up table's columns
        (``months``, ``wave``, ``current_level``, ...) are recognised with
        ``"followup"``.

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
    if table not in ("cohort", "followup"):
        raise AnalysisError(f"table must be 'cohort' or 'followup', not {table!r}.")
    aliases = (
        {**HEADER_ALIASES, **FOLLOWUP_HEADER_ALIASES} if table == "followup" else HEADER_ALIASES
    )
    allowed_norm = {normalise_header(a) for a in allow_columns}
    allowed_canon = {aliases[a] for a in allowed_norm if a in aliases}

    findings: list[dict[str, Any]] = []
    for pos in range(raw.shape[1]):
        header = str(raw.columns[pos])
        if header_is_personal(header):
            # checked even in allowed columns: such a header would be echoed later
            findings.append(
                _finding(
                    file,
                    None,
                    f"column {pos + 1}",
                    "header_personal_data",
                    f"{_where(file)}The header of column {pos + 1} itself looks like "
                    "personal data (rule 'header_personal_data'). Rename the column in the "
                    "file.",
                )
            )
            continue
        norm = normalise_header(header)
        canonical = aliases.get(norm)
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

    # each rule runs only on the values that pass its necessary condition (_Prefilter),
    # on the values folded to ASCII forms where Unicode has them (full-width @, digits)
    folded = _Folded(values)
    tests = [
        (rule, *_rule_test(rule, _dob_context(norm, canonical))) for rule in _rules_for(canonical)
    ]
    candidates = {rule: getattr(pre, condition)() for rule, condition, _ in tests}
    if all(c is not None for c in candidates.values()):
        folded.prefetch(np.flatnonzero(np.logical_or.reduce(list(candidates.values()))))
    hits_by_rule: dict[str, np.ndarray] = {
        rule: _in_subset(test, folded, candidates[rule]) for rule, _, test in tests
    }

    def rows_of(hit: np.ndarray) -> np.ndarray:
        hit_u = np.zeros(len(present_u), dtype=bool)
        hit_u[position[hit]] = True
        mask = np.zeros(len(codes), dtype=bool)
        mask[valid] = hit_u[codes[valid]]
        return rows[mask]

    column_of_names: dict[str, Any] | None = None
    if canonical is None or canonical == "participant_id":
        weights = np.bincount(codes[valid], minlength=len(present_u))[position]
        name_hit = _personal_name_values(folded, weights, pre.could_be_name())
        if name_hit is not None:
            hit_rows = rows_of(name_hit)
            message = (
                f"{_where(file)}Column {header!r}: {hit_rows.size} of {int(present_rows.sum())} "
                f"values look like personal names (rule 'value_personal_name'; "
                f"{_row_list(hit_rows)}). {fix}"
            )
            column_of_names = _finding(
                file, _first(hit_rows), header, "value_personal_name", message
            )
            hits_by_rule.pop("value_name", None)  # reported once, for the column

    findings: list[dict[str, Any]] = []
    for rule, hit in hits_by_rule.items():
        if hit.any():
            findings.extend(_value_findings(file, header, rule, rows_of(hit), fix))
    if column_of_names is not None:
        findings.append(column_of_names)
    return findings


#: The value rules in the order they are reported.
_CELL_RULES: tuple[str, ...] = (
    "value_email",
    "value_url",
    "value_phone",
    "value_postcode",
    "value_nhs_number",
    "value_ni_number",
    "value_date_of_birth",
    "value_name",
)


def _rules_for(canonical: str | None) -> tuple[str, ...]:
    """The value rules run on a column (free text only outside the schema)."""
    return _CELL_RULES if canonical is not None else (*_CELL_RULES, "value_free_text")


def _dob_context(norm: str, canonical: str | None) -> str:
    """Which date-of-birth test a column gets (see _DOB_TESTS)."""
    if _BIRTH_LIKE.search(norm):
        return "birth_like"
    return "schema" if canonical is not None else "other"


def _each(test: Callable[[str], Any]) -> Callable[[Sequence[str]], np.ndarray]:
    """A per-value test made a test of a list of values (a boolean mask)."""

    def run(values: Sequence[str]) -> np.ndarray:
        return np.fromiter((bool(test(v)) for v in values), dtype=bool, count=len(values))

    return run


def _free_text(value: str) -> bool:
    return len(value.split()) > FREE_TEXT_MAX_WORDS


#: Date-of-birth tests: any full date in a birth-like column; in a schema column (none
#: holds dates) an old full date or one announced as a birth date; elsewhere only an
#: announced one ("DOB 12/03/1985", "born 3 March 1985").
_DOB_TESTS: dict[str, Callable[[str], Any]] = {
    "birth_like": _FULL_DATE_RE.search,
    "schema": lambda v: _old_date(v) or _DOB_CONTEXT_RE.search(v),
    "other": _DOB_CONTEXT_RE.search,
}

#: rule -> (the _Prefilter condition every hit satisfies, the test of a list of values)
_VALUE_RULES: dict[str, tuple[str, Callable[[Sequence[str]], np.ndarray]]] = {
    "value_email": ("could_be_email", _each(_email_hit)),
    "value_url": ("contains_url_character", _each(_URL_RE.search)),
    "value_phone": ("could_be_phone", lambda values: _phone_hits(values)),
    "value_postcode": ("digit_then_two_letters", _each(_POSTCODE_RE.search)),
    "value_nhs_number": ("could_be_nhs_number", lambda values: _nhs_hits(values)),
    "value_ni_number": ("two_letters_then_two_digits", _each(_NI_NUMBER_RE.search)),
    "value_name": ("could_hold_name", _each(_name_hit)),
    "value_free_text": ("could_be_free_text", _each(_free_text)),
}


def _rule_test(rule: str, dob: str = "other") -> tuple[str, Callable[[Sequence[str]], np.ndarray]]:
    """The prefilter condition and the test of one value rule."""
    if rule == "value_date_of_birth":
        return "could_be_date", _each(_DOB_TESTS[dob])
    return _VALUE_RULES[rule]


class _Folded(Sequence[str]):
    """The values, each folded by :func:`_fold` when first read (then kept)."""

    def __init__(self, values: Sequence[str]) -> None:
        self._values = values
        self._cache: list[str | None] = [None] * len(values)

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        out = self._cache[k]
        if out is None:
            out = self._cache[k] = _fold(self._values[k])
        return out

    def prefetch(self, positions: np.ndarray) -> None:
        """Read the values at ``positions`` in one step (Arrow-held text is read
        value by value otherwise, once per rule)."""
        if not isinstance(self._values, _StrippedText) or not positions.size:
            return
        for k, text in zip(positions.tolist(), self._values.many(positions), strict=True):
            self._cache[k] = _fold(text)

    def __iter__(self) -> Any:
        return (self[k] for k in range(len(self)))


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

    def many(self, positions: np.ndarray) -> list[str]:
        """The values at ``positions``, read in one step."""
        js = positions if self._positions is None else self._positions[positions]
        return [str(u).strip() for u in self._uniques.take(js).tolist()]

    def subset(self, positions: np.ndarray) -> _StrippedText:
        if self._positions is not None:
            positions = self._positions[positions]
        return _StrippedText(self._uniques, positions)


def _byte_bits() -> np.ndarray:
    """Per byte value, the one-byte kinds of :meth:`_Prefilter._has` (its _BITS)."""
    v = np.arange(256)
    digit = (v >= 48) & (v <= 57)
    letter = ((v | 32) >= 97) & ((v | 32) <= 122)
    # missing markers use only a e l n o u among letters, and no digit
    marker_letter = np.isin(v | 32, np.frombuffer(b"aelnou", dtype=np.uint8))
    bits = (v >= 128).astype(np.uint16)  # high
    bits |= (v == ord("@")).astype(np.uint16) << 1  # at
    bits |= np.isin(v, np.frombuffer(b"@/.", dtype=np.uint8)).astype(np.uint16) << 2  # url
    bits |= (digit | (letter & ~marker_letter)).astype(np.uint16) << 5  # not_missing
    bits |= ((v >= 65) & (v <= 90)).astype(np.uint16) << 7  # upper
    bits |= (((v >= 9) & (v <= 13)) | ((v >= 28) & (v <= 32))).astype(np.uint16) << 8  # space
    return bits


_BYTE_BITS = _byte_bits()
#: Per byte value: 1 for the date separators / . -
_DATE_SEP = np.isin(np.arange(256), np.frombuffer(b"/.-", dtype=np.uint8)).astype(np.int32)


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

    _BITS = {
        "high": 1,
        "at": 2,
        "url": 4,
        "postcode": 8,
        "ni": 16,
        "not_missing": 32,
        "word_at": 64,
        "upper": 128,
        "space": 256,
    }

    def _has(self, name: str) -> np.ndarray:
        """Whether each kept value has a byte (or a byte sequence starting) of a kind."""
        if "bits" not in self._cache:
            b = self._data
            digit, letter = self._byte_class("digit"), self._byte_class("ascii_letter")
            alpha, space = self._byte_class("alpha"), self._byte_class("space")
            # postcode inward code: [0-9] then two letters
            postcode = digit & self._shifted(alpha, 1) & self._shifted(alpha, 2)
            # National Insurance number start: [A-Za-z]{2}[\s.\-]?[0-9]{2}
            pair = letter & self._shifted(letter, 1)
            close = self._shifted(digit, 2) & self._shifted(digit, 3)
            sep = space | (b == ord("-")) | (b == ord("."))
            spaced = self._shifted(sep, 2) & self._shifted(digit, 3) & self._shifted(digit, 4)
            # the word "at" (either case), not inside a longer word: an obfuscated "@"
            # ("jane at example dot com", "jane[at]example.com"); the bytes around it
            # belong to the same value, since an address has text on both sides
            lower = b | 32
            word_at = (lower == ord("a")) & self._shifted(lower == ord("t"), 1)
            word_at &= ~np.concatenate(([False], letter[:-1])) & ~self._shifted(letter, 2)
            # the one-byte kinds are read from a table, one look-up per byte
            code = _BYTE_BITS[b]
            code |= postcode.astype(np.uint16) << 3
            code |= (pair & (close | spaced)).astype(np.uint16) << 4
            code |= word_at.astype(np.uint16) << 6
            self._cache["bits"] = self._reduce(code, np.bitwise_or)
        return (self._kept(self._cache["bits"]) & self._BITS[name]) > 0

    def _per_value(self, name: str) -> np.ndarray:
        """Digits, date separators or length of each kept value (cached for the array)."""
        if name not in self._cache:
            if name == "length":
                self._cache[name] = self._ends - self._starts
            elif name == "date_sep":
                self._cache[name] = self._reduce(_DATE_SEP[self._data], np.add)
            else:
                self._cache[name] = self._reduce(self._byte_class(name).astype(np.int32), np.add)
        return self._kept(self._cache[name])

    def non_ascii(self) -> np.ndarray:
        return self._has("high")

    def _digits(self) -> np.ndarray:
        return self._per_value("digit")

    # -- conditions ---------------------------------------------------------------------
    def contains_at(self) -> np.ndarray | None:
        """Values holding an ``@`` (every plain e-mail address does)."""
        if self.arr is None:
            return None
        return self._has("at") | self.non_ascii()

    def could_be_email(self) -> np.ndarray | None:
        """Values holding ``@`` or the word ``at`` (every e-mail address, obfuscated or not)."""
        if self.arr is None:
            return None
        return self._has("at") | self._has("word_at") | self.non_ascii()

    def could_be_phone(self) -> np.ndarray | None:
        """At least 8 digits (every phone number the rule finds has them)."""
        return self.digits_at_least(8)

    def could_be_nhs_number(self) -> np.ndarray | None:
        return self.digits_at_least(10)

    def could_be_date(self) -> np.ndarray | None:
        """A full date has 3 digits or more, and two of ``/ . -`` or a space."""
        if self.arr is None:
            return None
        shaped = (self._per_value("date_sep") >= 2) | self._has("space")
        return ((self._digits() >= 3) & shaped) | self.non_ascii()

    def could_hold_name(self) -> np.ndarray | None:
        """A whole-value name holds no digit; a name inside a text needs a capital
        letter and a space."""
        if self.arr is None:
            return None
        filled = self._per_value("length") > 0
        no_digit = filled & (self._digits() == 0)
        return no_digit | (self._has("upper") & self._has("space")) | self.non_ascii()

    def could_be_free_text(self) -> np.ndarray | None:
        """More than FREE_TEXT_MAX_WORDS words take at least twice as many characters."""
        if self.arr is None:
            return None
        return (self._per_value("length") >= 2 * FREE_TEXT_MAX_WORDS + 1) | self.non_ascii()

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
        """``[A-Za-z]{2}[\\s.\\-]?[0-9]{2}`` (the start of a National Insurance number)."""
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


def header_is_personal(header: Any) -> bool:
    """Whether a header itself is an e-mail address, phone number, name, ...

    Such a header is never echoed: messages name its column by position
    ("column 7").  Canonical column names and their aliases never qualify.

    >>> header_is_personal("jane.doe@example.org"), header_is_personal("Jane Smith")
    (True, True)
    >>> header_is_personal("Mentor name"), header_is_personal("Date of birth")
    (False, False)
    """
    text = _fold(str(header)).strip()
    if normalise_header(text) in HEADER_ALIASES:
        return False
    one = [text]
    return bool(
        _email_hit(text)
        or _URL_RE.search(text)
        or _NI_NUMBER_RE.search(text)
        or _POSTCODE_RE.search(text)
        or _phone_hits(one)[0]
        or _nhs_hits(one)[0]
        or _name_hit(text)
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
            found = _NON_DIGIT_RE.sub("", m.group(0))
            owners.append(k)
            numbers.append(found if found.isascii() else "".join(str(int(c)) for c in found))
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
    shape = _where_true(
        lambda v: _NAME_SHAPE_RE.search(v) is not None and not _organisation_like(v),
        values,
        candidates,
    )
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
