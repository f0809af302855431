"""Verb labels and `changes` as a person reads them."""

import datetime as dt

from activity.verbs import ChangeLine, render_changes, render_value, session_ids_in, verb_label


def test_known_verbs_have_labels_and_unknown_ones_read_from_their_last_part():
    assert verb_label("registration.cancelled") == "Cancelled"
    assert verb_label("registration.moved") == "Moved to another session"
    assert verb_label("invoice.credit_noted") == "Credit noted (invoice)"
    assert verb_label("oddity") == "Oddity"


def test_changes_read_as_field_before_and_after_with_plain_facts_beside_them():
    lines = render_changes(
        {
            "status": ["waitlisted", "confirmed"],
            "capacity": [20, 25],
            "purchase_order": [None, "PO-17"],
            "requires_approval": [False, True],
            "to_session": 12,
        },
        sessions={12: "Restorative Circles (session 12)"},
    )
    assert lines == [
        ChangeLine("Status", before="Waitlisted", after="Confirmed"),
        ChangeLine("Capacity", before="20", after="25"),
        ChangeLine("PO number", before="—", after="PO-17"),
        ChangeLine("Requires approval", before="No", after="Yes"),
        ChangeLine("Moved to", value="Restorative Circles (session 12)"),
    ]


def test_times_are_shown_in_new_york_with_the_zone_across_daylight_saving():
    # As DjangoJSONEncoder stores them: ISO strings in UTC.
    assert render_value("starts_at", "2026-03-07T14:00:00Z") == "Sat, Mar 7, 2026, 9:00 AM EST"
    assert render_value("starts_at", "2026-03-09T13:00:00+00:00") == "Mon, Mar 9, 2026, 9:00 AM EDT"
    assert render_value("day", "2026-03-09") == "Mon, Mar 9, 2026"
    moment = dt.datetime(2026, 7, 1, 16, 30, tzinfo=dt.UTC)
    assert render_value("ends_at", moment) == "Wed, Jul 1, 2026, 12:30 PM EDT"


def test_odd_values_are_shown_plainly_and_never_break_the_page():
    assert render_value("note", "2026-13-45T99:99") == "2026-13-45T99:99"
    assert render_value("meeting", {"status": "present", "minutes": 90}) == (
        "Status: Present; Minutes: 90"
    )
    assert render_changes("not a dict") == []  # type: ignore[arg-type]
    assert render_changes({"x": [1, 2, 3]}) == [ChangeLine("X", value="1, 2, 3")]


def test_session_ids_are_collected_to_look_their_titles_up_once():
    assert session_ids_in({"to_session": 3, "from_session": [1, 2], "capacity": [1, 2]}) == {
        1,
        2,
        3,
    }
