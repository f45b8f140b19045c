/**
 * A command job's result files leave the work folder as streams (run-command.ts): each is held
 * open by the descriptor its check opened, so its bytes are read later from that file, never from
 * whatever the name points at by then; several unnamed results become one zip, written by
 * streaming beside the output folder. A real child process (sh) writes the output.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamedBody } from '../../../lambdas/core/job';
import { jobManifestSchema } from '../../../lambdas/processors/command/manifest';
import { ZIP_NAME, limitsOf, makeWorkDirs, removeWorkDirs, runCommand } from '../../../lambdas/processors/command/run-command';

let roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.map(removeWorkDirs));
  roots = [];
});

async function bytesOf(body: StreamedBody): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body.read()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Run `script` (sh) as a job whose input is `input`; the output folder is its UPLOCK_OUTPUT. */
async function run(script: string, input: Buffer, manifest: Record<string, unknown> = {}) {
  const work = await makeWorkDirs();
  roots.push(work.root);
  const inputPath = path.join(work.input, 'input.bin');
  await writeFile(inputPath, input);
  const parsed = jobManifestSchema.parse({ name: 'Test', command: ['sh', '-c', script], acceptedExtensions: ['.bin'], ...manifest });
  const outcome = await runCommand({
    dir: work.scratch,
    manifest: parsed,
    limits: limitsOf(parsed),
    inputPath,
    outputDir: work.output,
    scratchDir: work.scratch,
    fileName: 'input.bin',
    lang: 'en',
  });
  return { outcome, work };
}

const PREVIEW = `printf '{"title":"t"}' > "$UPLOCK_OUTPUT/preview.json"`;

describe('a command job\'s result files', () => {
  it('are streamed from the descriptor opened at the check, even after the name is swapped for a link', async () => {
    const input = randomBytes(2 * 1024 * 1024 + 5);
    const { outcome, work } = await run(`${PREVIEW}; cp "$UPLOCK_INPUT" "$UPLOCK_OUTPUT/copy.bin"`, input);
    if (!outcome.ok) throw new Error(outcome.detail);
    const [file] = outcome.files;

    // Something replaces the checked file by a link to a secret after the check.
    await rm(path.join(work.output, 'copy.bin'));
    await symlink('/etc/passwd', path.join(work.output, 'copy.bin'));

    expect(outcome.primary).toBe('copy.bin');
    expect(file?.body.size).toBe(input.length);
    expect((await bytesOf(file?.body as StreamedBody)).equals(input)).toBe(true);
    await outcome.release();
  });

  it('several unnamed results are zipped by streaming, beside the output folder, and served as the zip', async () => {
    const input = randomBytes(1024 * 1024);
    const { outcome, work } = await run(`${PREVIEW}; cp "$UPLOCK_INPUT" "$UPLOCK_OUTPUT/a.bin"; printf 'hello' > "$UPLOCK_OUTPUT/b.txt"`, input);
    if (!outcome.ok) throw new Error(outcome.detail);

    const zip = outcome.files.find((f) => f.name === ZIP_NAME);
    const entries = unzipSync(new Uint8Array(await bytesOf(zip?.body as StreamedBody)));

    expect(outcome.primary).toBe(ZIP_NAME);
    expect(outcome.files.map((f) => f.name)).toEqual(['a.bin', 'b.txt', ZIP_NAME]);
    expect(Buffer.from(entries['a.bin'] ?? []).equals(input)).toBe(true);
    expect(Buffer.from(entries['b.txt'] ?? []).toString()).toBe('hello');
    expect(path.dirname(path.join(work.root, ZIP_NAME))).toBe(work.root);
    await outcome.release();
  });

  it('the zip refuses to write through a name left in its place', async () => {
    const target = path.join(os.tmpdir(), `uplock-never-${process.pid}`);
    const script = `${PREVIEW}; printf a > "$UPLOCK_OUTPUT/a.txt"; printf b > "$UPLOCK_OUTPUT/b.txt"; ln -s ${target} "$UPLOCK_OUTPUT/../${ZIP_NAME}"`;

    await expect(run(script, Buffer.from('x'))).rejects.toThrow(/EEXIST/);
    expect(existsSync(target)).toBe(false);
  });
});
