/**
 * A self-contained HTML report: inline SVG and `data:` PNGs, inline CSS, no script, and a
 * Content-Security-Policy that forbids any network access, so it opens anywhere offline.
 */

export interface ReportFigure {
  caption: string;
  png: Buffer;
  alt: string;
}

export interface ReportSection {
  heading: string;
  /** Trusted HTML made by this library (tables, figures). */
  html: string;
}

export interface ReportInput {
  title: string;
  subtitle?: string;
  sections: ReportSection[];
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function figureHtml(f: ReportFigure): string {
  return `<figure><img alt="${escapeHtml(f.alt)}" src="data:image/png;base64,${f.png.toString('base64')}"><figcaption>${escapeHtml(f.caption)}</figcaption></figure>`;
}

/** An SVG chart inline (vega's SVG has no script); wrapped so it scales with the page. */
export function svgHtml(svg: string, label: string): string {
  return `<div class="chart" role="img" aria-label="${escapeHtml(label)}">${svg.replace(/^<\?xml[^>]*>\s*/, '')}</div>`;
}

export function preHtml(text: string): string {
  return `<pre>${escapeHtml(text)}</pre>`;
}

/** A Markdown pipe table (as table1Markdown writes) to an HTML table. */
export function markdownTableHtml(markdown: string): string {
  const lines = markdown.split('\n').filter((l) => l.startsWith('|'));
  const notes = markdown.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('|'));
  if (lines.length < 2) return preHtml(markdown);
  const row = (l: string) =>
    l
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
  const head = row(lines[0]);
  const body = lines.slice(2).map(row);
  return (
    notes.map((n) => `<p>${escapeHtml(n)}</p>`).join('') +
    `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>` +
    body.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

const CSS = `
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; font-size: .9rem; } th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; } td:first-child { white-space: nowrap; } thead { background: #f3f3f3; }
figure { margin: 1rem 0; } figure img { max-width: 100%; image-rendering: pixelated; border: 1px solid #ddd; }
figcaption { font-size: .85rem; color: #555; } pre { background: #f7f7f7; padding: .75rem; overflow-x: auto; font-size: .8rem; }
.chart svg { max-width: 100%; height: auto; }
tr.bad td { background: #fff3e0; } th.text, td.text { text-align: left; } details { margin: .3rem 0; } summary { cursor: pointer; }
table.kv th { text-align: left; font-weight: normal; background: #f7f7f7; } table.kv td { text-align: left; word-break: break-all; } table.kv table.files td:nth-child(-n+2) { word-break: normal; white-space: nowrap; }
`;

export function buildReportHtml(input: ReportInput): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
${input.subtitle ? `<p>${escapeHtml(input.subtitle)}</p>` : ''}
${input.sections.map((s) => `<section><h2>${escapeHtml(s.heading)}</h2>\n${s.html}\n</section>`).join('\n')}
</body>
</html>
`;
}
