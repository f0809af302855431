"""Import districts and schools from a CSDE-style CSV (see `python manage.py import_districts`).

One row per school; a district with no school has an empty school_code and school_name:

    district_code,district_name,town,kind,member_of,school_code,school_name
    0640011,Old Saybrook School District,Old Saybrook,public,LEARN,0640111,Goodwin Elementary School

Validation first, writes second: every row is checked against the others and the database, and a
file with any problem imports nothing; the error names each bad line (the header is line 1).
Districts and schools are matched by CSDE code, so importing the same file again changes nothing.
Districts and schools missing from the file are left alone.
"""

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import District, Provider, School

COLUMNS = (
    "district_code",
    "district_name",
    "town",
    "kind",
    "member_of",
    "school_code",
    "school_name",
)
_CODE = re.compile(r"[A-Za-z0-9-]+")
_CODE_LENGTH = District._meta.get_field("csde_code").max_length
_LIMITS = {
    "district_name": District._meta.get_field("name").max_length,
    "town": District._meta.get_field("town").max_length,
    "school_name": School._meta.get_field("name").max_length,
}


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class DistrictImportError(ValidationError):
    """The file cannot be imported; `problems` lists every bad line, in line order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: p.line)
        super().__init__([str(problem) for problem in self.problems])


@dataclass
class ImportResult:
    districts_created: int = 0
    districts_updated: int = 0
    districts_unchanged: int = 0
    schools_created: int = 0
    schools_updated: int = 0
    schools_unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.districts_created
            or self.districts_updated
            or self.schools_created
            or self.schools_updated
        )

    def __str__(self) -> str:
        return (
            f"districts: {self.districts_created} created, {self.districts_updated} updated, "
            f"{self.districts_unchanged} unchanged; schools: {self.schools_created} created, "
            f"{self.schools_updated} updated, {self.schools_unchanged} unchanged"
        )


@dataclass
class _District:
    line: int
    code: str
    name: str
    town: str
    kind: str
    member_of: Provider | None
    schools: dict[str, "_School"] = field(default_factory=dict)


@dataclass
class _School:
    line: int
    code: str
    name: str
    district_code: str


def decode(data: bytes) -> str:
    """The text of an uploaded or read CSV file; raises DistrictImportError unless UTF-8.

    A byte-order mark (which Excel writes for "CSV UTF-8") is dropped.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DistrictImportError(
            [
                Problem(
                    line,
                    f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); "
                    'save it as "CSV UTF-8" and try again',
                )
            ]
        ) from error


def import_districts(
    *, rows: TextIO | Iterable[Mapping[str, str]], dry_run: bool = False
) -> ImportResult:
    """Create or update the districts and schools in `rows`, all or nothing.

    `rows` is a text stream of CSV (with its header row) or dicts keyed by the column names
    (line numbers then count from 2, as if a header came first). With `dry_run`, everything is
    checked and counted but nothing is saved.
    """
    districts = _validate(_read(rows))
    try:
        with transaction.atomic():
            result = _write(districts)
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as error:  # a race with another import, or a case we do not foresee
        raise DistrictImportError(
            [Problem(1, f"the database refused the import: {error}")]
        ) from error
    return result


def _read(rows: TextIO | Iterable[Mapping[str, str]]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs with stripped values; raises on a bad header or bad CSV."""
    if hasattr(rows, "read"):
        yield from _read_csv(rows)
        return
    problems: list[Problem] = []
    for number, row in enumerate(rows, start=2):
        missing = [column for column in COLUMNS if column not in row]
        if missing:
            problems.append(Problem(number, f"the row lacks {', '.join(missing)}"))
            continue
        yield number, {key: "" if row[key] is None else str(row[key]).strip() for key in COLUMNS}
    if problems:
        raise DistrictImportError(problems)


def _read_csv(stream: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            raise DistrictImportError(
                [Problem(1, f"the file is empty; the first line must be the header: {_columns()}")]
            )
        names = [name.strip().lower() for name in header]
        missing = [column for column in COLUMNS if column not in names]
        if missing:
            hint = " (the file seems to use semicolons; use commas)" if ";" in header[0] else ""
            raise DistrictImportError(
                [
                    Problem(
                        1,
                        f"the header lacks the column{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(missing)}; it needs {_columns()}{hint}",
                    )
                ]
            )
        index = {column: names.index(column) for column in COLUMNS}
        problems: list[Problem] = []
        last_line = reader.line_num
        for values in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue  # a blank line
            if len(values) > len(names):
                problems.append(
                    Problem(
                        line,
                        f"{len(values)} values but the header has {len(names)} columns "
                        "(a comma inside a name needs quotes)",
                    )
                )
                continue
            # Missing trailing cells (a district row without school columns) count as empty.
            yield (
                line,
                {
                    column: values[i].strip() if i < len(values) else ""
                    for column, i in index.items()
                },
            )
        if problems:
            raise DistrictImportError(problems)
    except UnicodeDecodeError as error:
        raise DistrictImportError(
            [Problem(reader.line_num + 1, 'the file is not UTF-8 text; save it as "CSV UTF-8"')]
        ) from error
    except csv.Error as error:
        raise DistrictImportError(
            [Problem(reader.line_num, f"not readable as CSV ({error})")]
        ) from error


def _columns() -> str:
    return ",".join(COLUMNS)


def _validate(rows: Iterator[tuple[int, dict[str, str]]]) -> dict[str, _District]:
    providers = {p.short_name.lower(): p for p in Provider.objects.all()}
    kinds = {value for value, _ in District.Kind.choices}
    districts: dict[str, _District] = {}
    schools: dict[str, _School] = {}
    problems: list[Problem] = []

    def bad(line: int, message: str) -> None:
        problems.append(Problem(line, message))

    try:
        for line, row in rows:
            row_problems = len(problems)
            code, name = row["district_code"], row["district_name"]
            school_code, school_name = row["school_code"], row["school_name"]
            if not code:
                bad(line, "the district code is empty")
            else:
                _check_code(code, "district code", line, bad)
            if not name:
                bad(line, "the district name is empty")
            for column, limit in _LIMITS.items():
                value = row[column]
                if len(value) > limit:
                    bad(line, f"{column} is longer than {limit} characters")
                if not value.isprintable():
                    bad(line, f"{column} contains control characters")
            kind = row["kind"].lower() or District.Kind.PUBLIC
            if kind not in kinds:
                bad(
                    line,
                    f"unknown kind {row['kind']!r} (use {', '.join(sorted(kinds))} or leave it blank)",
                )
            member_of = None
            if row["member_of"]:
                member_of = providers.get(row["member_of"].lower())
                if member_of is None:
                    known = ", ".join(sorted(p.short_name for p in providers.values()))
                    bad(
                        line, f"unknown provider {row['member_of']!r} in member_of (known: {known})"
                    )
            if bool(school_code) != bool(school_name):
                given, lacking = ("code", "name") if school_code else ("name", "code")
                bad(line, f"a school {given} without a school {lacking}")
            elif school_code:
                _check_code(school_code, "school code", line, bad)
            if len(problems) > row_problems:
                continue

            district = districts.get(code)
            if district is None:
                district = districts[code] = _District(
                    line, code, name, row["town"], kind, member_of
                )
            else:
                for label, here, there in (
                    ("name", name, district.name),
                    ("town", row["town"], district.town),
                    ("kind", kind, district.kind),
                    ("member_of", _short(member_of), _short(district.member_of)),
                ):
                    if here != there:
                        bad(
                            line,
                            f"district {code} has {label} {here!r} here but {there!r} on line "
                            f"{district.line}; a district's rows must agree",
                        )
            if not school_code:
                continue
            seen = schools.get(school_code)
            if seen is not None:
                if (seen.name, seen.district_code) != (school_name, code):
                    bad(
                        line,
                        f"school code {school_code} is {school_name!r} in district {code} here "
                        f"but {seen.name!r} in district {seen.district_code} on line {seen.line}",
                    )
                continue  # an exact repeat of a row is harmless
            school = schools[school_code] = _School(line, school_code, school_name, code)
            district.schools[school_code] = school
    except DistrictImportError as error:
        problems.extend(error.problems)

    problems.extend(_name_clashes(schools))
    if problems:
        raise DistrictImportError(problems)
    return districts


def _check_code(code: str, label: str, line: int, bad) -> None:
    if not _CODE.fullmatch(code):
        bad(line, f"{label} {code!r} may contain only letters, digits and hyphens")
    elif len(code) > _CODE_LENGTH:
        bad(line, f"{label} {code!r} is longer than {_CODE_LENGTH} characters")


def _short(provider: Provider | None) -> str:
    return provider.short_name if provider else ""


def _name_clashes(schools: dict[str, _School]) -> list[Problem]:
    """Two schools of one district may not share a name, counting the schools already saved
    that the file leaves alone."""
    final: dict[str, tuple[str, str]] = {
        code: (district_code, name)
        for code, district_code, name in School.objects.values_list(
            "csde_code", "district__csde_code", "name"
        )
    }
    final.update({code: (s.district_code, s.name) for code, s in schools.items()})
    owners: dict[tuple[str, str], list[str]] = {}
    for code, key in final.items():
        owners.setdefault(key, []).append(code)
    problems = []
    for (district_code, name), codes in owners.items():
        if len(codes) < 2:
            continue
        for code in sorted(c for c in codes if c in schools):
            others = ", ".join(sorted(c for c in codes if c != code))
            problems.append(
                Problem(
                    schools[code].line,
                    f"district {district_code} would have two schools named {name!r} "
                    f"(codes {code} and {others})",
                )
            )
    return problems


def _write(districts: dict[str, _District]) -> ImportResult:
    result = ImportResult()
    existing = {d.csde_code: d for d in District.objects.filter(csde_code__in=districts)}
    codes = [code for d in districts.values() for code in d.schools]
    existing_schools = {s.csde_code: s for s in School.objects.filter(csde_code__in=codes)}
    for row in districts.values():
        wanted = {
            "name": row.name,
            "town": row.town,
            "kind": row.kind,
            "member_of_id": row.member_of.pk if row.member_of else None,
        }
        district = existing.get(row.code)
        if district is None:
            district = District.objects.create(csde_code=row.code, **wanted)
            result.districts_created += 1
        elif _update(district, wanted):
            result.districts_updated += 1
        else:
            result.districts_unchanged += 1
        for school_row in row.schools.values():
            wanted = {"name": school_row.name, "district_id": district.pk}
            school = existing_schools.get(school_row.code)
            if school is None:
                School.objects.create(csde_code=school_row.code, **wanted)
                result.schools_created += 1
            elif _update(school, wanted):
                result.schools_updated += 1
            else:
                result.schools_unchanged += 1
    return result


def _update(obj: District | School, wanted: dict) -> bool:
    changed = [name for name, value in wanted.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, wanted[name])
    if changed:
        obj.save(update_fields=[name.removesuffix("_id") for name in changed])
    return bool(changed)
