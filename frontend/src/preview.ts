/**
 * The free preview, drawn defensively. The bundled processors send
 * `{rows, columns, delimiter, encoding, columnsList:[{name,type}]}` or
 * `{rows, columnCount, delimiter, encoding, columns:[{name,type}], moreColumns, …}`, and an
 * operator's own processor may send anything JSON. Known keys get a summary, a type chart and a column table;
 * anything else falls back to a definition list. Every value is inserted as text.
 */
import { formatNumber, t } from './i18n';
import type { MessageKey } from './messages';

type Json = Record<string, unknown>;
type Primitive = string | number | boolean;

interface Column {
  name: string;
  type?: string;
  extra: Record<string, Primitive>;
}

const maxTableRows = 50;
const maxExtraKeys = 4;
const svgNs = 'http://www.w3.org/2000/svg';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): value is Primitive {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className) element.className = className;
  return element;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

function readColumns(preview: Json): Column[] | undefined {
  const list = Array.isArray(preview.columnsList) ? preview.columnsList : Array.isArray(preview.columns) ? preview.columns : undefined;
  if (!list) return undefined;
  const columns: Column[] = [];
  for (const item of list) {
    if (typeof item === 'string') {
      columns.push({ name: item, extra: {} });
      continue;
    }
    if (!isObject(item)) continue;
    const name = isPrimitive(item.name) ? String(item.name) : '';
    const type = typeof item.type === 'string' ? item.type : undefined;
    const extra: Record<string, Primitive> = {};
    for (const [key, value] of Object.entries(item)) {
      if (key !== 'name' && key !== 'type' && isPrimitive(value)) extra[key] = value;
    }
    columns.push({ name, ...(type ? { type } : {}), extra });
  }
  return columns;
}

/** `nullCount` → "Null count": good enough for keys we have no translation for. */
function humanize(key: string): string {
  const spaced = key.replace(/[_-]+/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function formatValue(value: Primitive): string {
  if (typeof value === 'boolean') return t(value ? 'common.yes' : 'common.no');
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

function delimiterLabel(value: string): string {
  // Processors name the delimiter either by its character or by its name.
  const names: Record<string, MessageKey> = {
    ',': 'preview.delim.comma',
    comma: 'preview.delim.comma',
    '\t': 'preview.delim.tab',
    tab: 'preview.delim.tab',
    ';': 'preview.delim.semicolon',
    semicolon: 'preview.delim.semicolon',
    '|': 'preview.delim.pipe',
    pipe: 'preview.delim.pipe',
  };
  const key = names[value.toLowerCase()];
  return key ? t(key) : value.length === 1 ? JSON.stringify(value) : value;
}

const knownLabels: Record<string, MessageKey> = {
  rows: 'preview.rows',
  columns: 'preview.columns',
  columnCount: 'preview.columns',
  delimiter: 'preview.delimiter',
  encoding: 'preview.encoding',
  format: 'preview.format',
  hasHeader: 'preview.hasHeader',
  warningCount: 'preview.warningCount',
};

/** Bookkeeping keys that mean nothing to a customer. */
const hiddenKeys = new Set(['kind', 'schemaVersion', 'version', 'columnsList', 'moreColumns']);

function summaryList(preview: Json, columnCount: number | undefined): HTMLDListElement | undefined {
  const list = el('dl', undefined, 'summary');
  const add = (label: string, value: string): void => {
    const item = el('div');
    item.append(el('dt', label), el('dd', value));
    list.append(item);
  };
  for (const [key, value] of Object.entries(preview)) {
    if (hiddenKeys.has(key)) continue;
    const known = knownLabels[key];
    const label = known ? t(known) : humanize(key);
    if (key === 'columns' && Array.isArray(value)) {
      // A list of columns: show its size, unless a count is also given.
      if (columnCount !== undefined && !('columnCount' in preview)) add(label, formatNumber(columnCount));
    } else if (key === 'delimiter' && typeof value === 'string') {
      add(label, delimiterLabel(value));
    } else if (isPrimitive(value)) {
      add(label, formatValue(value));
    } else if (value !== null && value !== undefined) {
      // Nested data we do not know how to draw: show it compactly rather than hide it.
      const text = JSON.stringify(value);
      add(label, text.length > 200 ? `${text.slice(0, 199)}…` : text);
    }
  }
  return list.children.length > 0 ? list : undefined;
}

function typeChart(columns: readonly Column[], total: number): SVGSVGElement | undefined {
  const counts = new Map<string, number>();
  for (const column of columns) {
    if (column.type) counts.set(column.type, (counts.get(column.type) ?? 0) + 1);
  }
  // A processor that does not infer types says 'unknown' for all: nothing to chart.
  if (counts.size === 0 || (counts.size === 1 && counts.has('unknown'))) return undefined;
  const bars = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const max = Math.max(...bars.map(([, count]) => count));
  const rowHeight = 28;
  const labelWidth = 120;
  const barSpace = 220;
  const width = labelWidth + barSpace + 50;
  const height = bars.length * rowHeight + 8;

  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', class: 'chart' });
  const title = svg('title', { id: 'chart-title' });
  title.textContent = t('preview.chartTitle');
  const desc = svg('desc', { id: 'chart-desc' });
  desc.textContent = t('preview.chartDesc', {
    count: formatNumber(total),
    summary: bars.map(([type, count]) => `${type} ${formatNumber(count)}`).join(', '),
  });
  chart.append(title, desc);
  bars.forEach(([type, count], index) => {
    const y = index * rowHeight + 4;
    const barWidth = Math.max(2, Math.round((count / max) * barSpace));
    const label = svg('text', { x: labelWidth - 8, y: y + rowHeight / 2, class: 'chart-label', 'text-anchor': 'end', 'dominant-baseline': 'middle' });
    label.textContent = type.length > 14 ? `${type.slice(0, 13)}…` : type;
    const bar = svg('rect', { x: labelWidth, y: y + 4, width: barWidth, height: rowHeight - 8, rx: 3, class: `chart-bar chart-bar-${index % 6}` });
    const value = svg('text', { x: labelWidth + barWidth + 6, y: y + rowHeight / 2, class: 'chart-value', 'dominant-baseline': 'middle' });
    value.textContent = formatNumber(count);
    chart.append(label, bar, value);
  });
  return chart;
}

function columnTable(columns: readonly Column[], total: number): HTMLElement {
  const extraKeys: string[] = [];
  for (const column of columns.slice(0, maxTableRows)) {
    for (const key of Object.keys(column.extra)) {
      if (!extraKeys.includes(key) && extraKeys.length < maxExtraKeys) extraKeys.push(key);
    }
  }
  // 'unknown' everywhere says nothing; leave the column out.
  const hasType = columns.some((c) => c.type !== undefined && c.type !== 'unknown');
  const table = el('table', undefined, 'columns');
  const caption = el('caption', t('preview.columnsHeading'));
  caption.id = 'columns-caption';
  const head = el('thead');
  const headRow = el('tr');
  const headers = [t('preview.colName'), ...(hasType ? [t('preview.colType')] : []), ...extraKeys.map(humanize)];
  for (const header of headers) {
    const cell = el('th', header);
    cell.scope = 'col';
    headRow.append(cell);
  }
  head.append(headRow);
  const body = el('tbody');
  for (const column of columns.slice(0, maxTableRows)) {
    const row = el('tr');
    const nameCell = el('th', column.name);
    nameCell.scope = 'row';
    row.append(nameCell);
    if (hasType) row.append(el('td', column.type ?? ''));
    for (const key of extraKeys) {
      const value = column.extra[key];
      row.append(el('td', value === undefined ? '' : formatValue(value)));
    }
    body.append(row);
  }
  table.append(caption, head, body);
  // A wide table scrolls inside its own box; keyboard users need to be able to focus it.
  const wrap = el('div', undefined, 'table-wrap');
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-labelledby', 'columns-caption');
  wrap.append(table);
  const container = el('div');
  container.append(wrap);
  const shown = Math.min(columns.length, maxTableRows);
  if (total > shown) container.append(el('p', t('preview.more', { count: formatNumber(total - shown) }), 'muted'));
  return container;
}

/** The job contract's preview.json (docs/jobs.md): at most this many table rows are shown. */
const maxJobRows = 20;

function cellText(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? formatNumber(value) : typeof value === 'string' ? value : '';
}

/** `kind: "job"`: an operator's preview.json: title, facts and a table, all inserted as text. */
function renderJobPreview(container: HTMLElement, preview: Json): void {
  if (typeof preview.title === 'string' && preview.title) container.append(el('h3', preview.title, 'job-title'));
  if (Array.isArray(preview.facts)) {
    const list = el('dl', undefined, 'summary');
    for (const fact of preview.facts) {
      if (!isObject(fact) || typeof fact.label !== 'string') continue;
      const item = el('div');
      item.append(el('dt', fact.label), el('dd', cellText(fact.value)));
      list.append(item);
    }
    if (list.children.length) container.append(list);
  }
  const table = isObject(preview.table) ? preview.table : undefined;
  if (table && Array.isArray(table.columns) && Array.isArray(table.rows)) {
    const columns = table.columns.map(cellText);
    const rows = table.rows.filter(Array.isArray) as unknown[][];
    const element = el('table', undefined, 'job-table');
    const head = el('thead');
    const headRow = el('tr');
    for (const name of columns) {
      const cell = el('th', name);
      cell.scope = 'col';
      headRow.append(cell);
    }
    head.append(headRow);
    const body = el('tbody');
    for (const row of rows.slice(0, maxJobRows)) {
      const tr = el('tr');
      columns.forEach((_, i) => tr.append(el('td', cellText(row[i]))));
      body.append(tr);
    }
    element.append(head, body);
    const wrap = el('div', undefined, 'table-wrap');
    wrap.tabIndex = 0;
    wrap.setAttribute('role', 'region');
    wrap.setAttribute('aria-label', typeof preview.title === 'string' ? preview.title : t('preview.heading'));
    wrap.append(element);
    container.append(wrap);
    if (rows.length > maxJobRows) {
      container.append(el('p', t('preview.jobRows', { shown: formatNumber(maxJobRows), count: formatNumber(rows.length) }), 'muted'));
    }
  }
}

export function renderPreview(container: HTMLElement, preview: unknown): void {
  container.replaceChildren();
  // The renderer follows the preview's kind: `job` (docs/jobs.md), else the built-in profile's.
  if (isObject(preview) && preview.kind === 'job') {
    renderJobPreview(container, preview);
    return;
  }
  if (!isObject(preview)) {
    if (isPrimitive(preview)) container.append(el('p', formatValue(preview)));
    return;
  }
  const columns = readColumns(preview);
  const summary = summaryList(preview, columns?.length);
  if (summary) container.append(summary);
  if (columns && columns.length > 0) {
    const more = typeof preview.moreColumns === 'number' && preview.moreColumns > 0 ? preview.moreColumns : 0;
    const total = columns.length + more;
    const chart = typeChart(columns, columns.length);
    if (chart) {
      const figure = el('figure', undefined, 'chart-figure');
      figure.append(chart, el('figcaption', t('preview.chartTitle')));
      container.append(figure);
    }
    container.append(columnTable(columns, total));
  }
}
