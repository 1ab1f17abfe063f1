"""The bulk upload's template: the header of every column, one example row, and a guide to each column in the
reader's language (the second sheet of the workbook; in the CSV, lines starting with "#" after the example,
which the import skips)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksham.people.validation import COLUMNS, REQUIRED_COLUMNS

# column: (what to write, example)
GUIDE = {
    "full_name": (gettext_lazy("The person's full name, in any script."), "Asha Kumari"),
    "email": (gettext_lazy("Her email address: she signs in with it. A person already on the platform with this "
                           "email is updated, not added twice."), "asha.kumari@example.gov.in"),
    "mobile": (gettext_lazy("Mobile number, digits only (a country code may come first)."), "9876543210"),
    "designation": (gettext_lazy("Her designation as the organisation's role map names it. An unknown designation "
                                 "is refused or flagged, as the upload page asks."), "Section Officer"),
    "group": (gettext_lazy("Employee group: one of %(groups)s."), "B"),
    "service": (gettext_lazy("Service or cadre."), "CSS"),
    "employee_code": (gettext_lazy("Her employee code in the organisation; with no email match, a person with this "
                                   "code is updated."), "EMP-1024"),
    "org_code": (gettext_lazy("Code of her office, within the organisation chosen on the upload page; empty: "
                              "that organisation."), ""),
    "preferred_language": (gettext_lazy("Language of her pages and emails: a code such as %(codes)s."), "hi"),
    "gender": (gettext_lazy("female, male, other or undisclosed."), "female"),
    "date_of_birth": (gettext_lazy("Date of birth as YYYY-MM-DD."), "1990-04-15"),
    "mother_tongue": (gettext_lazy("Her mother tongue: a language code."), "hi"),
    "postal_code": (gettext_lazy("Postal code of her office."), "110001"),
    "external_id": (gettext_lazy("Her id in your HR system, kept for your reference."), "HR-88231"),
    "tags": (gettext_lazy("Labels for your own lists, separated by semicolons."), "batch-2026; new-joiner"),
}


def _guide_text(column: str) -> str:
    text = str(GUIDE[column][0])
    groups = ", ".join(settings.PROFILE.get("employee_groups", [])) or "—"
    codes = ", ".join(lang["code"] for lang in settings.PROFILE["languages"][:4])
    return text % {"groups": groups, "codes": codes} if "%(" in text else text


def header() -> list[str]:
    return list(COLUMNS)


def example_row() -> list[str]:
    groups = settings.PROFILE.get("employee_groups", [])
    row = []
    for column in COLUMNS:
        value = GUIDE[column][1]
        if column == "group" and groups and value not in groups:
            value = groups[0]
        row.append(value)
    return row


def guide_rows() -> list[list[str]]:
    """(column, required or optional, what to write, example) per column."""
    example = dict(zip(COLUMNS, example_row(), strict=True))
    return [[column, _("required") if column in REQUIRED_COLUMNS else _("optional"), _guide_text(column),
             example[column]] for column in COLUMNS]


def csv_rows() -> list[list[str]]:
    """The CSV template: header, example, a blank line, then the guide as "#" lines (the import skips them)."""
    rows = [header(), example_row(), []]
    rows.append(["# " + _("column"), _("required?"), _("what to write"), _("example")])
    rows += [["# " + r[0], *r[1:]] for r in guide_rows()]
    return rows


def write_xlsx(path: str) -> None:
    """The Excel template: the first sheet to fill (header and example), the second the guide."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    people = wb.active
    people.title = _("people")[:31]
    people.append(header())
    people.append(example_row())
    for cell in people[1]:
        cell.font = Font(bold=True)
    for i, column in enumerate(COLUMNS, start=1):
        people.column_dimensions[people.cell(row=1, column=i).column_letter].width = max(14, len(column) + 4)
    guide = wb.create_sheet(_("columns")[:31])
    guide.append([_("column"), _("required?"), _("what to write"), _("example")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for row in guide_rows():
        guide.append(row)
    for letter, width in zip("ABCD", (20, 12, 70, 28), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
