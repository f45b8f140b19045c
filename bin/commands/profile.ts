/**
 * `uplock profile <file>`: the data-profile report of a local file, made by the same code as the
 * process job (lambdas/processors/profile/). `--json` prints report.json on stdout; `--out <dir>`
 * writes report.html and report.json there. A file the job would refuse exits 1 with the message
 * the customer would see.
 */
import { createReadStream, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { CliError, fields, runAction } from '../cli-kit';

/** The default upload limit (cdk.json `maxUploadBytes`): the job refuses larger files. */
const DEFAULT_MAX_BYTES = 104_857_600;
/** Files from this size on get a progress bar on stderr. */
const PROGRESS_FROM_BYTES = 16 * 1024 * 1024;

export function register(program: Command): void {
  program
    .command('profile')
    .description('make the data-profile report of a local CSV, TSV, JSON Lines or JSON file (what a buyer gets)')
    .argument('<file>', 'the file to profile')
    .option('--out <dir>', 'write report.html and report.json into this directory')
    .option('--lang <lang>', 'language of report.html: en or ja', 'en')
    .option('--max-bytes <n>', 'refuse files larger than this, as the job does', String(DEFAULT_MAX_BYTES))
    .option('--memory-mb <n>', 'memory the exact figures may use before falling back to estimates (default: the processor default)')
    .addHelpText(
      'after',
      `
Without --out the command prints a short summary; with --json it prints report.json on stdout.
A file the job would refuse (empty, binary, not UTF-8, too large, …) exits 1 with the message
the customer would see. Files of 16 MB and more show a progress bar on stderr.

Examples:
  npx uplock profile sales.csv --out ./report
  npx uplock profile sales.csv --json | jq '.columns[].name'
  npx uplock profile 売上.csv --out ./report --lang ja`,
    )
    .action(
      runAction(async (ctx, args) => {
        const file = args[0] as string;
        const lang = String(ctx.options.lang ?? 'en');
        if (lang !== 'en' && lang !== 'ja') throw new CliError('usage', `--lang must be en or ja, not "${lang}"`, 2);
        const maxBytes = Number(ctx.options.maxBytes);
        if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw new CliError('usage', '--max-bytes must be a positive whole number', 2);
        const memoryMb = ctx.options.memoryMb === undefined ? undefined : Number(ctx.options.memoryMb);
        if (memoryMb !== undefined && !(memoryMb >= 0)) throw new CliError('usage', '--memory-mb must be a number of MB (0 or more)', 2);
        let size: number;
        try {
          size = statSync(file).size;
        } catch {
          throw new CliError('not_found', `No such file: ${file}`);
        }
        const { profileResult, acceptedExtensions } = await import('../../lambdas/processors/profile/index');
        const { ProcessingError } = await import('../../lambdas/processors/processor');
        const extension = extname(file).toLowerCase();
        if (!(acceptedExtensions as readonly string[]).includes(extension)) {
          throw new CliError('unsupported_extension', `The job accepts ${acceptedExtensions.join(', ')} files; this one is "${extension || 'without extension'}".`);
        }
        const bar = size >= PROGRESS_FROM_BYTES ? ctx.progress(size, 'profiling') : undefined;
        let seen = 0;
        try {
          const result = await profileResult(
            { body: createReadStream(file, { highWaterMark: 1024 * 1024 }), fileName: basename(file), maxBytes, sizeBytes: size, lang, generatedAt: new Date().toISOString() },
            {
              ...(memoryMb === undefined ? {} : { memoryBudgetMb: memoryMb }),
              onProgress: (bytes) => {
                bar?.tick(bytes - seen);
                seen = bytes;
              },
            },
          );
          bar?.done();
          const out = ctx.options.out;
          if (typeof out === 'string') {
            await mkdir(out, { recursive: true });
            for (const { name, body } of result.artifacts) {
              // A streamed body (core/job.ts StreamedBody) is written as it is read.
              await writeFile(join(out, name), typeof body === 'string' || body instanceof Uint8Array ? body : body.read());
            }
            ctx.note(`wrote ${result.artifacts.map((a) => join(out, a.name)).join(', ')}`);
          }
          const r = result.report;
          return {
            json: JSON.parse(String(result.artifacts.find((a) => a.name === 'report.json')?.body)) as unknown,
            text: fields([
              ['file', r.file.name],
              ['rows', r.file.rows],
              ['columns', r.file.columns],
              ['alerts', r.warnings.length],
              ['exact', r.meta.exact],
            ]),
          };
        } catch (error) {
          bar?.done();
          if (error instanceof ProcessingError) throw new CliError(error.code, error.customerMessage);
          throw error;
        }
      }),
    );
}
