"""Evaluation results at scale, on PostgreSQL: results for a program over a fiscal year, and
the reach report with its `evaluations` block.

Drops and creates the database `pd_eval_bench`, migrates it, loads the reach benchmark's data
(benchmarks/reach_scale.py: 6 providers, `--people` people, `--sessions` sessions over fiscal
years 2025 and 2026 with registrations and attendance, by COPY), then writes in SQL (INSERT ...
SELECT, in the database): an evaluation form of 5 questions per course (agreement marked overall,
pre/post, one choice, several choices, open text), an evaluation request for every confirmed
registration of a scheduled session, `--responses` evaluations among them and their answers.
Then VACUUM ANALYZE, and times (first run and best of 3, with the number of queries):

- evaluations.selectors.results for the program with the most sessions over FY2026, and for
  one provider's FY2026;
- evaluations.selectors.summary for the Alliance-wide FY2026 (the reach `evaluations` block);
- reports.selectors.reach_report (every figure, breakdown and the block) for LEARN's and the
  Alliance's FY2026.

    .venv/bin/python benchmarks/evaluations.py [--responses 500000] [--keep-db] [--skip-load]

Prints GOAL MET or GOAL MISSED (1 s each). See benchmarks/README.md.
"""

import argparse
import time

import pgbench_db
import reach_scale

DB_NAME = "pd_eval_bench"
GOAL_SECONDS = 1.0
YEAR = 2026


def environment() -> dict[str, str]:
    env = reach_scale.app_environment()
    env["DATABASE_URL"] = pgbench_db.database_url(DB_NAME)
    return env


EVALUATION_SQL = [
    (
        "forms (one per course)",
        """
INSERT INTO evaluations_evaluationform
    (provider_id, program_id, course_id, title, version, previous_id, is_current, created_at,
     created_by_id)
SELECT c.provider_id, NULL, c.id, 'Evaluation of ' || c.title, 1, NULL, TRUE, now(), NULL
FROM courses_course c""",
    ),
    (
        "questions (5 per form)",
        """
INSERT INTO evaluations_question (form_id, position, kind, text, choices, required, is_overall)
SELECT f.id, q.position, q.kind, q.text, q.choices::jsonb, TRUE, q.position = 1
FROM evaluations_evaluationform f
CROSS JOIN (VALUES
    (1, 'agreement', 'The session met its objectives', '[]'),
    (2, 'prepost', 'Confidence in the topic', '[]'),
    (3, 'single', 'Which part helped most?', '["Talks", "Practice", "Discussion"]'),
    (4, 'multiple', 'What will you use?', '["A", "B", "C", "D"]'),
    (5, 'text', 'What will you try first?', '[]')
) AS q(position, kind, text, choices)""",
    ),
    (
        "requests (confirmed registrations of scheduled sessions)",
        """
INSERT INTO evaluations_evaluationrequest
    (registration_id, session_id, form_id, asked_at, first_reminder_at, second_reminder_at,
     waived_at, waived_by_id, waive_reason)
SELECT r.id, r.session_id, f.id, now(), NULL, NULL,
       CASE WHEN r.id % 97 = 0 THEN now() ELSE NULL END, NULL, ''
FROM registrations_registration r
JOIN courses_session s ON s.id = r.session_id
JOIN evaluations_evaluationform f ON f.course_id = s.course_id
WHERE r.status = 'confirmed' AND s.status = 'scheduled'""",
    ),
    (
        "evaluations",
        """
INSERT INTO evaluations_evaluation (registration_id, session_id, form_id, submitted_at, updated_at)
SELECT registration_id, session_id, form_id, now(), now() FROM evaluations_evaluationrequest
ORDER BY (registration_id * 2654435761) %% 1000003
LIMIT %(responses)s""",
    ),
    (
        "answers (5 per evaluation)",
        """
INSERT INTO evaluations_answer (evaluation_id, question_id, rating, before, chosen, text)
SELECT e.id, q.id,
       CASE WHEN q.kind IN ('agreement', 'prepost') THEN 1 + (e.id * 7 + q.position) % 5 END,
       CASE WHEN q.kind = 'prepost' THEN 1 + (e.id * 3) % 3 END,
       CASE WHEN q.kind = 'single' THEN 1 << (e.id % 3)::int
            WHEN q.kind = 'multiple' THEN (1 + e.id % 15)::int ELSE 0 END,
       CASE WHEN q.kind = 'text' AND e.id % 4 = 0 THEN 'Comment ' || (e.id % 500) ELSE '' END
FROM evaluations_evaluation e
JOIN evaluations_question q ON q.form_id = e.form_id
WHERE q.kind <> 'text' OR e.id % 4 = 0""",
    ),
]


def load_evaluations(responses: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for label, sql in EVALUATION_SQL:
            began = time.perf_counter()
            cursor.execute(sql, {"responses": responses} if "%(responses)s" in sql else None)
            took = time.perf_counter() - began
            reach_scale.progress(f"{label}: {cursor.rowcount:,} rows in {took:.1f} s")


def timed(label: str, run, repeats: int = 3) -> tuple[str, float, float, int]:
    from django.db import connection, reset_queries

    connection.force_debug_cursor = True
    reset_queries()
    began = time.perf_counter()
    value = run()
    first = time.perf_counter() - began
    queries = len(connection.queries)
    best = first
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    connection.force_debug_cursor = False
    print(f"  {label:58}{first:>8.3f}{best:>8.3f}{queries:>8}   {describe(value)}", flush=True)
    return label, first, best, queries


def describe(value) -> str:
    from evaluations.selectors import Results, Summary

    if isinstance(value, Results):
        return f"{value.responses:,} responses of {value.asked:,} asked, {len(value.questions)} questions"
    if isinstance(value, Summary):
        return (
            f"{value.responses:,} responses, rate {value.response_rate}%, agreement "
            f"{value.overall_agreement_percent}%, change {value.mean_confidence_change}"
        )
    evaluations = getattr(value, "evaluations", None)
    if evaluations is not None:
        return f"{value.figures.completions:,} completions; evaluations {describe(evaluations)}"
    return ""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--attendance", type=int, default=1_000_000)
    parser.add_argument("--responses", type=int, default=500_000)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    env = environment()
    try:
        if args.skip_load:
            pgbench_db.migrate(env, timeout=reach_scale.MIGRATE_TIMEOUT)
            pgbench_db.setup_django(env)
            from evaluations.models import EvaluationForm

            if not EvaluationForm.objects.exists():  # an earlier run stopped before them
                load_evaluations(args.responses)
                reach_scale.vacuum_analyze()
        else:
            print(f"Preparing database {DB_NAME} ...", flush=True)
            pgbench_db.recreate_database(DB_NAME)
            pgbench_db.migrate(env, timeout=reach_scale.MIGRATE_TIMEOUT)
            pgbench_db.setup_django(env)
            generated = reach_scale.generate(
                people=args.people,
                sessions=args.sessions,
                attendance=args.attendance,
                seed=reach_scale.SEED,
            )
            reach_scale.load(generated.tables)
            del generated.tables
            reach_scale.progress("VACUUM (ANALYZE), storing credited minutes ...")
            reach_scale.vacuum_analyze()
            reach_scale.store_all_credited_minutes()
            load_evaluations(args.responses)
            reach_scale.progress("VACUUM (ANALYZE) ...")
            reach_scale.vacuum_analyze()
        return run_timings()
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            pgbench_db.drop_database(DB_NAME)


def run_timings() -> int:
    from django.db.models import Count

    from courses.models import Program
    from evaluations.models import Answer, Evaluation, EvaluationRequest
    from evaluations.selectors import results, results_sessions, summary
    from organizations.models import Provider
    from reports.selectors import ReachScope, reach_report, scope_sessions

    print(
        f"\nData: {EvaluationRequest.objects.count():,} requests, "
        f"{Evaluation.objects.count():,} evaluations, {Answer.objects.count():,} answers"
    )
    program = Program.objects.annotate(n=Count("courses__sessions")).order_by("-n", "pk").first()
    learn = Provider.objects.get(short_name="LEARN")
    start, end = reach_scale.dt.date(YEAR - 1, 7, 1), reach_scale.dt.date(YEAR, 6, 30)
    program_sessions = results_sessions(visible=None, start=start, end=end, program_id=program.pk)
    provider_sessions = results_sessions(
        visible=None, start=start, end=end, provider_ids=[learn.pk]
    )
    alliance = ReachScope.fiscal_year(YEAR)
    learn_scope = ReachScope.fiscal_year(YEAR, provider_ids=(learn.pk,))
    print(f"  program {program.name!r}: {program_sessions.count():,} sessions in FY{YEAR}")
    print(f"\n  {'what':58}{'first s':>8}{'best s':>8}{'queries':>8}")
    rows = [
        timed(f"results: program {program.name[:20]}, FY{YEAR}", lambda: results(program_sessions)),
        timed(f"results: LEARN, FY{YEAR}", lambda: results(provider_sessions)),
        timed(f"summary: Alliance-wide, FY{YEAR}", lambda: summary(scope_sessions(alliance))),
        timed(f"reach_report with evaluations: LEARN, FY{YEAR}", lambda: reach_report(learn_scope)),
        timed(f"reach_report with evaluations: Alliance, FY{YEAR}", lambda: reach_report(alliance)),
    ]
    missed = [label for label, _, best, _ in rows if best > GOAL_SECONDS]
    print("\nGOAL MISSED: " + ", ".join(missed) if missed else "\nGOAL MET (every best under 1 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
