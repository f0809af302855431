"""`manage.py import_districts`: all or nothing, every bad line reported, idempotent."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from organizations.importing import DistrictImportError, import_districts
from organizations.models import District, School
from tests.factories import DistrictFactory, ProviderFactory, SchoolFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "fixtures" / "districts_sample.csv"
HEADER = "district_code,district_name,town,kind,member_of,school_code,school_name"


@pytest.fixture(autouse=True)
def providers():
    return {name: ProviderFactory(short_name=name) for name in ("LEARN", "EdAdvance", "EASTCONN")}


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_districts", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path: Path) -> tuple[str, str]:
    """The CommandError's message and what was written to stderr before it."""
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_districts", str(path), stdout=io.StringIO(), stderr=err)
    return str(raised.value), err.getvalue()


def write(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "districts.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def snapshot() -> list[tuple]:
    return [
        *District.objects.order_by("csde_code").values_list(
            "pk", "csde_code", "name", "town", "kind", "member_of__short_name"
        ),
        *School.objects.order_by("csde_code").values_list("pk", "csde_code", "name", "district"),
    ]


def test_the_sample_file_imports_its_districts_schools_and_memberships(providers):
    out, err = run(SAMPLE)

    assert "districts: 6 created, 0 updated, 0 unchanged" in out
    assert "schools: 7 created, 0 updated, 0 unchanged" in out
    assert err == ""
    old_saybrook = District.objects.get(csde_code="0640011")
    assert old_saybrook.member_of == providers["LEARN"]
    assert old_saybrook.schools.count() == 3
    assert District.objects.get(csde_code="1520011").kind == District.Kind.PUBLIC  # kind blank
    assert District.objects.get(csde_code="2040011").kind == District.Kind.REGIONAL
    charter = District.objects.get(csde_code="2790013")
    assert (charter.name, charter.member_of, charter.schools.count()) == (
        "Example Charter Academy, Inc.",
        None,
        0,
    )
    assert School.objects.get(csde_code="0150111").district.member_of == providers["EdAdvance"]


def test_importing_the_same_file_again_changes_nothing():
    run(SAMPLE)
    before = snapshot()

    out, _ = run(SAMPLE)

    assert "districts: 0 created, 0 updated, 6 unchanged" in out
    assert "schools: 0 created, 0 updated, 7 unchanged" in out
    assert snapshot() == before


def test_existing_districts_and_schools_are_updated_in_place_by_their_code(providers):
    district = DistrictFactory(
        csde_code="0640011", name="Old Saybrook Public Schools", member_of=None
    )
    school = SchoolFactory(district=DistrictFactory(), csde_code="0640111", name="Goodwin School")
    untouched = DistrictFactory(csde_code="9990011", name="Not In The File")

    out, _ = run(SAMPLE)

    assert "districts: 5 created, 1 updated, 0 unchanged" in out
    assert "schools: 6 created, 1 updated, 0 unchanged" in out
    district.refresh_from_db()
    school.refresh_from_db()
    assert (district.name, district.member_of) == (
        "Old Saybrook School District",
        providers["LEARN"],
    )
    assert (school.name, school.district) == ("Goodwin Elementary School", district)
    assert District.objects.filter(pk=untouched.pk, name="Not In The File").exists()


def test_a_blank_member_of_ends_a_membership(tmp_path, providers):
    DistrictFactory(
        csde_code="0880011", name="Mansfield School District", member_of=providers["LEARN"]
    )

    run(write(tmp_path, "0880011,Mansfield School District,Mansfield,public,,,"))

    assert District.objects.get(csde_code="0880011").member_of is None


def test_a_file_with_two_bad_rows_imports_nothing_and_names_both(tmp_path):
    path = write(
        tmp_path,
        "0640011,Old Saybrook School District,Old Saybrook,public,LEARN,0640111,Goodwin Elementary",
        "0150011,Bristol School District,Bristol,public,LERN,0150111,Northeast Middle School",
        "1520011,Waterford School District,Waterford,public,LEARN,,",
        "0880011,Mansfield School District,Mansfield,public,EASTCONN,0880111,",
        "2040011,Regional School District 04,Deep River,regional,LEARN,2040111,Valley Regional",
    )

    message, err = run_failing(path)

    assert "2 problems; nothing was imported" in message
    assert "districts.csv: line 3: unknown provider 'LERN' in member_of (known: EASTCONN, " in err
    assert "districts.csv: line 5: a school code without a school name" in err
    assert err.count("line ") == 2
    assert not District.objects.exists()
    assert not School.objects.exists()


GOOD = "0640011,Old Saybrook School District,Old Saybrook,public,LEARN,0640111,Goodwin Elementary"


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        (",Nameless District,Somewhere,public,,,", "line 3: the district code is empty"),
        ("0150011,,Bristol,public,,,", "line 3: the district name is empty"),
        ("0150011,Bristol School District,Bristol,county,,,", "line 3: unknown kind 'county'"),
        (
            "0150011,Bristol School District,Bristol,public,,,Northeast Middle School",
            "line 3: a school name without a school code",
        ),
        (
            "0640011,Old Saybrook School District,Old Saybrook,public,LEARN,0640111,Another Name",
            "line 3: school code 0640111 is 'Another Name' in district 0640011 here but "
            "'Goodwin Elementary' in district 0640011 on line 2",
        ),
        (
            "0640011,Old Saybrook SD,Old Saybrook,public,LEARN,0640211,Middle School",
            "line 3: district 0640011 has name 'Old Saybrook SD' here but "
            "'Old Saybrook School District' on line 2",
        ),
        (
            "0640011,Old Saybrook School District,Old Saybrook,public,,0640211,Middle School",
            "line 3: district 0640011 has member_of '' here but 'LEARN' on line 2",
        ),
        (
            "0640011,Old Saybrook School District,Old Saybrook,public,LEARN,0640222,Goodwin Elementary",
            "line 3: district 0640011 would have two schools named 'Goodwin Elementary'",
        ),
        (
            "01500110000001,Bristol School District,Bristol,public,,,",
            "is longer than 10 characters",
        ),
        (
            "０１５0011,Bristol School District,Bristol,public,,,",
            "may contain only letters, digits",
        ),
        ("0150 011,Bristol School District,Bristol,public,,,", "may contain only letters, digits"),
        ("0150011,Bristol\x07 School District,Bristol,public,,,", "district_name contains control"),
        ("0150011,Bristol, CT,Bristol,public,,,", "line 3: 8 values but the header has 7 columns"),
        ("0150011," + "B" * 201 + ",Bristol,public,,,", "district_name is longer than 200"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_line(tmp_path, bad_line, reason):
    message, err = run_failing(write(tmp_path, GOOD, bad_line))

    assert reason in err
    assert "nothing was imported" in message
    assert not District.objects.exists()


def test_a_school_name_already_used_in_the_district_is_reported(tmp_path):
    district = DistrictFactory(csde_code="0640011", name="Old Saybrook School District")
    SchoolFactory(district=district, csde_code="0640999", name="Goodwin Elementary")

    _, err = run_failing(write(tmp_path, GOOD))

    assert "line 2: district 0640011 would have two schools named 'Goodwin Elementary' " in err
    assert "(codes 0640111 and 0640999)" in err


def test_a_header_without_a_required_column_is_reported_on_line_1(tmp_path):
    path = write(
        tmp_path,
        "0640011,Old Saybrook School District,Old Saybrook,LEARN,0640111,Goodwin Elementary",
        header="district_code,district_name,town,member_of,school_code,school_name",
    )

    message, err = run_failing(path)

    assert "line 1: the header lacks the column kind" in err
    assert "1 problem; nothing was imported" in message


def test_a_semicolon_separated_file_gets_a_hint(tmp_path):
    path = write(tmp_path, header=HEADER.replace(",", ";"))

    _, err = run_failing(path)

    assert "the file seems to use semicolons; use commas" in err


def test_a_file_that_is_not_utf8_is_reported_without_a_traceback(tmp_path):
    path = tmp_path / "districts.csv"
    path.write_bytes(
        f"{HEADER}\n{GOOD}\n".encode()
        + "0150011,Bristol School District,Bristol,public,,0150111,École Française\n".encode(
            "latin-1"
        )
    )

    message, err = run_failing(path)

    assert "line 3: the file is not UTF-8 text (byte 0xc9)" in err
    assert "nothing was imported" in message
    assert not District.objects.exists()


def test_a_missing_file_is_reported(tmp_path):
    message, err = run_failing(tmp_path / "nope.csv")

    assert "nope.csv: no such file." in message


def test_an_empty_file_is_reported(tmp_path):
    path = tmp_path / "districts.csv"
    path.write_bytes(b"")

    _, err = run_failing(path)

    assert "line 1: the file is empty" in err


def test_excel_csv_with_a_byte_order_mark_and_crlf_imports(tmp_path):
    path = tmp_path / "districts.csv"
    path.write_bytes(f"\ufeff{HEADER}\r\n{GOOD}\r\n\r\n".encode())

    out, _ = run(path)

    assert "schools: 1 created" in out
    assert School.objects.get().name == "Goodwin Elementary"


def test_a_dry_run_counts_but_saves_nothing():
    out, _ = run(SAMPLE, "--dry-run")

    assert "would import districts: 6 created" in out
    assert not District.objects.exists()


def test_the_service_takes_rows_as_dicts(providers):
    rows = [
        {
            "district_code": "0880011",
            "district_name": "Mansfield School District",
            "town": "Mansfield",
            "kind": "",
            "member_of": "eastconn",
            "school_code": "0880111",
            "school_name": "Goodwin Elementary",
        },
        {"district_code": "0880011", "district_name": "Mansfield School District"},
    ]

    with pytest.raises(DistrictImportError) as raised:
        import_districts(rows=rows)
    assert [str(p) for p in raised.value.problems] == [
        "line 3: the row lacks town, kind, member_of, school_code, school_name"
    ]

    result = import_districts(rows=rows[:1])

    assert (result.districts_created, result.schools_created) == (1, 1)
    assert District.objects.get().member_of == providers["EASTCONN"]
