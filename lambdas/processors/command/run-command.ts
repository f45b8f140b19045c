/**
 * Runs a job folder's command once, by the contract of docs/jobs.md: a child process in its own
 * process group, the folder as working directory, only the contract's environment, and limits on
 * time, output size, number of files and log volume. Past a limit the whole group is killed.
 * Then the output folder is read without following anything: regular files with plain names only.
 * Result files are never read whole into memory: each is kept open (the descriptor opened without
 * following links is the one read later) and streamed to the bucket; several unnamed results are
 * zipped by streaming into one file beside the output folder.
 *
 * Used by the command processor (./index.ts) in the pipeline and by `uplock job run`.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { Zip, ZipDeflate } from 'fflate';
import { NOT_CHARGED, type StreamedBody } from '../../core/job';
import type { JobManifest } from './manifest';
import { MAX_PREVIEW_BYTES, parseJobPreview, type JobPreview } from './preview';

export const PREVIEW_FILE = 'preview.json';
export const ERROR_FILE = 'error.json';
/** Served when the job writes several result files and names none. */
export const ZIP_NAME = 'result.zip';
/** What the pipeline keeps of the job's standard output and error: the end, for the log. */
export const LOG_TAIL_BYTES = 16 * 1024;
/** Log volume a job may write before it is stopped (it is not stored, only counted). */
export const DEFAULT_MAX_LOG_BYTES = 1024 * 1024;
const MAX_ERROR_FILE_BYTES = 16 * 1024;
const MAX_CUSTOMER_MESSAGE = 500;
/** How often the output folder is measured while the job runs. */
const OUTPUT_POLL_MS = 200;
/** Letters, digits, `.`, `_`, `-`; not starting with a dot; at most 100 characters. */
export const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const PROGRESS_LINE = /^progress\s+(\d{1,3}(?:\.\d+)?)\s*$/;

export interface CommandLimits {
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly maxFiles: number;
  readonly maxLogBytes: number;
}

export const limitsOf = (manifest: JobManifest, maxLogBytes = DEFAULT_MAX_LOG_BYTES): CommandLimits => ({
  timeoutMs: manifest.timeoutSeconds * 1000,
  maxOutputBytes: manifest.maxOutputBytes,
  maxFiles: manifest.maxFiles,
  maxLogBytes,
});

export interface OutputFile {
  readonly name: string;
  readonly contentType: string;
  /** Read from the descriptor opened (without following links) when the output was checked. */
  readonly body: StreamedBody;
}

export type CommandOutcome =
  | {
      ok: true;
      preview: JobPreview;
      files: OutputFile[];
      primary: string;
      logTail: string;
      /** Close the result files' descriptors: call once their bytes are stored (or not needed). */
      release: () => Promise<void>;
    }
  | {
      ok: false;
      /** snake_case, stored on the order. */
      code: string;
      /** For the customer: the job's own error.json message, or one of ours. */
      customerMessage: string;
      /** For the job's author and the operator's log. */
      detail: string;
      logTail: string;
    };

export interface CommandRun {
  readonly dir: string;
  readonly manifest: JobManifest;
  readonly limits: CommandLimits;
  /** Absolute path of the input, already in place, with the customer's extension. */
  readonly inputPath: string;
  /** An empty folder. */
  readonly outputDir: string;
  /** Writable scratch folder: HOME and TMPDIR. */
  readonly scratchDir: string;
  readonly fileName: string;
  readonly lang: 'en' | 'ja';
  readonly onProgress?: (percent: number) => void;
  /** The host's PATH and LANG, passed on (the only two things of the host's environment). */
  readonly hostEnv?: { PATH?: string; LANG?: string };
}

const GENERIC = `We could not analyse this file. ${NOT_CHARGED}`;

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.zip': 'application/zip',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export const contentTypeOf = (name: string): string => CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';

/** A fresh work folder with input/, output/ and scratch/; the caller removes `root`. */
export async function makeWorkDirs(base = os.tmpdir()): Promise<{ root: string; input: string; output: string; scratch: string }> {
  const root = await mkdtemp(path.join(base, 'uplock-job-'));
  const dirs = { root, input: path.join(root, 'input'), output: path.join(root, 'output'), scratch: path.join(root, 'scratch') };
  await Promise.all([mkdir(dirs.input), mkdir(dirs.output), mkdir(dirs.scratch)]);
  return dirs;
}

/** Keeps the last `size` bytes written to it. */
class Tail {
  private chunks: Buffer[] = [];
  private length = 0;
  constructor(private readonly size: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    while (this.length - (this.chunks[0]?.length ?? 0) >= this.size) this.length -= (this.chunks.shift() as Buffer).length;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.size)).toString('utf8');
  }
}

type Stop = { code: string; customerMessage: string; detail: string };

export async function runCommand(run: CommandRun): Promise<CommandOutcome> {
  const { manifest, limits } = run;
  const env: Record<string, string> = {
    UPLOCK_INPUT: run.inputPath,
    UPLOCK_OUTPUT: run.outputDir,
    UPLOCK_FILE_NAME: run.fileName,
    UPLOCK_LANG: run.lang,
    PATH: run.hostEnv?.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: run.hostEnv?.LANG ?? 'C.UTF-8',
    HOME: run.scratchDir,
    TMPDIR: run.scratchDir,
  };
  const [program, ...args] = manifest.command as [string, ...string[]];
  const tail = new Tail(LOG_TAIL_BYTES);
  let logBytes = 0;
  let stopped: Stop | undefined;

  const child = spawn(program, args, { cwd: run.dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const stop = (why: Stop) => {
    if (stopped) return;
    stopped = why;
    killGroup();
  };

  const countLog = (chunk: Buffer) => {
    logBytes += chunk.length;
    tail.push(chunk);
    if (logBytes > limits.maxLogBytes) {
      stop({
        code: 'job_log_limit',
        customerMessage: GENERIC,
        detail: `the job wrote more than ${limits.maxLogBytes} bytes to standard output and error`,
      });
    }
  };
  // Progress lines are read from standard output; a line longer than this is not one.
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    countLog(chunk);
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = (lines.pop() ?? '').slice(-64);
    for (const line of lines) {
      const match = PROGRESS_LINE.exec(line.trim());
      if (match && run.onProgress) run.onProgress(Math.min(100, Number(match[1])));
    }
  });
  child.stderr.on('data', countLog);

  const timer = setTimeout(
    () =>
      stop({
        code: 'job_timeout',
        customerMessage: `The analysis took longer than its limit of ${formatSeconds(limits.timeoutMs)} and was stopped. ${NOT_CHARGED}`,
        detail: `the job ran past timeoutSeconds (${limits.timeoutMs / 1000})`,
      }),
    limits.timeoutMs,
  );
  let measuring = false;
  const poll = setInterval(() => {
    if (measuring) return;
    measuring = true;
    measure(run.outputDir, limits)
      .then((problem) => {
        if (problem) stop(problem);
      })
      .catch(() => undefined)
      .finally(() => (measuring = false));
  }, OUTPUT_POLL_MS);

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(timer);
  clearInterval(poll);
  // Anything the job left running in the background goes with it.
  killGroup();
  const logTail = tail.text();

  if (exit.spawnError) {
    return { ok: false, code: 'job_not_started', customerMessage: GENERIC, detail: `could not start ${program}: ${exit.spawnError.message}`, logTail };
  }
  if (stopped) return { ok: false, ...stopped, logTail };
  const over = await measure(run.outputDir, limits);
  if (over) return { ok: false, ...over, logTail };
  if (exit.code !== 0) {
    const own = await readErrorFile(run.outputDir);
    return {
      ok: false,
      code: 'job_failed',
      customerMessage: own ? `${own} ${NOT_CHARGED}` : GENERIC,
      detail: `the job exited with ${exit.code === null ? `signal ${exit.signal}` : `code ${exit.code}`}${own ? '' : ' and wrote no error.json message'}`,
      logTail,
    };
  }
  return collect(run, logTail);
}

/** Count and size the output folder without following links; a problem once a limit is passed. */
async function measure(dir: string, limits: CommandLimits): Promise<Stop | undefined> {
  let files = 0;
  let bytes = 0;
  const walk = async (at: string, depth: number): Promise<Stop | undefined> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      const info = await lstat(full).catch(() => undefined);
      if (!info) continue;
      files++;
      bytes += info.isFile() ? info.size : 0;
      if (info.isDirectory() && depth < 8) {
        const inner = await walk(full, depth + 1);
        if (inner) return inner;
      }
      if (bytes > limits.maxOutputBytes) {
        return {
          code: 'job_output_too_large',
          customerMessage: `The analysis produced more output than its limit and was stopped. ${NOT_CHARGED}`,
          detail: `the job wrote more than maxOutputBytes (${limits.maxOutputBytes}) into UPLOCK_OUTPUT`,
        };
      }
      if (files > limits.maxFiles) {
        return {
          code: 'job_too_many_files',
          customerMessage: `The analysis produced more files than its limit and was stopped. ${NOT_CHARGED}`,
          detail: `the job wrote more than maxFiles (${limits.maxFiles}) entries into UPLOCK_OUTPUT`,
        };
      }
    }
    return undefined;
  };
  return walk(dir, 0);
}

/** Read a regular file without following a link, refusing more than `max` bytes. */
async function readPlainFile(file: string, max: number): Promise<Uint8Array | 'not_regular' | 'too_large'> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return 'not_regular';
  try {
    const info = await handle.stat();
    if (!info.isFile()) return 'not_regular';
    if (info.size > max) return 'too_large';
    const body = new Uint8Array(info.size);
    let at = 0;
    while (at < info.size) {
      const { bytesRead } = await handle.read(body, at, info.size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return body.subarray(0, at);
  } finally {
    await handle.close();
  }
}

async function readErrorFile(outputDir: string): Promise<string | undefined> {
  const body = await readPlainFile(path.join(outputDir, ERROR_FILE), MAX_ERROR_FILE_BYTES).catch(() => undefined);
  if (!(body instanceof Uint8Array)) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
    const message = (parsed as { message?: unknown } | null)?.message;
    if (typeof message !== 'string') return undefined;
    // Shown to the customer: one line of printable text, bounded.
    const clean = message.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
    if (!clean) return undefined;
    const bounded = clean.length > MAX_CUSTOMER_MESSAGE ? `${clean.slice(0, MAX_CUSTOMER_MESSAGE - 1)}…` : clean;
    return /[.!?。]$/.test(bounded) ? bounded : `${bounded}.`;
  } catch {
    return undefined;
  }
}

const refused = (detail: string, logTail: string): CommandOutcome => ({
  ok: false,
  code: 'job_output_refused',
  customerMessage: GENERIC,
  detail,
  logTail,
});

async function collect(run: CommandRun, logTail: string): Promise<CommandOutcome> {
  const opened: FileHandle[] = [];
  const release = async () => {
    await Promise.all(opened.splice(0).map((handle) => handle.close().catch(() => undefined)));
  };
  try {
    const outcome = await collectOpen(run, logTail, opened, release);
    if (!outcome.ok) await release();
    return outcome;
  } catch (error) {
    await release();
    throw error;
  }
}

async function collectOpen(run: CommandRun, logTail: string, opened: FileHandle[], release: () => Promise<void>): Promise<CommandOutcome> {
  const entries = await readdir(run.outputDir, { withFileTypes: true });
  const files: OutputFile[] = [];
  let preview: JobPreview | undefined;
  for (const entry of entries) {
    const full = path.join(run.outputDir, entry.name);
    const info = await lstat(full);
    if (info.isSymbolicLink()) return refused(`UPLOCK_OUTPUT holds a symbolic link, "${printable(entry.name)}": write regular files only`, logTail);
    if (info.isDirectory()) return refused(`UPLOCK_OUTPUT holds a folder, "${printable(entry.name)}": write regular files only`, logTail);
    if (!info.isFile()) return refused(`UPLOCK_OUTPUT holds "${printable(entry.name)}", which is not a regular file`, logTail);
    if (!PLAIN_NAME.test(entry.name)) {
      return refused(`UPLOCK_OUTPUT holds a file named "${printable(entry.name)}": names are letters, digits, . _ - (at most 100, not starting with a dot)`, logTail);
    }
    if (entry.name === ERROR_FILE) continue;
    if (entry.name === PREVIEW_FILE) {
      const body = await readPlainFile(full, MAX_PREVIEW_BYTES);
      if (body === 'not_regular') return refused(`"${entry.name}" changed into something that is not a regular file`, logTail);
      if (body === 'too_large') return refused(`preview.json is larger than ${MAX_PREVIEW_BYTES} bytes`, logTail);
      const parsed = parseJobPreview(Buffer.from(body).toString('utf8'));
      if (!parsed.ok) return { ok: false, code: 'job_preview_invalid', customerMessage: GENERIC, detail: parsed.problem, logTail };
      preview = parsed.preview;
      continue;
    }
    const body = await openPlainFile(full, run.limits.maxOutputBytes, opened);
    if (body === 'not_regular') return refused(`"${entry.name}" changed into something that is not a regular file`, logTail);
    if (body === 'too_large') return refused(`"${entry.name}" is over the output limit`, logTail);
    files.push({ name: entry.name, contentType: contentTypeOf(entry.name), body });
  }
  if (!preview) return { ok: false, code: 'job_preview_missing', customerMessage: GENERIC, detail: 'the job exited 0 but wrote no preview.json into UPLOCK_OUTPUT', logTail };
  if (files.length === 0) return { ok: false, code: 'job_result_missing', customerMessage: GENERIC, detail: 'the job wrote no result file besides preview.json', logTail };
  files.sort((a, b) => a.name.localeCompare(b.name));
  const named = run.manifest.result;
  if (named) {
    if (!files.some((f) => f.name === named)) {
      return { ok: false, code: 'job_result_missing', customerMessage: GENERIC, detail: `the manifest's result "${named}" is not among the output files`, logTail };
    }
    return { ok: true, preview, files, primary: named, logTail, release };
  }
  if (files.length === 1) return { ok: true, preview, files, primary: (files[0] as OutputFile).name, logTail, release };
  // Several files and none named: one zip is what the link serves; the files stay beside it. It is
  // written beside the output folder (never into it: the job's own files are what it holds).
  const zipPath = path.join(path.dirname(run.outputDir), ZIP_NAME);
  await zipFiles(files, zipPath);
  const zip = await openPlainFile(zipPath, Number.MAX_SAFE_INTEGER, opened);
  if (typeof zip === 'string') throw new Error(`the result zip at ${zipPath} could not be read back (${zip})`);
  return { ok: true, preview, files: [...files, { name: ZIP_NAME, contentType: 'application/zip', body: zip }], primary: ZIP_NAME, logTail, release };
}

/**
 * Open a regular file without following a link and keep it open (in `opened`): its bytes are read
 * later, from this descriptor, whatever happens to the name meanwhile.
 */
async function openPlainFile(file: string, max: number, opened: FileHandle[]): Promise<StreamedBody | 'not_regular' | 'too_large'> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return 'not_regular';
  opened.push(handle);
  const info = await handle.stat();
  if (!info.isFile()) return 'not_regular';
  if (info.size > max) return 'too_large';
  return { size: info.size, read: () => readFrom(handle, info.size) };
}

/** The file's bytes from the start, a chunk at a time (positional reads: the descriptor stays open for another read). */
async function* readFrom(handle: FileHandle, size: number): AsyncIterable<Uint8Array> {
  const CHUNK = 256 * 1024;
  let at = 0;
  while (at < size) {
    const buffer = new Uint8Array(Math.min(CHUNK, size - at));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
    if (bytesRead === 0) break;
    at += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** Zip `files` into `zipPath` as a stream (fflate's Zip + ZipDeflate): memory stays at a few chunks whatever their size. */
async function zipFiles(files: readonly OutputFile[], zipPath: string): Promise<void> {
  // `wx`: a fresh file, never through a name someone left there (that fails here, with EEXIST).
  const out = (await open(zipPath, 'wx')).createWriteStream();
  const settled = finished(out);
  // Awaited below; until then a write error must not surface as an unhandled rejection.
  settled.catch(() => undefined);
  let failure: Error | undefined;
  const zip = new Zip((error, chunk, final) => {
    if (error) failure = error;
    else out.write(chunk);
    if (final || error) out.end();
  });
  try {
    for (const file of files) {
      const entry = new ZipDeflate(file.name, { level: 6 });
      // A fixed time: the same files give the same zip.
      entry.mtime = new Date('2000-01-01T00:00:00Z');
      zip.add(entry);
      for await (const chunk of file.body.read()) {
        entry.push(chunk, false);
        if (out.writableNeedDrain) await once(out, 'drain');
      }
      entry.push(new Uint8Array(0), true);
    }
    zip.end();
  } catch (error) {
    out.destroy();
    throw error;
  }
  await settled;
  if (failure) throw failure;
}

/** A job-chosen name, safe to put in a log line. */
const printable = (name: string): string => name.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);

function formatSeconds(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds % 60 === 0 && seconds >= 60 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** Remove a work folder made by makeWorkDirs. */
export const removeWorkDirs = (root: string): Promise<void> => rm(root, { recursive: true, force: true });
