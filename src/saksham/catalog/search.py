"""The catalogue's search index: one ``SearchEntry`` per listed course family, its text reduced to
script-neutral terms (text.py), matched by SQLite FTS5 or PostgreSQL full-text search.

* SQLite: an FTS5 table ``catalog_search_fts(title, body)`` whose rowid is the entry's id, ranked by bm25
  with titles weighing ten times the rest.
* PostgreSQL: a stored generated column ``search_vector`` = ``setweight(to_tsvector('simple', title_terms),
  'A') || ...body_terms 'B'`` with a GIN index, ranked by ``ts_rank``. The terms are plain ASCII, so the
  'simple' configuration needs no extension and Indic text is never handed to a tokenizer that would split
  it wrongly.

Typo tolerance: every term of the index is in ``SearchTerm`` with its one-letter deletions in
``SearchTermVariant``; a query word that is not in the vocabulary is replaced by the vocabulary words one
edit away (symmetric delete). Everything is written in the transaction that publishes, unlists or retires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q

from saksham.catalog import text as T
from saksham.catalog.models import (
    Course,
    SearchEntry,
    SearchTerm,
    SearchTermVariant,
    SearchText,
    Translation,
    VersionStatus,
)

FTS_TABLE = "catalog_search_fts"
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
MAX_TYPO_CANDIDATES = 12
PG_VECTOR = ("(setweight(to_tsvector('simple', title_terms), 'A') || "
             "setweight(to_tsvector('simple', body_terms), 'B'))")
PG_COLUMN = "search_vector"


def install(schema_editor=None) -> None:
    """Create the backend's full-text structure (called by the migrations; safe to call again)."""
    conn = schema_editor.connection if schema_editor else connection
    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, body, "
                        "tokenize='unicode61 remove_diacritics 0')")
        elif conn.vendor == "postgresql":
            # A stored vector: ranking reads it instead of re-parsing the terms of every match.
            cur.execute("DROP INDEX IF EXISTS catalog_search_fulltext")
            cur.execute(f"ALTER TABLE catalog_searchentry ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
                        f"GENERATED ALWAYS AS {PG_VECTOR} STORED")
            # Without the pending list (fastupdate): an entry's terms go into the index's tree when it is
            # written (publishing is rare), instead of into a list that every search reads in full until the
            # next vacuum, which made the index slower than reading the whole table (bench/search.py).
            cur.execute(f"CREATE INDEX IF NOT EXISTS catalog_search_vector ON catalog_searchentry "
                        f"USING GIN ({PG_COLUMN}) WITH (fastupdate = off)")
            cur.execute("ALTER INDEX catalog_search_vector SET (fastupdate = off)")
            cur.execute("SELECT gin_clean_pending_list('catalog_search_vector'::regclass)")


def uninstall(schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor else connection
    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        elif conn.vendor == "postgresql":
            cur.execute("DROP INDEX IF EXISTS catalog_search_fulltext")
            cur.execute("DROP INDEX IF EXISTS catalog_search_vector")
            cur.execute(f"ALTER TABLE catalog_searchentry DROP COLUMN IF EXISTS {PG_COLUMN}")


# --- indexing --------------------------------------------------------------------------------------------

def _family_members(course: Course) -> list[Course]:
    root_id = course.translation_of_id or course.pk
    return list(Course.objects.filter(Q(pk=root_id) | Q(translation_of_id=root_id))
                .select_related("live_version", "provider__org").order_by("pk"))


def _texts_by_language(version) -> dict[str, dict[str, str]]:
    out = {version.language: {"title": version.title, "summary": version.summary,
                              "keywords": " ".join(version.keywords or []), "description": version.description}}
    for t in Translation.objects.filter(version=version, target="course"):
        out.setdefault(t.language, {})[t.field] = t.text
    return out


_TAGS = re.compile(r"<[^>]+>")


def _listed(members: list[Course]) -> list[Course]:
    return [m for m in members if m.live_version and m.live_version.status == VersionStatus.PUBLISHED]


def family_stats(members: list[Course]) -> dict:
    """The public figures of a course family (one course in several languages), the one definition that the
    search card and the course page both show: learners = enrolments in any member, ratings = every member's
    ratings (count summed, average weighted by each member's count, two decimals)."""
    count = sum(m.rating_count for m in members)
    avg = (sum(m.rating_avg * m.rating_count for m in members) / count) if count else 0
    return {"enrolment_count": sum(m.enrolment_count for m in members), "rating_count": count,
            "rating_avg": round(Decimal(str(avg)), 2)}


def family_display(members: list[Course], texts_of=None) -> dict[str, dict]:
    """{language: the member whose page shows it, with its title and summary in that language} over the
    listed members: a course written in a language wins over a translation of another member's texts. The
    search card's "+N languages" and the course page's "Also in" are both this list."""
    texts_of = texts_of or _texts_by_language
    display: dict[str, dict] = {}
    for m in _listed(members):
        v = m.live_version
        for lang, texts in texts_of(v).items():
            if lang not in display or lang == v.language:
                display[lang] = {"course": str(m.public_id), "title": texts.get("title") or v.title,
                                 "summary": texts.get("summary") or v.summary, "language": v.language}
    return display


def family_of(course: Course) -> list[Course]:
    return _family_members(course)


def index_family(course: Course) -> SearchEntry | None:
    """Rebuild the entry of ``course``'s family from its listed members; drop it when none is listed."""
    members = _family_members(course)
    root = members[0] if members else course
    listed = [m for m in members if m.live_version and m.live_version.status == VersionStatus.PUBLISHED]
    entry = SearchEntry.objects.filter(family_id=root.pk).first()
    if not listed:
        if entry is not None:
            _fts_delete(entry.pk)
            entry.delete()
        return None
    main = next((m for m in listed if m.pk == root.pk), listed[0])
    title_parts: list[str] = []
    body_parts: list[str] = []
    competencies: set[str] = set()
    texts_by_version = {}
    for m in listed:
        v = m.live_version
        competencies.update(v.competencies.values_list("code", flat=True))
        texts_by_version[v.pk] = _texts_by_language(v)
        for texts in texts_by_version[v.pk].values():
            title_parts.append(texts.get("title", ""))
            body_parts += [texts.get("summary", ""), texts.get("keywords", "").replace("\n", " "),
                           _TAGS.sub(" ", texts.get("description", ""))]
    display = family_display(listed, lambda v: texts_by_version[v.pk])
    v = main.live_version
    org = main.provider.org
    body_parts.append(org.name + " " + org.name_local)
    # Each term once: sixteen languages of one title mostly share their terms, and a short row ranks fast.
    title_set = dict.fromkeys(T.terms(" ".join(title_parts)))
    title_terms = " ".join(title_set)
    body_terms = " ".join(t for t in dict.fromkeys(T.terms(" ".join(body_parts))) if t not in title_set)
    own = display[v.language]
    fields = dict(
        provider=main.provider, kind=main.kind, audience=main.audience_id, languages=" " + " ".join(sorted(display)) + " ",
        competencies=" " + " ".join(sorted(competencies)) + " " if competencies else "",
        duration_minutes=v.duration_minutes, level=v.level,
        **family_stats(members),
        published_at=min(m.live_version.published_at for m in listed),
        main_language=v.language, main_course=own["course"], main_title=own["title"][:200],
        main_summary=own["summary"][:500], provider_ref=str(main.provider.public_id), provider_name=org.name,
        provider_name_local=org.name_local, title_terms=title_terms, body_terms=body_terms,
    )
    if entry is None:
        entry = SearchEntry.objects.create(family_id=root.pk, **fields)
    else:
        for k, val in fields.items():
            setattr(entry, k, val)
        entry.save()
        SearchText.objects.filter(entry=entry).delete()
    SearchText.objects.bulk_create([
        SearchText(entry=entry, language=lang, course=d["course"], title=d["title"][:200],
                   summary=d["summary"][:500]) for lang, d in display.items() if lang != v.language])
    _fts_write(entry)
    _vocabulary_add(set(title_terms.split()) | set(body_terms.split()))
    return entry


def stats_refresh(course: Course) -> None:
    root_id = course.translation_of_id or course.pk
    members = list(Course.objects.filter(Q(pk=root_id) | Q(translation_of_id=root_id)))
    SearchEntry.objects.filter(family_id=root_id).update(**family_stats(members))


def _fts_write(entry: SearchEntry) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [entry.pk])
        cur.execute(f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (%s, %s, %s)",
                    [entry.pk, entry.title_terms, entry.body_terms])


def _fts_delete(entry_id: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [entry_id])


def _vocabulary_add(terms: set[str]) -> None:
    terms = {t for t in terms if 3 <= len(t) <= 64 and not t.startswith("0")}
    if not terms:
        return
    known = set()
    for chunk in _chunks(sorted(terms), 500):
        known.update(SearchTerm.objects.filter(term__in=chunk).values_list("term", flat=True))
    new = sorted(terms - known)
    if not new:
        return
    SearchTerm.objects.bulk_create([SearchTerm(term=t) for t in new], ignore_conflicts=True, batch_size=1000)
    ids = {}
    for chunk in _chunks(new, 500):
        ids.update(SearchTerm.objects.filter(term__in=chunk).values_list("term", "pk"))
    SearchTermVariant.objects.bulk_create(
        [SearchTermVariant(variant=v, term_id=ids[t]) for t in new for v in T.variants(t)],
        ignore_conflicts=True, batch_size=2000)


def _chunks(seq: list, n: int):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


@transaction.atomic
def reindex_all() -> int:
    """Rebuild every entry (after a change of the term rules)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {FTS_TABLE}")
    SearchEntry.objects.all().delete()
    n = 0
    for c in Course.objects.filter(translation_of__isnull=True, live_version__isnull=False):
        n += index_family(c) is not None
    return n


# --- querying ----------------------------------------------------------------------------------------------

@dataclass
class ParsedQuery:
    words: list[list[str]] = field(default_factory=list)   # per query word: alternative terms (OR)
    prefix_last: bool = False
    # Words taken to be in the vocabulary without asking (PostgreSQL): ``match`` checks them in its own
    # statement and, if one is not, completes the query with ``_add_typo_alternatives`` and runs it again.
    unchecked: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.words


# Loose forms found in the vocabulary by an earlier search in this process. Only a hint of which way to run a
# search (the words are checked again in the search's own statement), so it can never change a result.
_SEEN_KNOWN: dict[str, None] = {}
SEEN_KNOWN_MAX = 50_000


def parse(q: str, *, defer_check: bool = False) -> ParsedQuery:
    """Query text -> per word, the terms that match it (its loose form, its key, near spellings).

    ``defer_check``: when every word to check was found in the vocabulary before, leave the check to
    ``match`` (one statement instead of two; PostgreSQL only)."""
    q = (q or "")[:MAX_QUERY_CHARS]
    parsed = ParsedQuery()
    raw = T.words(q)[:MAX_QUERY_WORDS]
    seen = set()
    for w in raw:
        lf = T.loose(w)
        if not lf or lf in seen:
            continue
        seen.add(lf)
        alternatives = [lf]
        k = T.key(lf)
        if k:
            alternatives.append(k)
        parsed.words.append(alternatives)
    if not parsed.words:
        return parsed
    to_check = _to_check(parsed)
    if defer_check and connection.vendor == "postgresql" and all(lf in _SEEN_KNOWN for lf in to_check):
        parsed.unchecked = to_check
    else:
        _add_typo_alternatives(parsed)
    parsed.prefix_last = not q.rstrip().endswith(tuple(" .,;")) and len(parsed.words[-1][0]) >= 3
    return parsed


def _to_check(parsed: ParsedQuery) -> list[str]:
    return [alts[0] for alts in parsed.words if len(alts[0]) >= 4]


def _add_typo_alternatives(parsed: ParsedQuery) -> None:
    parsed.unchecked = []
    loose_forms = _to_check(parsed)
    if not loose_forms:
        return
    # PostgreSQL: one statement for both lookups, which words are in the vocabulary and the vocabulary words
    # sharing a one-letter deletion with any of them (used only for the words that turn out to be unknown):
    # there every statement is a round trip to another process, which costs more than the lookups. SQLite
    # looks up the variants of the unknown words only, when there are some.
    variant_of: dict[str, set[str]] = {lf: T.variants(lf) for lf in loose_forms}
    sql = f"SELECT term, NULL FROM catalog_searchterm WHERE term IN ({_marks(loose_forms)})"
    args = list(loose_forms)
    together = connection.vendor == "postgresql"
    if together:
        all_variants = sorted(set().union(*variant_of.values()))
        sql += " UNION ALL " + _VARIANTS_SQL.format(marks=_marks(all_variants))
        args += all_variants
    with connection.cursor() as cur:
        cur.execute(sql, args)
        rows = cur.fetchall()
        known = {a for a, b in rows if b is None}
        if len(_SEEN_KNOWN) > SEEN_KNOWN_MAX:
            _SEEN_KNOWN.clear()
        _SEEN_KNOWN.update(dict.fromkeys(known))
        unknown = [lf for lf in loose_forms if lf not in known]
        if not unknown:
            return
        variant_of = {lf: variant_of[lf] for lf in unknown}
        if not together:
            wanted = sorted(set().union(*variant_of.values()))
            cur.execute(_VARIANTS_SQL.format(marks=_marks(wanted)), wanted)
            rows = cur.fetchall()
    near: dict[str, list[str]] = {lf: [] for lf in unknown}
    for variant, term in sorted((r for r in rows if r[1] is not None), key=lambda r: r[1]):
        for lf, vs in variant_of.items():
            if variant in vs and term not in near[lf] and abs(len(term) - len(lf)) <= 1:
                near[lf].append(term)
    for alts in parsed.words:
        for term in near.get(alts[0], [])[:MAX_TYPO_CANDIDATES]:
            alts.append(term)
            k = T.key(term)
            if k and k not in alts:
                alts.append(k)


_VARIANTS_SQL = ("SELECT v.variant, t.term FROM catalog_searchtermvariant v "
                 "JOIN catalog_searchterm t ON t.id = v.term_id WHERE v.variant IN ({marks})")


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _fts_expression(parsed: ParsedQuery) -> str:
    groups = []
    for i, alts in enumerate(parsed.words):
        last = parsed.prefix_last and i == len(parsed.words) - 1
        terms = [f'"{a}"' for a in alts] + ([f'"{alts[0]}"*'] if last else [])
        groups.append("(" + " OR ".join(terms) + ")")
    return " AND ".join(groups)


def _tsquery(parsed: ParsedQuery, *, for_filter: bool = False) -> str:
    """The query as a tsquery. ``for_filter``: the same matches written without the word that its own prefix
    form covers (``w | w:*`` is ``w:*``): PostgreSQL estimates the matches of an OR as the sum of its parts,
    and the double count made it read the whole table instead of the index (ranking keeps the full form)."""
    groups = []
    for i, alts in enumerate(parsed.words):
        last = parsed.prefix_last and i == len(parsed.words) - 1
        terms = (alts[1:] if for_filter else list(alts)) if last else list(alts)
        terms += [f"{alts[0]}:*"] if last else []
        groups.append("(" + " | ".join(terms) + ")")
    return " & ".join(groups)


SORTS = {"newest": "e.published_at DESC, e.id DESC", "popular": "e.enrolment_count DESC, e.id DESC",
         "rating": "e.rating_avg DESC, e.rating_count DESC, e.id DESC"}


def match(parsed: ParsedQuery, *, where: list[str], params: list, sort: str, limit: int, offset: int,
          columns: tuple[str, ...] = ("id",), language: str = "", count: bool = True) -> tuple[list[tuple], int]:
    """One page of matching entries in order, and how many match. ``where`` holds extra SQL conditions on
    ``e`` (catalog_searchentry) with ``%s`` placeholders. Each row holds ``columns`` of the entry, then the
    course, title and summary of ``language`` from SearchText (None when the family lacks that language):
    the page and its display texts come back in one query."""
    conds, args = list(where), list(params)
    order = SORTS.get(sort)
    if parsed.empty:
        join, rank = "", "0"
        order = order or SORTS["popular"]
    elif connection.vendor == "sqlite":
        join = f"JOIN {FTS_TABLE} f ON f.rowid = e.id"
        conds.insert(0, f"{FTS_TABLE} MATCH %s")
        args.insert(0, _fts_expression(parsed))
        rank = f"bm25({FTS_TABLE}, 10.0, 1.0)"
        order = order or "rank ASC, e.enrolment_count DESC, e.id DESC"
    else:
        join = ""
        conds.insert(0, f"e.{PG_COLUMN} @@ to_tsquery('simple', %s)")
        args.insert(0, _tsquery(parsed, for_filter=True))
        rank = f"-ts_rank(e.{PG_COLUMN}, to_tsquery('simple', %s))"
        order = order or "rank ASC, e.enrolment_count DESC, e.id DESC"
    where_sql = (" WHERE " + " AND ".join(conds)) if conds else ""
    rank_args = [_tsquery(parsed)] if (not parsed.empty and connection.vendor != "sqlite") else []
    # PostgreSQL counts the matches in the same pass (a window over the matches, before the LIMIT): one
    # statement, one round trip, one scan. SQLite keeps a separate COUNT: its statements are calls within
    # the process, and a plain COUNT lets it skip ranking.
    inline_count = count and connection.vendor == "postgresql"
    window = ", COUNT(*) OVER () AS total" if inline_count else ""
    page = (f"SELECT e.id AS id, {rank} AS rank{window} FROM catalog_searchentry e {join}{where_sql} "
            f"ORDER BY {order} LIMIT %s OFFSET %s")
    cols = ", ".join(f"e.{c}" for c in columns)
    # The vocabulary check of the words parse() left unchecked goes into the same statement: a one-row count
    # joined to the page, so that it comes back even when nothing matches.
    check = parsed.unchecked if (parsed.unchecked and connection.vendor == "postgresql") else []
    select = f"SELECT {cols}, t.course, t.title, t.summary{', p.total' if inline_count else ''}"
    joined = (f"({page}) p JOIN catalog_searchentry e ON e.id = p.id "
              "LEFT JOIN catalog_searchtext t ON t.entry_id = p.id AND t.language = %s")
    if check:
        marks = ", ".join(["%s"] * len(check))
        sql = (f"{select}, p.id, k.known FROM (SELECT COUNT(DISTINCT term) AS known FROM catalog_searchterm "
               f"WHERE term IN ({marks})) k LEFT JOIN ({joined}) ON TRUE")
    else:
        sql = f"{select} FROM {joined}"
    sql += f" ORDER BY {order.replace('rank ASC', 'p.rank ASC')}"
    with connection.cursor() as cur:
        cur.execute(sql, check + rank_args + args + [limit, offset, language])
        rows = cur.fetchall()
        if check:
            if rows[0][-1] != len(check):
                # A word is not (or no longer) in the vocabulary: check the words properly, with their typo
                # alternatives, and search again.
                for lf in check:
                    _SEEN_KNOWN.pop(lf, None)
                _add_typo_alternatives(parsed)
                return match(parsed, where=where, params=params, sort=sort, limit=limit, offset=offset,
                             columns=columns, language=language, count=count)
            rows = [r[:-2] for r in rows if r[-2] is not None]
        total = len(rows) + offset
        if inline_count and rows:
            total = rows[0][-1]
            rows = [r[:-1] for r in rows]
        elif count and (len(rows) == limit or offset):
            cur.execute(f"SELECT COUNT(*) FROM catalog_searchentry e {join}{where_sql}", args)
            total = cur.fetchone()[0]
    return rows, total


FACET_COLUMNS = ("provider_id", "kind", "languages")


def facets(parsed: ParsedQuery, *, where: list[str], params: list) -> dict[str, list[tuple]]:
    """Counts of the matches by provider, kind and language list, in one statement: each facet is the 200
    largest groups, most first."""
    conds, args = list(where), list(params)
    join = ""
    if not parsed.empty:
        if connection.vendor == "sqlite":
            join = f"JOIN {FTS_TABLE} f ON f.rowid = e.id"
            conds.insert(0, f"{FTS_TABLE} MATCH %s")
            args.insert(0, _fts_expression(parsed))
        else:
            conds.insert(0, f"e.{PG_COLUMN} @@ to_tsquery('simple', %s)")
            args.insert(0, _tsquery(parsed, for_filter=True))
    where_sql = (" WHERE " + " AND ".join(conds)) if conds else ""
    parts = [f"SELECT * FROM (SELECT {i} AS facet, CAST(m.{c} AS TEXT) AS value, COUNT(*) AS n FROM m "
             f"GROUP BY m.{c} ORDER BY COUNT(*) DESC, m.{c} LIMIT 200) f{i}" for i, c in enumerate(FACET_COLUMNS)]
    sql = (f"WITH m AS (SELECT e.provider_id, e.kind, e.languages FROM catalog_searchentry e {join}{where_sql}) "
           + " UNION ALL ".join(parts))
    out: dict[str, list[tuple]] = {c: [] for c in FACET_COLUMNS}
    with connection.cursor() as cur:
        cur.execute(sql, args)
        rows = cur.fetchall()
    for i, value, n in sorted(rows, key=lambda r: (r[0], -r[2], str(r[1]))):
        column = FACET_COLUMNS[i]
        out[column].append((int(value) if column == "provider_id" else value, n))
    return out


def languages_of(language_lists: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Language facet: entries hold a list of languages, so count by splitting it."""
    counts: dict[str, int] = {}
    for langs, n in language_lists:
        for lang in langs.split():
            counts[lang] = counts.get(lang, 0) + n
    return sorted(counts.items(), key=lambda kv: -kv[1])

