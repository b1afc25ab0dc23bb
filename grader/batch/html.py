"""Building blocks of the report pages: escaping, the page skeleton with its inline CSS, bars
and the histogram as inline SVG. Everything from a submission (names, code, output, feedback)
passes through `esc`: student files are hostile until shown otherwise.

Pages are plain string.Template skeletons filled with escaped fragments: two pages do not
justify a template engine as a dependency.
"""

import html
from string import Template

PAGE = Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>$title</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:68rem;padding:1rem;color:#1d2430;background:#fff}
h1{font-size:1.5rem;margin:.2rem 0 .8rem}h2{font-size:1.2rem;margin:1.6rem 0 .5rem;border-bottom:1px solid #d8dee8;padding-bottom:.2rem}
h3{font-size:1.02rem;margin:1rem 0 .3rem}
a{color:#1a5fb4}.name{overflow-wrap:anywhere}.muted{color:#5e6a7d}.small{font-size:.86rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:.3rem 0}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e5e9f0;vertical-align:top}
th{background:#f3f5f9;font-weight:600}td.num,th.num{text-align:right;white-space:nowrap}
.ok{color:#1e7b34;font-weight:600}.bad{color:#b42318;font-weight:600}.warn{color:#9a6700;font-weight:600}
.box{background:#f6f8fb;border:1px solid #dfe4ec;border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}
.problem{background:#fff4f2;border-color:#f3c4bd}
pre{background:#f6f8fb;border:1px solid #e1e6ee;border-radius:4px;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-word;font-size:.84rem;margin:.3rem 0}
.bar{background:#e7ebf2;border-radius:3px;height:.6rem;min-width:4rem;max-width:16rem;margin-top:.15rem}
.bar>span{display:block;height:100%;border-radius:3px;background:#3b7dd8}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.6rem}
.pair pre{margin:0}
.score{font-size:1.9rem;font-weight:700}
svg.chart{max-width:36rem;display:block}svg text{font:11px system-ui,sans-serif;fill:#3b4452}
@media (max-width:700px){.pair{grid-template-columns:1fr}body{padding:.6rem}th,td{padding:.25rem .3rem}}
</style></head>
<body>
$body
</body></html>
""")


def esc(value):
    return html.escape(str(value), quote=True)


def page(title, body):
    return PAGE.substitute(title=esc(title), body=body)


def points(value):
    return f"{value:g}"


def percent_bar(fraction, label=""):
    width = max(0.0, min(1.0, fraction)) * 100
    return (f'<div class="bar" title="{esc(label)}" role="img" aria-label="{esc(label)}">'
            f'<span style="width:{width:.1f}%"></span></div>')


def histogram(counts, labels, width=560, height=180):
    """Bars of `counts` (one per label) as an inline SVG that scales to the screen."""
    top = max(counts, default=0) or 1
    n = len(counts)
    pad_left, pad_bottom, pad_top = 28, 34, 14
    slot = (width - pad_left) / max(n, 1)
    inner = height - pad_bottom - pad_top
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="score histogram" xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="{pad_left}" y1="{height - pad_bottom}" x2="{width}" '
             f'y2="{height - pad_bottom}" stroke="#9aa5b5"/>']
    for i, (count, label) in enumerate(zip(counts, labels)):
        h = inner * count / top
        x = pad_left + i * slot + 2
        y = height - pad_bottom - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot - 4:.1f}" height="{h:.1f}" '
                     f'fill="#3b7dd8"><title>{esc(label)}: {count}</title></rect>')
        if count:
            parts.append(f'<text x="{x + (slot - 4) / 2:.1f}" y="{y - 3:.1f}" '
                         f'text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + (slot - 4) / 2:.1f}" y="{height - pad_bottom + 14}" '
                     f'text-anchor="middle">{esc(label)}</text>')
    parts.append(f'<text x="{(width + pad_left) / 2:.1f}" y="{height - 4}" text-anchor="middle">'
                 'score (% of the maximum)</text></svg>')
    return "".join(parts)


def table(headers, rows, numeric=()):
    """A scrollable table; `rows` hold ready (escaped) HTML fragments."""
    head = "".join(f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
