/**
 * The job folder's manifest, `uplock-job.json` (docs/jobs.md): what runs, which files it accepts,
 * its limits and which output file the download link serves.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';

export const MANIFEST_FILE = 'uplock-job.json';

/** A result or sample file name: one plain name in the folder, never a path. */
const plainName = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a plain file name (letters, digits, . _ -)'));

export const DEFAULT_LIMITS = {
  timeoutSeconds: 300,
  maxOutputBytes: 100 * 1024 * 1024,
  maxFiles: 20,
} as const;

export const jobManifestSchema = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(120)),
  /** Program and arguments, run without a shell. */
  command: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  acceptedExtensions: z
    .array(z.string().check(z.regex(/^\.[a-z0-9]{1,10}$/, 'a lower-case extension with its dot, like ".txt"')))
    .check(z.minLength(1)),
  timeoutSeconds: z._default(z.int().check(z.positive(), z.maximum(24 * 3600)), DEFAULT_LIMITS.timeoutSeconds),
  /** The file the download link serves; without it one file is served as is, several zipped. */
  result: z.optional(plainName),
  /** A small input file in the folder, for smoke tests and `uplock job run`. */
  sample: z.optional(plainName),
  /** Total bytes the job may write into UPLOCK_OUTPUT. */
  maxOutputBytes: z._default(z.int().check(z.positive()), DEFAULT_LIMITS.maxOutputBytes),
  /** Files the job may write into UPLOCK_OUTPUT, preview.json included. */
  maxFiles: z._default(z.int().check(z.positive(), z.maximum(1000)), DEFAULT_LIMITS.maxFiles),
});

export type JobManifest = z.infer<typeof jobManifestSchema>;

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** A job folder: its absolute path and its validated manifest. */
export interface JobFolder {
  readonly dir: string;
  readonly manifest: JobManifest;
}

/** Read and validate `<dir>/uplock-job.json`; the error names the file and every bad key. */
export function loadJobFolder(dir: string): JobFolder {
  const abs = path.resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new ManifestError(`job folder ${abs} does not exist`);
  const file = path.join(abs, MANIFEST_FILE);
  if (!existsSync(file)) throw new ManifestError(`${file} is missing: a job folder needs a ${MANIFEST_FILE} (docs/jobs.md)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ManifestError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = jobManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ManifestError(`${file} is invalid: ${problems.join('; ')}`);
  }
  const manifest = parsed.data;
  if (manifest.sample && !existsSync(path.join(abs, manifest.sample))) {
    throw new ManifestError(`${file}: sample "${manifest.sample}" is not in the folder`);
  }
  return { dir: abs, manifest };
}

/**
 * What the shop accepts: the manifest's list, narrowed by config if config names some. Config
 * never widens it: an extension the job does not accept is an error, not a silent drop.
 */
export function acceptedExtensionsFor(manifest: JobManifest, configured?: readonly string[]): string[] {
  if (!configured || configured.length === 0) return [...manifest.acceptedExtensions];
  const extra = configured.filter((e) => !manifest.acceptedExtensions.includes(e));
  if (extra.length) {
    throw new ManifestError(
      `acceptedExtensions ${extra.join(', ')} are not accepted by the job "${manifest.name}" (it accepts ${manifest.acceptedExtensions.join(', ')}): config may narrow the job's list, never widen it`,
    );
  }
  return [...configured];
}
