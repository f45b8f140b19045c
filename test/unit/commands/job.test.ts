/** `npx uplock job run`: the job author's first test, run as the operator runs it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, 'bin/uplock-cli.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('uplock job run', () => {
  it('runs the example on its sample and prints the preview and the served result as JSON', () => {
    const run = cli('--json', 'job', 'run', 'examples/jobs/word-count');

    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { preview: { kind: string; title: string }; primary: string; files: { name: string; served: boolean }[] };
    expect(out.preview).toMatchObject({ kind: 'job', title: 'Word frequency' });
    expect(out.primary).toBe('report.txt');
    expect(out.files.map((f) => [f.name, f.served])).toEqual([
      ['report.txt', true],
      ['words.csv', false],
    ]);
  });

  it.each([
    ['symlink', 'job_output_refused', /symbolic link/],
    ['exit1-error', 'job_failed', /Your file has no numbers in it/],
    ['bad-preview', 'job_preview_invalid', /preview\.json does not follow the contract/],
  ])('exits 1 and says why when the job does %s', (mode, code, message) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'uplock-jobrun-')), 'in.txt');
    writeFileSync(file, `${mode}\n`);

    const run = cli('--json', 'job', 'run', 'test/fixtures/jobs/bad-job', file);

    expect(run.status).toBe(1);
    const out = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(out.error.code).toBe(code);
    expect(out.error.message).toMatch(message);
  });

  it('refuses a folder without a manifest, naming the file', () => {
    const run = cli('--json', 'job', 'run', 'docs');

    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'invalid_manifest', message: expect.stringContaining('uplock-job.json is missing') } });
  });
});
