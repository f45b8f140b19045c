/**
 * `uplock job run <folder> [file]`: run a job folder once, without the pipeline, exactly as the
 * pipeline runs it (lambdas/processors/command/run-command.ts), check its output against the
 * contract (docs/jobs.md) and print the preview and the result files. The job author's first test.
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, fields, runAction, table } from '../cli-kit';

export function register(program: Command): void {
  const job = program
    .command('job')
    .description('bring your own job: run and check a job folder (docs/jobs.md)')
    .addHelpText('after', `
Examples:
  npx uplock job run examples/jobs/word-count
  npx uplock --json job run ./my-job ./my-sample.csv`);
  job
    .command('run')
    .description('run a job folder once on a file, check its output against the contract, print the preview and the result files')
    .argument('<folder>', 'the job folder (holds uplock-job.json)')
    .argument('[file]', "the input file (default: the manifest's sample)")
    .option('--lang <lang>', 'UPLOCK_LANG: en or ja', 'en')
    .addHelpText(
      'after',
      `
Runs the manifest's command with the contract's environment and limits, then checks what it
wrote: preview.json, the result files, no links or odd names. Exit 0 when the output follows the
contract, 1 when the job failed or broke the contract (the reason and the end of its log follow).

Examples:
  npx uplock job run examples/jobs/word-count
  npx uplock job run examples/jobs/word-count notes.txt --lang ja
  npx uplock --json job run ./my-job data.csv`,
    )
    .action(
      runAction(async (ctx, args) => {
        const [folderArg, fileArg] = args as [string, string | undefined];
        const lang = ctx.options.lang === 'ja' ? 'ja' : ctx.options.lang === 'en' ? 'en' : undefined;
        if (!lang) throw new CliError('usage', '--lang must be en or ja', 2);
        const { loadJobFolder, ManifestError } = await import('../../lambdas/processors/command/manifest');
        const { limitsOf, makeWorkDirs, removeWorkDirs, runCommand } = await import('../../lambdas/processors/command/run-command');
        const { extensionOf } = await import('../../lambdas/core/validation');
        let folder;
        try {
          folder = loadJobFolder(folderArg);
        } catch (error) {
          if (error instanceof ManifestError) throw new CliError('invalid_manifest', error.message);
          throw error;
        }
        const input = fileArg ? path.resolve(fileArg) : folder.manifest.sample ? path.join(folder.dir, folder.manifest.sample) : undefined;
        if (!input) throw new CliError('usage', 'give an input file, or name a "sample" in uplock-job.json', 2);
        const extension = extensionOf(path.basename(input));
        if (!folder.manifest.acceptedExtensions.includes(extension)) {
          ctx.note(`note: the shop would refuse ${extension || 'a file without an extension'}: the job accepts ${folder.manifest.acceptedExtensions.join(', ')}`);
        }
        const work = await makeWorkDirs();
        try {
          const inputPath = path.join(work.input, `input${extension}`);
          await copyFile(input, inputPath);
          const outcome = await runCommand({
            dir: folder.dir,
            manifest: folder.manifest,
            limits: limitsOf(folder.manifest),
            inputPath,
            outputDir: work.output,
            scratchDir: work.scratch,
            fileName: path.basename(input),
            lang,
            onProgress: (percent) => ctx.note(`progress ${percent}`),
            hostEnv: { ...(process.env.PATH ? { PATH: process.env.PATH } : {}), ...(process.env.LANG ? { LANG: process.env.LANG } : {}) },
          });
          if (!outcome.ok) {
            const tail = outcome.logTail.trim() ? `\n--- end of the job's output ---\n${outcome.logTail.slice(-4000)}` : '';
            throw new CliError(outcome.code, `${outcome.detail}. The customer would see: "${outcome.customerMessage}"${tail}`);
          }
          const { preview } = outcome;
          const files = outcome.files.map((f) => ({ name: f.name, bytes: f.body.size, contentType: f.contentType, served: f.name === outcome.primary }));
          // Only sizes are printed: the result files' descriptors can close now.
          await outcome.release();
          const text = [
            `Preview (free)${preview.title ? `: ${preview.title}` : ''}`,
            ...(preview.facts?.length ? [fields(preview.facts.map((f) => [f.label, f.value] as [string, string | number]))] : []),
            ...(preview.table
              ? [
                  table(preview.table.columns, preview.table.rows.slice(0, 20).map((r) => r.map(String))),
                  ...(preview.table.rows.length > 20 ? [`(the order page shows 20 of ${preview.table.rows.length} rows)`] : []),
                ]
              : []),
            '',
            'Result files (paid):',
            table(['file', 'bytes', 'type', 'download link'], files.map((f) => [f.name, String(f.bytes), f.contentType, f.served ? 'served' : ''])),
            '',
            'The output follows the job contract.',
          ].join('\n');
          return { json: { preview, files, primary: outcome.primary }, text };
        } finally {
          await removeWorkDirs(work.root);
        }
      }),
    );
}
