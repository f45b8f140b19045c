import type { ColumnReport, NumericStats, ProfileReport, TopValueReport } from './report-model';

/**
 * report.html: one self-contained page (inline CSS and SVG, no script, no external requests)
 * that reads on a phone. Every string that came from the file passes through `escapeHtml`.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f5f6f8}
main{max-width:960px;margin:0 auto;padding:16px}h1{font-size:1.4rem;margin:.2em 0 .6em;overflow-wrap:anywhere}h2{font-size:1.15rem;margin:0 0 .4em;overflow-wrap:anywhere}
h3{font-size:.95rem;margin:1em 0 .3em;color:#4a5366}.muted{color:#5d667a;font-size:.9em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px;margin-bottom:16px}
.card{background:#fff;border-radius:8px;padding:10px 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}.card b{display:block;font-size:1.15rem;overflow-wrap:anywhere}
section{background:#fff;border-radius:8px;padding:14px;margin:0 0 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e6e8ee;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.v{overflow-wrap:anywhere;max-width:22em}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.8rem;background:#e4ecfb;color:#1e4fa8;margin-left:6px;vertical-align:middle}
.warn{border-left:4px solid #d98a00;background:#fff8ea}.warn li{margin:.25em 0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}
.bar{background:#dfe7f7;height:10px;border-radius:3px}.bar span{display:block;height:10px;background:#3b6fd1;border-radius:3px}
svg{width:100%;height:auto;display:block}footer{font-size:.8rem;color:#5d667a;text-align:center;margin:20px 0}
`;

/** Columns that get a full section in the page. */
export const DETAILED_COLUMNS = 300;

export function renderHtml(report: ProfileReport): string {
  const f = report.file;
  const title = `Data profile — ${f.name}`;
  const cards: Array<[string, string]> = [
    ['Rows', formatCount(f.rows)],
    ['Columns', formatCount(f.columns)],
    ['Size', formatBytes(f.bytes)],
    ['Format', f.format === 'csv' ? `CSV, ${f.delimiterName ?? 'comma'}-separated` : 'JSON Lines'],
    ['Encoding', f.encoding],
    ['Duplicate rows', `${f.duplicateRows.exact ? '' : '≈ '}${formatCount(f.duplicateRows.count)}`],
  ];
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  parts.push(`<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body><main>`);
  parts.push(`<h1>Data profile: ${escapeHtml(f.name)}</h1>`);
  parts.push(`<div class="cards">${cards.map(([k, v]) => `<div class="card"><span class="muted">${escapeHtml(k)}</span><b>${escapeHtml(v)}</b></div>`).join('')}</div>`);
  if (report.warnings.length > 0) {
    parts.push(`<section class="warn"><h2>Data-quality warnings (${report.warnings.length})</h2><ul>`);
    for (const w of report.warnings) {
      parts.push(`<li>${w.column === null ? '' : `<b>${escapeHtml(w.column)}</b>: `}${escapeHtml(w.message)}</li>`);
    }
    parts.push('</ul></section>');
  }
  parts.push('<section><h2>Columns</h2><div class="scroll"><table><thead><tr><th>#</th><th>Column</th><th>Type</th><th class="n">Missing</th><th class="n">Distinct</th></tr></thead><tbody>');
  for (const c of report.columns) {
    parts.push(
      `<tr><td class="n">${c.index + 1}</td><td class="v">${c.index < DETAILED_COLUMNS ? `<a href="#col-${c.index}">${escapeHtml(c.name)}</a>` : escapeHtml(c.name)}</td><td>${escapeHtml(c.type)}</td><td class="n">${escapeHtml(formatShare(c.missingShare))}</td><td class="n">${escapeHtml(formatDistinct(c))}</td></tr>`,
    );
  }
  parts.push('</tbody></table></div></section>');
  // A page with thousands of detailed sections helps nobody and costs memory: past the cap the
  // overview table and report.json carry the columns.
  for (const c of report.columns.slice(0, DETAILED_COLUMNS)) parts.push(renderColumn(c));
  if (report.columns.length > DETAILED_COLUMNS) {
    parts.push(
      `<section><p class="muted">Detailed sections are shown for the first ${formatCount(DETAILED_COLUMNS)} columns. All ${formatCount(report.columns.length)} columns are listed above, and report.json has every statistic for each of them.</p></section>`,
    );
  }
  parts.push(
    `<footer>report schema v${report.schemaVersion} · percentiles and histograms are exact for small columns, otherwise from a KLL sketch (rank error ≤ 1 %); distinct counts marked ≈ are HyperLogLog estimates (≈ 1 %)</footer>`,
  );
  parts.push('</main></body></html>');
  return parts.join('');
}

function renderColumn(c: ColumnReport): string {
  const out: string[] = [];
  const share = c.type === 'string' || c.type === 'empty' ? '' : ` <span class="muted">${escapeHtml(formatShare(c.typeShare))} of values fit</span>`;
  out.push(`<section id="col-${c.index}"><h2>${escapeHtml(c.name)}<span class="badge">${escapeHtml(c.type)}</span>${share}</h2><div class="grid"><div>`);
  const facts: Array<[string, string]> = [
    ['Values', formatCount(c.count)],
    ['Missing', `${formatCount(c.missing)} (${formatShare(c.missingShare)})`],
    ['Distinct', formatDistinct(c)],
  ];
  if (c.length !== null) facts.push(['Length (characters)', c.length.min === c.length.max ? `${c.length.min}` : `${c.length.min} – ${c.length.max}`]);
  if (c.boolean !== null) facts.push(['True / false', `${formatCount(c.boolean.true)} / ${formatCount(c.boolean.false)}`]);
  const s = c.stats;
  if (s !== null) {
    const fmt = (v: number): string => formatValue(v, s.unit, c.type);
    facts.push(['Minimum', fmt(s.min)], ['Maximum', fmt(s.max)], ['Mean', fmt(s.mean)]);
    if (s.stddev !== null) facts.push(['Standard deviation', s.unit === 'epoch_ms' ? `${formatNumber(s.stddev / 86_400_000)} days` : formatNumber(s.stddev)]);
  }
  out.push(keyValueTable(facts));
  if (c.nonConforming.length > 0) {
    out.push(`<h3>Values that are not ${escapeHtml(c.type)}</h3><p class="muted">${c.nonConforming.map((v) => `“${escapeHtml(v)}”`).join(', ')}</p>`);
  }
  if (s !== null) {
    const fmt = (v: number): string => formatValue(v, s.unit, c.type);
    const q = s.quantiles;
    out.push(`<h3>Percentiles${s.exactQuantiles ? '' : ' <span class="muted">(sketch, rank error ≤ 1 %)</span>'}</h3>`);
    out.push(keyValueTable([['1 %', fmt(q.p1)], ['5 %', fmt(q.p5)], ['25 %', fmt(q.p25)], ['50 % (median)', fmt(q.p50)], ['75 %', fmt(q.p75)], ['95 %', fmt(q.p95)], ['99 %', fmt(q.p99)]]));
  }
  out.push('</div><div>');
  if (s !== null && s.histogram.length > 0) {
    out.push(`<h3>Distribution</h3>${histogramSvg(s, c)}`);
  }
  if (c.topValues.length > 0) {
    out.push(`<h3>Most frequent values${c.topValuesExact ? '' : ' <span class="muted">(estimated counts)</span>'}</h3>${topValuesTable(c.topValues, c.count - c.missing)}`);
  } else if (c.count > c.missing) {
    out.push('<h3>Most frequent values</h3><p class="muted">No value repeats often enough to list reliably: almost every value is different.</p>');
  }
  out.push('</div></div></section>');
  return out.join('');
}

function keyValueTable(rows: ReadonlyArray<readonly [string, string]>): string {
  return `<table><tbody>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td class="n">${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`;
}

function topValuesTable(values: readonly TopValueReport[], nonMissing: number): string {
  const max = values.reduce((m, v) => Math.max(m, v.count), 0) || 1;
  const rows = values.map((v) => {
    const width = Math.max(1, Math.round((v.count / max) * 100));
    const label = v.value === '' ? '(empty)' : v.value + (v.truncated ? '…' : '');
    return `<tr><td class="v">${escapeHtml(label)}</td><td class="n">${escapeHtml(formatCount(v.count))}</td><td class="n">${escapeHtml(formatShare(nonMissing > 0 ? v.count / nonMissing : 0))}</td><td style="width:30%"><div class="bar"><span style="width:${width}%"></span></div></td></tr>`;
  });
  return `<div class="scroll"><table><tbody>${rows.join('')}</tbody></table></div>`;
}

function histogramSvg(s: NumericStats, c: ColumnReport): string {
  const bins = s.histogram;
  const width = 320;
  const height = 140;
  const plotHeight = 110;
  const max = bins.reduce((m, b) => Math.max(m, b.count), 0) || 1;
  const barWidth = width / bins.length;
  const bars = bins
    .map((b, i) => {
      const h = b.count > 0 ? Math.max(1, (b.count / max) * plotHeight) : 0;
      const label = `${formatValue(b.from, s.unit, c.type)} – ${formatValue(b.to, s.unit, c.type)}: ${formatCount(Math.round(b.count))}`;
      return `<rect x="${(i * barWidth + 0.5).toFixed(2)}" y="${(plotHeight - h).toFixed(2)}" width="${Math.max(0.5, barWidth - 1).toFixed(2)}" height="${h.toFixed(2)}" fill="#3b6fd1"><title>${escapeHtml(label)}</title></rect>`;
    })
    .join('');
  const first = bins[0];
  const last = bins[bins.length - 1];
  const lo = first === undefined ? '' : formatValue(first.from, s.unit, c.type);
  const hi = last === undefined ? '' : formatValue(last.to, s.unit, c.type);
  return `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(`Histogram of ${c.name}`)}"><line x1="0" y1="${plotHeight + 0.5}" x2="${width}" y2="${plotHeight + 0.5}" stroke="#9aa3b5"/>${bars}<text x="0" y="${height - 8}" font-size="11" fill="#5d667a">${escapeHtml(lo)}</text><text x="${width}" y="${height - 8}" font-size="11" fill="#5d667a" text-anchor="end">${escapeHtml(hi)}</text></svg>`;
}

function formatDistinct(c: ColumnReport): string {
  return `${c.distinct.exact ? '' : '≈ '}${formatCount(c.distinct.value)}`;
}

// Intl formatters are costly to create: toLocaleString() builds one per call.
const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const NUMBER_FORMAT = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 7 });

export function formatCount(n: number): string {
  return COUNT_FORMAT.format(Math.round(n));
}

function formatShare(share: number): string {
  const p = share * 100;
  if (p === 0 || p === 100) return `${p} %`;
  if (p < 0.1) return '< 0.1 %';
  if (p > 99.9) return '> 99.9 %';
  return `${p.toFixed(1)} %`;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return COUNT_FORMAT.format(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e15)) return v.toExponential(4);
  return NUMBER_FORMAT.format(v);
}

function formatValue(v: number, unit: NumericStats['unit'], type: ColumnReport['type']): string {
  if (unit === 'number') return formatNumber(v);
  const DAY = 86_400_000;
  // Dates read as days (means and bin edges rounded to one); date-times to the second.
  const rounded = type === 'date' ? Math.round(v / DAY) * DAY : Math.round(v / 1000) * 1000;
  const date = new Date(rounded);
  if (Number.isNaN(date.getTime())) return String(v);
  const iso = date.toISOString();
  if (type === 'date') return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
