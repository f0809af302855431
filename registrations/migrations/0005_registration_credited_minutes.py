from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0004_registration_reminder_sent_at_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="credited_minutes",
            field=models.PositiveIntegerField(
                db_default=0,
                default=0,
                editable=False,
                help_text="Minutes credited by attendance: present = the meeting's length, partial = the minutes recorded (at most the length).",
            ),
        ),
    ]
