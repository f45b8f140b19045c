/**
 * An operator's own job as a `Processor` (core/job.ts): the job folder's command, run by the
 * contract of docs/jobs.md. The pipeline streams the upload into a work folder, runs the command
 * (./run-command.ts) and hands the preview and the result files back to the job's use case.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ProcessingError, type Processor, type ProcessorInput, type ProcessorResult } from '../../core/job';
import { extensionOf } from '../../core/validation';
import type { JobFolder } from './manifest';
import { limitsOf, makeWorkDirs, removeWorkDirs, runCommand } from './run-command';

export { loadJobFolder, acceptedExtensionsFor, ManifestError, type JobFolder, type JobManifest } from './manifest';

export interface CommandProcessorOptions {
  /** Where work folders go: /tmp on Lambda (the only writable place there). Default: os.tmpdir(). */
  readonly workBase?: string;
  readonly maxLogBytes?: number;
  /** PATH and LANG of the host, the only parts of its environment the job sees. */
  readonly hostEnv?: { PATH?: string; LANG?: string };
}

export function commandProcessor(folder: JobFolder, opts: CommandProcessorOptions = {}): Processor {
  const limits = limitsOf(folder.manifest, opts.maxLogBytes);
  return {
    name: folder.manifest.name,
    acceptedExtensions: folder.manifest.acceptedExtensions,
    timeoutMs: limits.timeoutMs,
    async process(input: ProcessorInput): Promise<ProcessorResult> {
      const work = await makeWorkDirs(opts.workBase);
      // On success the work folder outlives this call: the result files are streamed from it,
      // and `release` (called by runJob once they are stored) removes it.
      let kept = false;
      try {
        // The job reads a file, not a stream: with the customer's extension, never their name.
        const inputPath = path.join(work.input, `input${extensionOf(input.fileName)}`);
        await writeLimited(input.body, inputPath, input.maxBytes);
        const outcome = await runCommand({
          dir: folder.dir,
          manifest: folder.manifest,
          limits,
          inputPath,
          outputDir: work.output,
          scratchDir: work.scratch,
          fileName: input.fileName,
          lang: input.lang === 'ja' ? 'ja' : 'en',
          ...(input.onProgress ? { onProgress: input.onProgress } : {}),
          ...(opts.hostEnv ? { hostEnv: opts.hostEnv } : {}),
        });
        if (!outcome.ok) throw new ProcessingError(outcome.code, outcome.customerMessage, `${outcome.detail}; log tail: ${outcome.logTail.slice(-2000)}`);
        kept = true;
        return {
          preview: outcome.preview,
          artifacts: outcome.files.map((f) => ({ name: f.name, contentType: f.contentType, body: f.body })),
          primary: outcome.primary,
          release: async () => {
            await outcome.release();
            await removeWorkDirs(work.root);
          },
        };
      } finally {
        if (!kept) await removeWorkDirs(work.root);
      }
    },
  };
}

async function writeLimited(body: AsyncIterable<Uint8Array>, file: string, maxBytes: number): Promise<void> {
  let total = 0;
  const limited = async function* () {
    for await (const chunk of body) {
      total += chunk.byteLength;
      if (total > maxBytes) throw new ProcessingError('too_large', 'The file is larger than the upload limit.');
      yield chunk;
    }
  };
  await pipeline(Readable.from(limited()), createWriteStream(file, { flags: 'wx' }));
}
