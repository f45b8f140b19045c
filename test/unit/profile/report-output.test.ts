import { describe, expect, it } from 'vitest';
import { PREVIEW_COLUMNS } from '../../../lambdas/processors/profile/preview';
import { runProcessor } from './helpers';

const NASTY_NAME = `"'&<>`;
const NASTY_CELL = '<script>alert(1)</script>';

async function artifacts(content: string, fileName = 'data.csv'): Promise<{ html: string; json: string; preview: unknown }> {
  const result = await runProcessor(content, { fileName });
  const html = result.artifacts.find((a) => a.name === 'report.html');
  const json = result.artifacts.find((a) => a.name === 'report.json');
  return { html: String(html?.body), json: String(json?.body), preview: result.preview };
}

describe('report.html', () => {
  const csv = `id,"${NASTY_NAME.replaceAll('"', '""')}",amount\n${Array.from({ length: 40 }, (_, i) => `${i},${i % 2 ? NASTY_CELL : `x${i}`},${i * 1.5}`).join('\n')}\n`;

  it('escapes every value from the file: cells, column names, file name', async () => {
    const { html } = await artifacts(csv, '<img src=x onerror=alert(2)>.csv');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&#39;&amp;&lt;&gt;');
    expect(html).not.toContain(NASTY_NAME);
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;.csv');
  });

  it('is self-contained: no script, no external requests, inline SVG charts', async () => {
    const { html } = await artifacts(csv);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta name="viewport"');
    expect(html).toMatch(/<svg [^>]*viewBox/);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    // The only links are in-page anchors.
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^#col-\d+$/);
  });

  it('keeps full sections to the first 300 columns of a wide file, and says so', async () => {
    const width = 400;
    const header = Array.from({ length: width }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: width }, (_, i) => String(i)).join(',');
    const { html, json } = await artifacts(`${header}\n${row}\n${row}\n`);
    expect(html.match(/<section id="col-/g)).toHaveLength(300);
    expect(html).toContain('100 more columns are listed above but not detailed.');
    expect(html).toContain('c399');
    expect(JSON.parse(json).columns).toHaveLength(width);
  });

  it('shows the figures of the report', async () => {
    const { html } = await artifacts(csv);
    expect(html).toContain('Rows');
    expect(html).toContain('40');
    expect(html).toContain('Percentiles');
    expect(html).toContain('Most frequent values');
  });
});

describe('report.json', () => {
  it('carries the schema version and the same facts; strings are raw (escaping is for HTML)', async () => {
    const { json } = await artifacts(`"${NASTY_NAME.replaceAll('"', '""')}"\n${NASTY_CELL}\n${NASTY_CELL}\n`);
    const report = JSON.parse(json);
    expect(report.schemaVersion).toBe(2);
    expect(report.generator).toBe('uplock-profile');
    expect(report.columns[0].name).toBe(NASTY_NAME);
    expect(report.columns[0].topValues[0]).toEqual({ value: NASTY_CELL, count: 2, error: 0, truncated: false });
  });
});

describe('preview', () => {
  it('shows file facts and column names/types only: no statistics, no values', async () => {
    const csv = `id,secret\n${Array.from({ length: 30 }, (_, i) => `${i},classified-${i}`).join('\n')}\n`;
    const { preview } = await artifacts(csv);
    expect(preview).toEqual({
      kind: 'data-profile',
      schemaVersion: 1,
      rows: 30,
      columnCount: 2,
      format: 'csv',
      delimiter: 'comma',
      encoding: 'ascii',
      hasHeader: true,
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'secret', type: 'string' },
      ],
      moreColumns: 0,
      // id is a run of integers (an identifier); the secret codes vary in width, so they are not.
      warningCount: 1,
    });
    expect(JSON.stringify(preview)).not.toContain('classified');
  });

  it('caps the column list and stays small for wide files', async () => {
    const width = 3000;
    const header = Array.from({ length: width }, (_, i) => `column number ${i} ${'x'.repeat(100)}`).join(',');
    const row = Array.from({ length: width }, (_, i) => String(i)).join(',');
    const { preview } = await artifacts(`${header}\n${row}\n`);
    const p = preview as { columns: unknown[]; moreColumns: number; columnCount: number };
    expect(p.columns).toHaveLength(PREVIEW_COLUMNS);
    expect(p.moreColumns).toBe(width - PREVIEW_COLUMNS);
    expect(p.columnCount).toBe(width);
    expect(JSON.stringify(preview).length).toBeLessThan(8 * 1024);
  });
});
