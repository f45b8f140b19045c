import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { profile } from './helpers';

/** report.json against its JSON Schema (lambdas/processors/profile/report.schema.json), exact and sketch paths. */
const here = dirname(fileURLToPath(import.meta.url));
const schema = JSON.parse(readFileSync(join(here, '../../../lambdas/processors/profile/report.schema.json'), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const validate = ajv.compile(schema);
const data = join(here, '../../../node_modules/vega-datasets/data');

function generated(rows: number): string {
  const lines = ['id,when,amount,city,flag,note'];
  for (let i = 0; i < rows; i++) {
    lines.push([i, `2024-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:00:00${i % 2 ? 'Z' : '+09:00'}`, i % 7 === 0 ? '' : ((i * 37) % 1000) / 10 - 20, ['Tokyo', 'Lagos', '"Zürich, CH"'][i % 3], i % 2 === 0, i % 5 === 0 ? 'NA' : `n${i % 50}`].join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe('report.json validates against report.schema.json', () => {
  it.each(['cars.json', 'zipcodes.csv', 'seattle-weather-hourly-normals.csv', 'movies.json', 'unemployment.tsv'])('%s', async (name) => {
    const r = await profile(new Uint8Array(readFileSync(join(data, name))), { fileName: name, lang: 'ja', orderId: 'ord_1' });
    expect(validate(r) ? [] : validate.errors).toEqual([]);
  });

  it('a generated file, exact and with the budget at 0 (every figure from sketches)', async () => {
    for (const memoryBudgetMb of [undefined, 0]) {
      const r = await profile(generated(20_000), memoryBudgetMb === undefined ? {} : { memoryBudgetMb });
      expect(validate(r) ? [] : validate.errors).toEqual([]);
      expect(r.meta.exact).toBe(memoryBudgetMb === undefined);
    }
  });

  it('rejects what v2 forbids (the schema can fail)', async () => {
    const r = (await profile(generated(50))) as unknown as Record<string, unknown>;
    expect(validate({ ...r, schemaVersion: 1 })).toBe(false);
    expect(validate({ ...r, meta: undefined })).toBe(false);
  });
});
