"""Store the generated inputs of every property check in grader/checks/cases.json.

    .venv/bin/python -m grader.build.store_cases      (make cases)

Grading the reference runs every check, so every list of inputs gets drawn; for each list,
the inputs a search tries when every one fails are recorded too. See generated.py for why
they are stored and when the stored ones are used.
"""

from grader import grading
from grader.checks import generated
from grader.paths import REFERENCE_FILE


def main():
    generated.forget()
    report = grading.grade(REFERENCE_FILE)
    failed = [c.name for f in report.functions for c in f.checks if not c.passed]
    if failed:
        raise SystemExit(f"the reference must pass every check to draw every list: {failed}")
    when_failing = {key: generated.record_when_failing(*asked)
                    for key, asked in generated.recipes_so_far().items()}
    generated.store(generated.drawn_so_far(), when_failing)
    print(f"{generated.CASES_FILE.name}: {len(generated.drawn_so_far())} lists, "
          f"{sum(map(len, generated.drawn_so_far().values()))} inputs, and what a search tries "
          f"when every input fails for each ({sum(map(len, when_failing.values()))} inputs)")


if __name__ == "__main__":
    main()
