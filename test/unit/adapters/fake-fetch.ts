/** A fetch stand-in for the failures the local servers cannot produce: records each call, answers from a script. */
export interface RecordedCall {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string;
}

export type Answer = Response | Error | (() => Response);

export function fakeFetch(...answers: Answer[]): { fetch: typeof fetch; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = init?.body;
    calls.push({
      url: input.toString(),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : '',
    });
    const answer = answers.shift();
    if (!answer) throw new Error('fake fetch: no answer scripted for this call');
    if (answer instanceof Error) throw answer;
    return typeof answer === 'function' ? answer() : answer;
  };
  return { fetch: impl as typeof fetch, calls };
}

export const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
