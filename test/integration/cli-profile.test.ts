import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** `npx uplock profile`: the real command in a child process, as a seller runs it. */
const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/uplock-cli.mjs');
const cars = join(import.meta.dirname, '../../node_modules/vega-datasets/data/cars.json');

async function uplock(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('uplock profile', { timeout: 60_000 }, () => {
  it('--json prints report.json (schema v2) on stdout', async () => {
    const { code, stdout } = await uplock('--json', 'profile', cars);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { schemaVersion: number; file: { rows: number; format: string } };
    expect(report).toMatchObject({ schemaVersion: 2, file: { rows: 406, format: 'json' } });
  });

  it('--out writes report.html and report.json; --lang ja writes the page in Japanese', async () => {
    const out = mkdtempSync(join(tmpdir(), 'uplock-profile-'));
    const { code } = await uplock('profile', cars, '--out', out, '--lang', 'ja');
    expect(code).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('データプロファイル');
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).meta.lang).toBe('ja');
  });

  it('exits 1 with the customer message for a file the job refuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'uplock-profile-'));
    writeFileSync(join(dir, 'header-only.csv'), 'a,b\n');
    const { code, stderr } = await uplock('profile', join(dir, 'header-only.csv'));
    expect(code).toBe(1);
    expect(stderr).toContain('The file has a header row but no data rows');
  });

  it('has --help', async () => {
    const { code, stdout } = await uplock('profile', '--help');
    expect(code).toBe(0);
    expect(stdout).toContain('--out <dir>');
  });
});
