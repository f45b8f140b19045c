import { createHash } from 'node:crypto';
import type { ColumnReport, NumericStats, ProfileReport, ReportLang, TopValueReport } from './report-model';
import { type Formats, formats, typeName, UI, type UiText, warningText } from './report-text';

/**
 * report.html: one self-contained page in the order's language (report-text.ts): inline CSS
 * and SVG, no script, no external request, no style attribute, so that the page keeps to the
 * Content-Security-Policy it declares itself (only its one style element, by hash). It reads on a
 * phone and prints. Every string that came from the file passes through `escapeHtml`.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Hiragino Sans","Noto Sans JP",sans-serif;color:#1d2330;background:#f5f6f8}
main{max-width:960px;margin:0 auto;padding:16px;overflow-wrap:anywhere}h1{font-size:1.4rem;margin:.2em 0 .3em;overflow-wrap:anywhere}h2{font-size:1.15rem;margin:0 0 .4em;overflow-wrap:anywhere}
h3{font-size:.95rem;margin:1em 0 .3em;color:#3d4659}.muted{color:#525b6e;font-size:.9em}header p{margin:.1em 0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px;margin:12px 0 16px}
.card{background:#fff;border-radius:8px;padding:10px 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}.card b{display:block;font-size:1.15rem;overflow-wrap:anywhere}
section{background:#fff;border-radius:8px;padding:14px;margin:0 0 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e6e8ee;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.v{overflow-wrap:anywhere;max-width:22em}td.l{white-space:normal}td.bar{width:30%;min-width:80px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.8rem;background:#e4ecfb;color:#1e4fa8;margin-left:6px;vertical-align:middle}
.est{display:inline-block;padding:0 6px;border-radius:8px;font-size:.75rem;background:#fff1d6;color:#7a4a00;margin-left:4px}
.warn{border-left:4px solid #d98a00;background:#fff8ea}.warn li{margin:.25em 0}.ok{border-left:4px solid #2e8b57}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}
svg{width:100%;height:auto;display:block}svg.b{height:10px}footer{font-size:.8rem;color:#525b6e;text-align:center;margin:20px 0}
a{color:#1e4fa8}
@media print{body{background:#fff}section,.card{box-shadow:none;border:1px solid #ccd;break-inside:avoid}main{max-width:none}}
`;

/** The page's Content-Security-Policy: nothing but its own style element. */
export const REPORT_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; img-src 'none'; base-uri 'none'; form-action 'none'`;

/** Columns that get a full section in the page. */
export const DETAILED_COLUMNS = 300;

interface Ctx {
  readonly lang: ReportLang;
  readonly t: UiText;
  readonly f: Formats;
}

export function renderHtml(report: ProfileReport): string {
  const lang = report.meta.lang;
  const ctx: Ctx = { lang, t: UI[lang], f: formats(lang) };
  const { t, f } = ctx;
  const file = report.file;
  const format =
    file.format === 'csv' ? t.csv(t.delimiters[file.delimiterName ?? 'comma'] ?? file.delimiterName ?? '') : file.format === 'json' ? t.json : t.jsonl;
  const cards: Array<[string, string]> = [
    [t.rows, f.count(file.rows)],
    [t.columns, f.count(file.columns)],
    [t.size, f.bytes(file.bytes)],
    [t.format, format],
    [t.encoding, file.encoding],
    [t.duplicateRows, `${file.duplicateRows.exact ? '' : '≈ '}${f.count(file.duplicateRows.count)}`],
  ];
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  parts.push(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
  parts.push(`<title>${escapeHtml(`${t.title}: ${file.name}`)}</title><style>${CSS}</style></head><body><main>`);
  parts.push(`<header><h1>${escapeHtml(`${t.title}: ${file.name}`)}</h1>`);
  parts.push(`<p class="muted">${escapeHtml(t.file)}: ${escapeHtml(file.name)} · ${escapeHtml(t.generated)}: ${escapeHtml(f.dateTime(report.meta.generatedAt))}`);
  if (report.meta.orderId !== null) parts.push(` · ${escapeHtml(t.order)}: ${escapeHtml(report.meta.orderId)}`);
  parts.push('</p></header>');
  parts.push(`<h2>${escapeHtml(t.overview)}</h2>`);
  // Alerts first: what needs attention, before the figures.
  if (report.warnings.length > 0) {
    parts.push(`<section class="warn"><h2>${escapeHtml(t.alerts)} (${f.count(report.warnings.length)})</h2><ul>`);
    for (const w of report.warnings) {
      const text = warningText(lang, w.code, w.params);
      parts.push(`<li>${w.column === null ? '' : `<a href="#col-${columnIndex(report, w.column)}"><b>${escapeHtml(w.column)}</b></a>: `}${escapeHtml(text)}</li>`);
    }
    parts.push('</ul></section>');
  } else {
    parts.push(`<section class="ok"><p>${escapeHtml(t.noAlerts)}</p></section>`);
  }
  parts.push(`<div class="cards">${cards.map(([k, v]) => `<div class="card"><span class="muted">${escapeHtml(k)}</span><b>${escapeHtml(v)}</b></div>`).join('')}</div>`);
  if (report.meta.exact) parts.push(`<p class="muted">${escapeHtml(t.exactNote)}</p>`);
  parts.push(
    `<section><h2>${escapeHtml(t.columns)}</h2><div class="scroll" tabindex="0"><table><thead><tr><th>#</th><th>${escapeHtml(t.column)}</th><th>${escapeHtml(t.type)}</th><th class="n">${escapeHtml(t.missing)}</th><th class="n">${escapeHtml(t.distinct)}</th></tr></thead><tbody>`,
  );
  for (const c of report.columns) {
    const name = c.index < DETAILED_COLUMNS ? `<a href="#col-${c.index}">${escapeHtml(c.name)}</a>` : escapeHtml(c.name);
    parts.push(
      `<tr><td class="n">${c.index + 1}</td><td class="v">${name}</td><td>${escapeHtml(typeName(lang, c.type))}</td><td class="n">${escapeHtml(f.percent(c.missingShare))}</td><td class="n">${escapeHtml(distinctText(c, f))}</td></tr>`,
    );
  }
  parts.push('</tbody></table></div></section>');
  parts.push(renderCorrelations(report, ctx));
  parts.push(renderMissingPatterns(report, ctx));
  parts.push(renderSample(report, ctx));
  // A page with thousands of detailed sections helps nobody and costs memory: past the cap the
  // overview table and report.json carry the columns.
  for (const c of report.columns.slice(0, DETAILED_COLUMNS)) parts.push(renderColumn(c, file.rows, ctx));
  if (report.columns.length > DETAILED_COLUMNS) {
    parts.push(`<section><p class="muted">${escapeHtml(t.moreColumns(f.count(report.columns.length - DETAILED_COLUMNS)))}</p></section>`);
  }
  parts.push(`<footer>${escapeHtml(t.footer)}</footer>`);
  parts.push('</main></body></html>');
  return parts.join('');
}

function columnIndex(report: ProfileReport, name: string): number {
  return report.columns.find((c) => c.name === name)?.index ?? 0;
}

function estimateBadge(ctx: Ctx, explanation: string): string {
  return ` <span class="est">${escapeHtml(ctx.t.estimate)}</span> <span class="muted">${escapeHtml(explanation)}</span>`;
}

function distinctText(c: ColumnReport, f: Formats): string {
  return `${c.distinct.exact ? '' : '≈ '}${f.count(c.distinct.value)}`;
}

function renderColumn(c: ColumnReport, rows: number, ctx: Ctx): string {
  const { t, f, lang } = ctx;
  const out: string[] = [];
  const share = c.type === 'string' || c.type === 'empty' || c.typeShare === 1 ? '' : ` <span class="muted">${escapeHtml(t.typeShare(f.percent(c.typeShare), typeName(lang, c.type)))}</span>`;
  out.push(`<section id="col-${c.index}"><h2>${escapeHtml(c.name)}<span class="badge">${escapeHtml(typeName(lang, c.type))}</span>${share}</h2><div class="grid"><div>`);
  const facts: Array<[string, string]> = [
    [t.values, f.count(c.count)],
    [t.missing, `${f.count(c.missing)} (${f.percent(c.missingShare)})`],
    [t.distinct, distinctText(c, f)],
  ];
  if (c.length !== null) facts.push([t.lengths, c.length.min === c.length.max ? f.count(c.length.min) : `${f.count(c.length.min)} – ${f.count(c.length.max)}`]);
  if (c.boolean !== null) facts.push([t.trueFalse, `${f.count(c.boolean.true)} / ${f.count(c.boolean.false)}`]);
  const s = c.stats;
  const fmt = (v: number): string => (s === null ? '' : valueText(v, s, c, f));
  if (s !== null) {
    facts.push([t.min, fmt(s.min)], [t.max, fmt(s.max)], [t.mean, s.meanIsNoise ? '0' : fmt(s.mean)]);
    if (s.stddev !== null) facts.push([t.stddev, s.unit === 'epoch_ms' ? `${f.number(s.stddev / 86_400_000)} ${lang === 'ja' ? '日' : 'days'}` : f.number(s.stddev)]);
    if (s.zeros !== null && s.unit === 'number') facts.push([t.zeros, f.count(s.zeros)]);
    if (s.negatives !== null && s.unit === 'number') facts.push([t.negatives, f.count(s.negatives)]);
    const outliers = s.outliers.low + s.outliers.high;
    if (s.unit === 'number') facts.push([t.outliers, `${s.exactQuantiles ? '' : '≈ '}${f.count(outliers)}`]);
  }
  out.push(keyValueTable(facts));
  if (!c.distinct.exact) out.push(`<p>${estimateBadge(ctx, t.estimateDistinct)}</p>`);
  if (s !== null && s.meanIsNoise) out.push(`<p class="muted">${escapeHtml(t.meanNoise)}</p>`);
  if (s !== null && s.zoned !== null) out.push(`<p class="muted">${escapeHtml(s.zoned ? t.utc : t.zoneless)}</p>`);
  if (c.nonConforming.length > 0) {
    out.push(`<h3>${escapeHtml(t.nonConforming)}</h3><p class="muted">${c.nonConforming.map((v) => escapeHtml(lang === 'ja' ? `「${v}」` : `“${v}”`)).join(', ')}</p>`);
  }
  if (s !== null) {
    const q = s.quantiles;
    out.push(`<h3>${escapeHtml(t.quantiles)}${s.exactQuantiles ? '' : estimateBadge(ctx, t.estimateQuantiles)}</h3>`);
    out.push(keyValueTable([['1 %', fmt(q.p1)], ['5 %', fmt(q.p5)], ['25 %', fmt(q.p25)], [`50 % (${t.median})`, fmt(q.p50)], ['75 %', fmt(q.p75)], ['95 %', fmt(q.p95)], ['99 %', fmt(q.p99)]]));
    if (s.smallest !== null && s.largest !== null && s.unit === 'number') {
      out.push(keyValueTable([[t.smallest, s.smallest.map(fmt).join(', ')], [t.largest, s.largest.map(fmt).join(', ')]], 'n l'));
    }
  }
  out.push('</div><div>');
  if (s !== null && s.histogram.length > 0) {
    out.push(`<h3>${escapeHtml(t.histogram)}</h3>${histogramSvg(s.histogram.map((b) => ({ label: `${fmt(b.from)} – ${fmt(b.to)}`, count: b.count })), fmt(s.histogram[0]?.from ?? 0), fmt(s.histogram[s.histogram.length - 1]?.to ?? 0), c.name, ctx)}`);
    out.push(`<p class="muted">${escapeHtml(t.histogramCaption(f.count(s.histogram.length)))}</p>`);
  }
  if (c.dates !== null) {
    const years = c.dates.years.length <= 40 ? c.dates.years : [];
    if (years.length > 1) out.push(`<h3>${escapeHtml(t.byYear)}</h3>${countTable(years.map((y) => [String(y.year), y.count]), rows, ctx)}`);
    out.push(`<h3>${escapeHtml(t.byMonth)}</h3>${countTable(c.dates.months.map((n, i) => [t.months[i] as string, n]), rows, ctx)}`);
    out.push(`<h3>${escapeHtml(t.byWeekday)}</h3>${countTable(c.dates.weekdays.map((n, i) => [t.weekdays[i] as string, n]), rows, ctx)}`);
  }
  if (c.topValues.length > 0 && c.distinct.value > 1) {
    const estimate = c.topValuesExact ? '' : estimateBadge(ctx, t.estimateTop(f.count(c.topValues[0]?.error ?? 0)));
    out.push(`<h3>${escapeHtml(t.topValues)}${estimate}</h3>${topValuesTable(c.topValues, rows, ctx)}<p class="muted">${escapeHtml(t.topValuesCaption)}</p>`);
  }
  if (c.text !== null && c.type === 'string') {
    const x = c.text;
    out.push(`<h3>${escapeHtml(t.textLengths)}</h3>`);
    out.push(histogramSvg(x.lengthHistogram.map((b) => ({ label: `${f.number(b.from)} – ${f.number(b.to)}`, count: b.count })), f.number(x.lengthHistogram[0]?.from ?? 0), f.number(x.lengthHistogram[x.lengthHistogram.length - 1]?.to ?? 0), c.name, ctx));
    out.push(`<h3>${escapeHtml(t.charClasses)}</h3>`);
    out.push(countTable(Object.entries(x.containing).map(([k, n]) => [t.classes[k] ?? k, n]), c.count - c.missing, ctx));
    out.push(`<p class="muted">${escapeHtml(t.upperLower(f.count(x.upperCase), f.count(x.lowerCase)))}</p>`);
  }
  out.push('</div></div></section>');
  return out.join('');
}

function keyValueTable(rows: ReadonlyArray<readonly [string, string]>, cellClass = 'n'): string {
  return `<table><tbody>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td class="${cellClass}">${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`;
}

/** A bar as SVG (no style attribute): `share` of the full width. */
function bar(share: number): string {
  const w = Math.max(0, Math.min(100, share * 100));
  return `<svg class="b" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"><rect width="100" height="10" fill="#dfe7f7"/><rect width="${w.toFixed(2)}" height="10" fill="#3b6fd1"/></svg>`;
}

function countTable(rows: ReadonlyArray<readonly [string, number]>, total: number, ctx: Ctx): string {
  const body = rows
    .map(([label, n]) => `<tr><td class="v">${escapeHtml(label)}</td><td class="n">${escapeHtml(ctx.f.count(n))}</td><td class="n">${escapeHtml(ctx.f.percent(total > 0 ? n / total : 0))}</td><td class="bar">${bar(total > 0 ? n / total : 0)}</td></tr>`)
    .join('');
  return `<div class="scroll" tabindex="0"><table><tbody>${body}</tbody></table></div>`;
}

/** Top values with bars scaled to the column's rows (a value in every row fills its bar). */
function topValuesTable(values: readonly TopValueReport[], rows: number, ctx: Ctx): string {
  const { t, f } = ctx;
  const body = values.map((v) => {
    const label = v.value === '' ? '""' : v.value + (v.truncated ? '…' : '');
    const share = rows > 0 ? v.count / rows : 0;
    return `<tr><td class="v">${escapeHtml(label)}</td><td class="n">${escapeHtml(f.count(v.count))}</td><td class="n">${escapeHtml(f.percent(share))}</td><td class="bar">${bar(share)}</td></tr>`;
  });
  return `<div class="scroll" tabindex="0"><table><thead><tr><th>${escapeHtml(t.value)}</th><th class="n">${escapeHtml(t.count)}</th><th class="n">${escapeHtml(t.share)}</th><th></th></tr></thead><tbody>${body.join('')}</tbody></table></div>`;
}

/** Bars with their counts above them, a count axis on the left and the range below. */
function histogramSvg(bins: ReadonlyArray<{ label: string; count: number }>, lo: string, hi: string, name: string, ctx: Ctx): string {
  const { f, t } = ctx;
  const width = 340;
  const left = 40;
  const top = 14;
  const plotHeight = 110;
  const height = top + plotHeight + 22;
  const max = bins.reduce((m, b) => Math.max(m, b.count), 0) || 1;
  const barWidth = (width - left) / bins.length;
  const fontSize = barWidth >= 22 ? 9 : 0;
  const bars = bins
    .map((b, i) => {
      const h = b.count > 0 ? Math.max(1, (b.count / max) * plotHeight) : 0;
      const x = left + i * barWidth;
      const y = top + plotHeight - h;
      const label = `${b.label}: ${f.count(b.count)} ${t.axisCount}`;
      const count = fontSize > 0 && b.count > 0 ? `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(y - 2).toFixed(1)}" font-size="${fontSize}" text-anchor="middle" fill="#1d2330">${escapeHtml(compact(b.count, f))}</text>` : '';
      return `<rect x="${(x + 0.5).toFixed(2)}" y="${y.toFixed(2)}" width="${Math.max(0.5, barWidth - 1).toFixed(2)}" height="${h.toFixed(2)}" fill="#3b6fd1"><title>${escapeHtml(label)}</title></rect>${count}`;
    })
    .join('');
  const axis = `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#9aa3b5"/><line x1="${left}" y1="${top + plotHeight + 0.5}" x2="${width}" y2="${top + plotHeight + 0.5}" stroke="#9aa3b5"/>`;
  const ticks = `<text x="${left - 3}" y="${top + 4}" font-size="9" text-anchor="end" fill="#525b6e">${escapeHtml(compact(max, f))}</text><text x="${left - 3}" y="${top + plotHeight}" font-size="9" text-anchor="end" fill="#525b6e">0</text>`;
  const range = `<text x="${left}" y="${height - 6}" font-size="10" fill="#525b6e">${escapeHtml(lo)}</text><text x="${width}" y="${height - 6}" font-size="10" fill="#525b6e" text-anchor="end">${escapeHtml(hi)}</text>`;
  const table = `<details><summary class="muted">${escapeHtml(t.count)}</summary><div class="scroll" tabindex="0"><table><tbody>${bins.map((b) => `<tr><td class="v">${escapeHtml(b.label)}</td><td class="n">${escapeHtml(f.count(b.count))}</td></tr>`).join('')}</tbody></table></div></details>`;
  return `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(`${t.histogram}: ${name}`)}">${axis}${ticks}${bars}${range}</svg>${table}`;
}

/** Short count for a bar label: 1234 → 1.2k (en) / 1234 → 1,234 when it fits. */
function compact(n: number, f: Formats): string {
  if (n < 10_000) return f.count(n);
  if (n < 1_000_000) return `${f.number(Math.round(n / 100) / 10)}k`;
  return `${f.number(Math.round(n / 100_000) / 10)}M`;
}

function valueText(v: number, s: NumericStats, c: ColumnReport, f: Formats): string {
  if (s.unit === 'number') return f.number(v);
  if (!Number.isFinite(v)) return '—';
  const DAY = 86_400_000;
  // Dates read as days (means and bin edges rounded to one); date-times to the second.
  const rounded = c.type === 'date' ? Math.round(v / DAY) * DAY : Math.round(v / 1000) * 1000;
  const iso = new Date(rounded).toISOString();
  if (c.type === 'date') return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${s.zoned ? ' UTC' : ''}`;
}

function renderCorrelations(report: ProfileReport, ctx: Ctx): string {
  const c = report.correlations;
  if (c === null) return '';
  const { t, f } = ctx;
  const matrix = (title: string, m: ReadonlyArray<ReadonlyArray<number | null>>): string => {
    const head = `<tr><th></th>${c.columns.map((n) => `<th class="n">${escapeHtml(n)}</th>`).join('')}</tr>`;
    const body = m.map((row, i) => `<tr><th>${escapeHtml(c.columns[i] ?? '')}</th>${row.map((v) => `<td class="n">${v === null ? '—' : escapeHtml(f.number(Math.round(v * 100) / 100))}</td>`).join('')}</tr>`).join('');
    return `<h3>${escapeHtml(title)}</h3><div class="scroll" tabindex="0"><table><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
  };
  const partial = c.exact ? '' : `<p>${estimateBadge(ctx, t.correlationsPartial(f.count(c.rows)))}</p>`;
  return `<section><h2>${escapeHtml(t.correlations)}</h2>${matrix(t.pearson, c.pearson)}${c.spearman === null ? '' : matrix(t.spearman, c.spearman)}<p class="muted">${escapeHtml(t.correlationsCaption)}</p>${partial}</section>`;
}

function renderMissingPatterns(report: ProfileReport, ctx: Ctx): string {
  const { t, f } = ctx;
  const rows = report.file.rows;
  if (report.missingPatterns.length === 0) return `<section><h2>${escapeHtml(t.missingPatterns)}</h2><p class="muted">${escapeHtml(t.noMissing)}</p></section>`;
  const body = report.missingPatterns
    .map((p) => `<tr><td class="v">${p.columns.map(escapeHtml).join(', ')}</td><td class="n">${escapeHtml(f.count(p.rows))}</td><td class="n">${escapeHtml(f.percent(rows > 0 ? p.rows / rows : 0))}</td><td class="bar">${bar(rows > 0 ? p.rows / rows : 0)}</td></tr>`)
    .join('');
  return `<section><h2>${escapeHtml(t.missingPatterns)}</h2><div class="scroll" tabindex="0"><table><thead><tr><th>${escapeHtml(t.columns)}</th><th class="n">${escapeHtml(t.rows)}</th><th class="n">${escapeHtml(t.share)}</th><th></th></tr></thead><tbody>${body}</tbody></table></div><p class="muted">${escapeHtml(t.missingPatternsCaption)}</p></section>`;
}

function renderSample(report: ProfileReport, ctx: Ctx): string {
  const { t } = ctx;
  const shown = report.columns.slice(0, 30);
  const table = (title: string, rows: ReadonlyArray<ReadonlyArray<string | null>>): string => {
    if (rows.length === 0) return '';
    const head = `<tr>${shown.map((c) => `<th>${escapeHtml(c.name)}</th>`).join('')}</tr>`;
    const body = rows.map((r) => `<tr>${shown.map((c) => (r[c.index] === null || r[c.index] === undefined ? `<td class="muted">${escapeHtml(t.missingCell)}</td>` : `<td class="v">${escapeHtml(r[c.index] as string)}</td>`)).join('')}</tr>`).join('');
    return `<h3>${escapeHtml(title)}</h3><div class="scroll" tabindex="0"><table><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
  };
  return `<section><h2>${escapeHtml(t.sample)}</h2>${table(t.firstRows, report.sample.first)}${table(t.randomRows, report.sample.random)}</section>`;
}
