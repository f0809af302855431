"""Store every registration's credited minutes (registrations 0005 added the column at 0).

A frozen copy of attendance.selectors.credited_minutes_subquery, as migrations must not follow
later changes of the code."""

from django.db import migrations
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Least


def fill(apps, schema_editor):
    Attendance = apps.get_model("attendance", "Attendance")
    Registration = apps.get_model("registrations", "Registration")
    credited = Case(
        When(status="present", then=F("meeting__length_minutes")),
        When(status="partial", then=Least(F("minutes"), F("meeting__length_minutes"))),
        default=Value(0),
        output_field=IntegerField(),
    )
    per_registration = (
        Attendance.objects.filter(registration=OuterRef("pk"))
        .order_by()
        .values("registration")
        .annotate(total=Sum(credited))
        .values("total")
    )
    attended = Attendance.objects.values("registration_id")
    Registration.objects.filter(pk__in=attended).update(
        credited_minutes=Coalesce(Subquery(per_registration, output_field=IntegerField()), 0)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0001_initial"),
        ("registrations", "0005_registration_credited_minutes"),
        ("courses", "0003_meeting_length_certified_trainer"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
