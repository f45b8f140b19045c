/**
 * The browser → S3 presigned POST. XMLHttpRequest rather than fetch: fetch has no upload
 * progress events, and the customer should see bytes moving on a slow line.
 */
export type UploadOutcome =
  | { kind: 'done' }
  | { kind: 'aborted' }
  | { kind: 'network' }
  | { kind: 'rejected'; status: number; expired: boolean };

export interface UploadHandle {
  readonly result: Promise<UploadOutcome>;
  abort(): void;
}

export function postToS3(
  target: { url: string; fields: Record<string, string> },
  file: File,
  onProgress: (sent: number, total: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const result = new Promise<UploadOutcome>((resolve) => {
    const form = new FormData();
    // S3 reads the policy fields first; the file must be the last part.
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    form.append('file', file);

    xhr.upload.addEventListener('progress', (event) => {
      onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve({ kind: 'done' });
        return;
      }
      // S3 answers an expired policy with 403 and <Code>AccessDenied</Code> mentioning expiry.
      const expired = xhr.status === 403 && /expired/i.test(xhr.responseText);
      resolve({ kind: 'rejected', status: xhr.status, expired });
    });
    xhr.addEventListener('error', () => resolve({ kind: 'network' }));
    xhr.addEventListener('timeout', () => resolve({ kind: 'network' }));
    xhr.addEventListener('abort', () => resolve({ kind: 'aborted' }));
    xhr.open('POST', target.url);
    xhr.send(form);
  });
  return { result, abort: () => xhr.abort() };
}
