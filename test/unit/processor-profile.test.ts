import { describe, expect, it } from 'vitest';
import { acceptedExtensions, profileProcessor } from '../../lambdas/processors/profile/index';

async function* once(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

describe('profileProcessor (the Processor contract)', () => {
  it('names itself and lists lower-case extensions with the dot', () => {
    expect(profileProcessor.name).toBe('data-profile');
    expect(profileProcessor.acceptedExtensions).toEqual(acceptedExtensions);
    for (const ext of profileProcessor.acceptedExtensions) expect(ext).toMatch(/^\.[a-z0-9]{1,10}$/);
    expect(profileProcessor.acceptedExtensions).toEqual(expect.arrayContaining(['.csv', '.tsv', '.jsonl']));
  });

  it('returns report.html as the primary artifact plus report.json, with safe names and content types', async () => {
    const result = await profileProcessor.process({ body: once('a,b\n1,x\n2,y\n'), fileName: 'data.csv', maxBytes: 1024 });
    expect(result.primary).toBe('report.html');
    expect(result.artifacts.map((a) => [a.name, a.contentType])).toEqual([
      ['report.html', 'text/html; charset=utf-8'],
      ['report.json', 'application/json'],
    ]);
    for (const a of result.artifacts) expect(a.name).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(result.artifacts.map((a) => a.name)).toContain(result.primary);
    expect(JSON.parse(JSON.stringify(result.preview))).toEqual(result.preview);
  });
});
