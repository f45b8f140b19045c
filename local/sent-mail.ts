/**
 * The SES stand-in's sent mail, kept in the data directory: aws-ses-v2-local holds its mail in
 * memory, so without this a restart (or a kill, local/faults.ts) would lose every email the
 * handlers had sent, and neither an operator rehearsing a crash nor a test could count what a
 * buyer received. Each email is written before SES answers the send, so what a handler saw as sent
 * survives a `kill -9` a moment later; the file is read back at start.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import path from 'node:path';
import { getStoreReadonly } from 'aws-ses-v2-local/dist/store.js';

type StoredEmail = ReturnType<typeof getStoreReadonly>['emails'][number];

export function keepSentMail(server: Server, file: string): void {
  const store = getStoreReadonly();
  (store.emails as StoredEmail[]).push(...readMail(file));
  let written = store.emails;
  let writtenLength = store.emails.length;
  const persist = () => {
    // clearStore() replaces the array; a send appends to it.
    if (store.emails === written && store.emails.length === writtenLength) return;
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(store.emails));
    renameSync(tmp, file);
    written = store.emails;
    writtenLength = store.emails.length;
  };
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      persist();
      return end(...args);
    }) as ServerResponse['end'];
    for (const listener of listeners) listener.call(server, req, res);
  });
}

function readMail(file: string): StoredEmail[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as StoredEmail[]) : [];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`${file} is not the local mail store (${(error as Error).message}): delete it, or start with --reset`);
  }
}
