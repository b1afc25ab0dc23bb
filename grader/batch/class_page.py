"""The class report (index.html): how the class did, what it got wrong, which submissions need
a look (failed to grade, slowest, near-identical pairs), and a link to every student's page."""

from collections import defaultdict
from statistics import mean, median

from grader.batch import similarity_page
from grader.batch import status as status_mod
from grader.batch.html import esc, histogram, page, percent_bar, points, table
from grader.batch.similarity import Findings
from grader import registry

BINS = 10
TOP = 10
SHOWN_PAIRS = 30   # with their code side by side; the rest are listed


def render(rows, results, pairs, code, unrecognised, links):
    """rows: gradebook submissions; results: gradebook results; pairs: similarity.Pair list;
    code: similarity.Findings (or {student: {function: source}}); links: {student: relative
    URL of their page}. Similarity evidence is shown here only, never on students' pages."""
    graded = [r for r in rows if r["report"] is not None]
    sections = []
    if graded:
        sections += [("scores", "Scores", _histogram(graded)),
                     ("functions", "Pass rate per function", _functions(graded)),
                     ("mistakes", "Most frequent mistakes", _mistakes(results, links)),
                     ("checks", "Pass rate per check", _checks(results))]
    sections += [("look", "Needs a look", _failed(rows, links) + _slowest(graded, links)),
                 ("similar", "Near-identical submissions", _pairs(pairs, code, links)),
                 ("students", "Every student", _students(rows, links, pairs))]
    if unrecognised:
        sections.append(("unrecognised", "Not recognised as a submission",
                         table(["found", "why"], [[esc(o), esc(r)] for o, r in unrecognised])))
    nav = " &middot; ".join(f'<a href="#{key}">{esc(title)}</a>' for key, title, _ in sections)
    parts = ["<h1>word2vec: class report</h1>", _summary(rows, graded, unrecognised),
             f'<p class="small">{nav}</p>']
    parts += [f'<h2 id="{key}">{esc(title)}</h2>{body}' for key, title, body in sections]
    return page("word2vec class report", "\n".join(parts))


def _summary(rows, graded, unrecognised):
    if not graded:
        return f'<p class="box">No graded submissions yet ({len(rows)} recorded).</p>'
    scores = [r["score"] / r["max_score"] * 100 if r["max_score"] else 0 for r in graded]
    counts = {word: sum(status_mod.of_row(r) == word for r in rows) for word in status_mod.STATUSES}
    # the same words as the CSV's status column, counted
    return (f'<div class="box">{_plural(counts[status_mod.GRADED], "submission", "submissions")} graded'
            + (f', <span class="bad">{_plural(counts[status_mod.NOT_LOADED], "", "")}'
               "did not load (scored 0)</span>" if counts[status_mod.NOT_LOADED] else "")
            + (f', <span class="bad">{_plural(counts[status_mod.GRADER_ERROR], "grader error", "grader errors")}'
               " (graded again next run)</span>" if counts[status_mod.GRADER_ERROR] else "")
            + (f', <span class="warn">{_plural(len(unrecognised), "entry", "entries")} not '
               "recognised</span>" if unrecognised else "")
            + f". Mean score <b>{mean(scores):.1f}%</b>, median <b>{median(scores):.1f}%</b>; "
            f"full marks: {sum(s >= 100 for s in scores)}.</div>")


def _plural(n, one, many):
    return f"<b>{n}</b> {one if n == 1 else many}"


def _histogram(graded):
    counts = [0] * BINS
    for r in graded:
        share = r["score"] / r["max_score"] if r["max_score"] else 0
        counts[min(int(share * BINS), BINS - 1)] += 1
    labels = [f"{i * 100 // BINS}-{(i + 1) * 100 // BINS}" for i in range(BINS)]
    return histogram(counts, labels)


def graded_functions(rows) -> tuple:
    """The exercise functions the class's reports hold, in the registry's order (an optional
    exercise appears only when it was graded); none graded yet: the default ones."""
    seen = {f.name for r in rows if r.get("report") for f in r["report"].functions}
    return tuple(n for n in registry.NAMES if n in seen) or registry.enabled()


def _functions(graded):
    rows = []
    for name in graded_functions(graded):
        reports = [f for r in graded for f in r["report"].functions if f.name == name]
        if not reports:
            continue
        share = mean(f.score / f.max_score if f.max_score else 0 for f in reports)
        full = sum(f.score == f.max_score for f in reports) / len(reports)
        rows.append([f'<span class="name">{esc(name)}</span>', _rate(full), f"{share:.0%}"])
    return table(["function", "full marks", "mean score"], rows, numeric=(2,))


def _checks(results):
    by_check = defaultdict(list)
    titles = {}
    for r in results:
        key = (r["function"], r["check_id"])
        by_check[key].append(r["passed"])
        titles[key] = r["title"]
    rows = []
    for (fn, check), passed in by_check.items():
        rows.append([f'{esc(titles[(fn, check)])}<div class="small muted name">{esc(fn)}</div>',
                     _rate(sum(passed) / len(passed))])
    return table(["check", "passed"], rows)


def _rate(fraction):
    return f'{fraction:.0%}{percent_bar(fraction, f"{fraction:.0%}")}'


def _mistakes(results, links):
    students = defaultdict(set)
    for r in results:
        if r["mistake"]:
            students[(r["function"], r["mistake"])].add(r["student"])
    if not students:
        return '<p class="muted">No catalogued mistake was diagnosed.</p>'
    ranked = sorted(students.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    rows = [[str(len(who)), f'{esc(mistake)}<div class="small muted name">{esc(fn)}</div>',
             ", ".join(_link(s, links) for s in sorted(who)[:TOP]) + (" &hellip;" if len(who) > TOP else "")]
            for (fn, mistake), who in ranked]
    return table(["students", "mistake", "who"], rows, numeric=(0,))


def _failed(rows, links):
    failed = [r for r in rows if r["report"] is None or r["report"].problems]
    if not failed:
        return '<p class="muted">Every submission loaded and was graded.</p>'
    out = []
    for r in failed:
        why = r["error"] if r["report"] is None else r["report"].problems[0].splitlines()[0]
        out.append([_link(r["student"], links), status_mod.LABELS[status_mod.of_row(r)], esc(why)])
    return "<h3>Failed to grade or to load</h3>" + table(["student", "what", "why"], out)


def _slowest(graded, links):
    slow = sorted(graded, key=lambda r: -r["seconds"])[:TOP]
    rows = [[_link(r["student"], links), f'{r["seconds"]:.1f} s'] for r in slow]
    return "<h3>Slowest to grade</h3>" + table(["student", "grading time"], rows, numeric=(1,))


def _pairs(pairs, code, links):
    """The similarity section. `code` is the comparison's similarity.Findings (evidence with
    passages highlighted); a plain {student: {function: source}} still shows the bodies."""
    if isinstance(code, Findings):
        return similarity_page.section(code, links, _link, SHOWN_PAIRS)
    if not pairs:
        return '<p class="muted">No pair of submissions shares near-identical function bodies.</p>'
    out = ['<p class="muted small">Function bodies that match after comments, docstrings, layout '
           "and names are set aside (starter code and the class's most common solutions do not "
           "count). A place to look, not a verdict.</p>"]
    for pair in pairs[:SHOWN_PAIRS]:
        out.append(f"<h3>{_link(pair.a, links)} and {_link(pair.b, links)}: {_shared(pair)}</h3>")
        for fn, _ in pair.functions:
            out.append('<div class="pair">'
                       + "".join(f'<div><div class="small muted">{esc(s)}</div>'
                                 f'<pre>{esc(code.get(s, {}).get(fn, ""))}</pre></div>'
                                 for s in (pair.a, pair.b))
                       + "</div>")
    if len(pairs) > SHOWN_PAIRS:
        out.append(f"<h3>{len(pairs) - SHOWN_PAIRS} more pairs</h3>" + table(
            ["pair", "shared"], [[f"{_link(p.a, links)} and {_link(p.b, links)}", _shared(p)]
                                 for p in pairs[SHOWN_PAIRS:]]))
    return "\n".join(out)


def _shared(pair):
    return ", ".join(f"{esc(fn)} ({ratio:.0%})" for fn, ratio in pair.functions)


def _students(rows, links, pairs):
    partners = defaultdict(list)
    for p in pairs:
        partners[p.a].append(p.b)
        partners[p.b].append(p.a)
    out, functions = [], graded_functions(rows)
    for r in rows:
        report = r["report"]
        per_fn = {f.name: f.score for f in report.functions} if report else {}
        word = status_mod.of_row(r)
        out.append([_link(r["student"], links),
                    esc(word) if word == status_mod.GRADED else f'<span class="bad">{esc(word)}</span>',
                    f'{points(r["score"])} / {points(r["max_score"])}' if report else ""]
                   + [points(per_fn[f]) if f in per_fn else "" for f in functions]
                   + [esc(" ".join(status_mod.flags(r, partners)))])
    # headings and cells come from the same list: a column can never shift
    return table(["student", "status", "total", *(registry.get(f).short for f in functions),
                  "flags"], out, numeric=tuple(range(2, 3 + len(functions))))


def _link(student, links):
    return f'<a href="{esc(links[student])}">{esc(student)}</a>' if student in links else esc(student)

