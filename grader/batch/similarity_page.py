"""The class report's evidence for a flagged pair: for each function holding shared code, both
students' code side by side, shared passages highlighted and numbered alike on both sides, and
lines padded so the passages start on the same row. For the instructor only.

Everything shown is the students' text, escaped; numbers are the grader's own.
"""

from grader.batch.html import esc

STYLE = """<style>
table.sbs{border-collapse:collapse;width:100%;font:12px/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;table-layout:fixed}
table.sbs td{padding:0 .3rem;border:0;vertical-align:top;white-space:pre-wrap;word-break:break-all}
table.sbs td.ln{width:2.6rem;color:#8a94a6;text-align:right;user-select:none}
table.sbs td.gap{background:#f3f5f9}
table.sbs th{font:600 12px system-ui,sans-serif;background:#eef1f6;text-align:left;padding:.2rem .3rem}
mark{padding:0;border-radius:2px}
mark.p0{background:#ffe08a}mark.p1{background:#b9e4c9}mark.p2{background:#c7d7fb}mark.p3{background:#f7c3d6}
mark.p4{background:#d9c8f5}mark.p5{background:#c5eef0}
sup.pn{font:700 9px system-ui,sans-serif;color:#5e6a7d;margin-right:1px}
</style>"""
COLOURS = 6
CONTEXT = 2     # lines shown around shared passages within a function


def section(findings, links, link, limit=30):
    """HTML for the class report: each flagged pair with its evidence, then what was not compared.

    findings: similarity.Findings; links: {student: URL}; link: (student, links) -> HTML."""
    out = [STYLE]
    pairs = findings.pairs
    if not pairs:
        out.append('<p class="muted">No pair of submissions shares code beyond the starter code, '
                   "the exercise's usual solutions and what much of the class wrote.</p>")
    else:
        out.append('<p class="muted small">Passages of code two submissions share once names, '
                   "comments and layout are set aside, leaving out the starter code, the exercise's "
                   "usual solutions and code common in this class. Each pair shows the share of each "
                   "file's own code the passages cover and, side by side, where they are. A place to "
                   "look, not a verdict.</p>")
    for pair in pairs[:limit]:
        out.append(_pair(pair, findings.documents, links, link))
    if len(pairs) > limit:
        rows = "".join(f"<tr><td>{link(p.a, links)} and {link(p.b, links)}</td><td>{_summary(p)}</td></tr>"
                       for p in pairs[limit:])
        out.append(f"<h3>{len(pairs) - limit} more pairs</h3><div class=\"scroll\"><table>"
                   f"<thead><tr><th>pair</th><th>shared</th></tr></thead><tbody>{rows}</tbody></table></div>")
    if findings.not_compared:
        items = "".join(f"<li>{esc(who)}: {esc(why)}</li>" for who, why in findings.not_compared)
        out.append(f'<h3>Not compared</h3><ul class="small">{items}</ul>')
    return "\n".join(out)


def _summary(pair):
    fns = ", ".join(f'<span class="name">{esc(fn)}</span> ({share:.0%})' for fn, share in pair.functions)
    return (f"{pair.shared} tokens of own code in {len(pair.passages)} passage"
            f"{'' if len(pair.passages) == 1 else 's'}; in {fns}")


def _pair(pair, documents, links, link):
    da, db = documents[pair.a], documents[pair.b]
    head = (f'<h3 id="pair-{esc(_anchor(pair))}">{link(pair.a, links)} and {link(pair.b, links)}</h3>'
            f'<p class="small">Shared passages cover <b>{pair.share_a:.0%}</b> of {esc(pair.a)}\'s own code '
            f'and <b>{pair.share_b:.0%}</b> of {esc(pair.b)}\'s; {_summary(pair)}.</p>')
    groups = {}
    for number, p in enumerate(pair.passages):
        key = (p.functions_a[0] if p.functions_a else "", p.functions_b[0] if p.functions_b else "")
        groups.setdefault(key, []).append((number, p))
    parts = [head]
    for (fa, fb), passages in groups.items():
        parts.append(_side_by_side(pair, da, db, fa, fb, passages))
    return "\n".join(parts)


def _anchor(pair):
    return f"{pair.a}-{pair.b}"


def _side_by_side(pair, da, db, fa, fb, passages):
    """A table: a's lines and b's, shared passages marked, padded so each passage starts level."""
    lines_a, lines_b = da.text.split("\n"), db.text.split("\n")
    marks_a = _marks(da, [(n, p.a_start, p.a_end) for n, p in passages])
    marks_b = _marks(db, [(n, p.b_start, p.b_end) for n, p in passages])
    ranges_a = _lines(da, [(p.a_start, p.a_end) for _, p in passages], len(lines_a))
    ranges_b = _lines(db, [(p.b_start, p.b_end) for _, p in passages], len(lines_b))
    rows = []
    # passages in a's order; those whose b-lines also go forward are aligned, others only marked
    ia, ib = ranges_a[0], ranges_b[0]
    order = sorted(range(len(passages)), key=lambda i: passages[i][1].a_start)
    for i in order:
        (sa, ea), (sb, eb) = _line_span(da, passages[i][1].a_start, passages[i][1].a_end), \
            _line_span(db, passages[i][1].b_start, passages[i][1].b_end)
        if sa < ia or sb < ib:
            continue
        rows += _rows(lines_a, marks_a, range(ia, sa), lines_b, marks_b, range(ib, sb), pad_to_end=True)
        rows += _rows(lines_a, marks_a, range(sa, ea + 1), lines_b, marks_b, range(sb, eb + 1))
        ia, ib = ea + 1, eb + 1
    rows += _rows(lines_a, marks_a, range(ia, ranges_a[1] + 1), lines_b, marks_b, range(ib, ranges_b[1] + 1))
    title_a = f"{esc(pair.a)}: {esc(fa or 'outside any function')}"
    title_b = f"{esc(pair.b)}: {esc(fb or 'outside any function')}"
    return ('<div class="scroll"><table class="sbs"><colgroup><col style="width:2.6rem"><col>'
            '<col style="width:2.6rem"><col></colgroup>'
            f'<thead><tr><th colspan="2">{title_a}</th><th colspan="2">{title_b}</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _rows(lines_a, marks_a, span_a, lines_b, marks_b, span_b, pad_to_end=False):
    """Table rows pairing span_a with span_b line by line; the shorter side gets blank cells
    (before the next passage when `pad_to_end`, so that passage starts level on both sides)."""
    a, b = list(span_a), list(span_b)
    n = max(len(a), len(b))
    if pad_to_end:
        a, b = [None] * (n - len(a)) + a, [None] * (n - len(b)) + b
    else:
        a, b = a + [None] * (n - len(a)), b + [None] * (n - len(b))
    return ["<tr>" + _cell(lines_a, marks_a, x) + _cell(lines_b, marks_b, y) + "</tr>" for x, y in zip(a, b)]


def _cell(lines, marks, index):
    if index is None or index >= len(lines):
        return '<td class="ln gap"></td><td class="gap"></td>'
    return f'<td class="ln">{index + 1}</td><td>{_marked(lines[index], marks.get(index, []))}</td>'


def _marked(line, spans):
    """The line escaped, with [(start col, end col, passage number)] wrapped in <mark>."""
    out, at = [], 0
    for start, end, number in sorted(spans):
        start = max(start, at)
        if end <= start:
            continue
        out.append(esc(line[at:start]))
        out.append(f'<mark class="p{number % COLOURS}" title="passage {number + 1}">'
                   f'<sup class="pn">{number + 1}</sup>{esc(line[start:end])}</mark>')
        at = end
    out.append(esc(line[at:]))
    return "".join(out)


def _marks(doc, passages):
    """{line index: [(start col, end col, number)]} covering each passage's tokens, line by line."""
    marks = {}
    for number, start, end in passages:
        current = None
        for t in range(start, end):
            l1, c1, l2, c2 = doc.spans[t]
            for line in range(l1, l2 + 1):
                s = c1 if line == l1 else 0
                e = c2 if line == l2 else 10**9
                if current and current[0] == line - 1 and current[2] <= s:
                    current[2] = e      # extend along the line (spaces between tokens too)
                else:
                    current = [line - 1, s, e, number]
                    marks.setdefault(line - 1, []).append(current)
    return {line: [(s, e, n) for _, s, e, n in spans] for line, spans in marks.items()}


def _line_span(doc, start, end):
    return doc.spans[start][0] - 1, doc.spans[end - 1][2] - 1


def _lines(doc, ranges, count):
    """(first, last) line index to show: the passages with CONTEXT lines around."""
    first = min(doc.spans[s][0] - 1 for s, _ in ranges)
    last = max(doc.spans[e - 1][2] - 1 for _, e in ranges)
    return max(0, first - CONTEXT), min(count - 1, last + CONTEXT)
