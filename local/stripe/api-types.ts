import type { StripeEngine, RequestInfo } from './engine.js';
import type { FormObject } from './form-body.js';

export interface ApiContext {
  readonly engine: StripeEngine;
  /** Body for POST, query string for GET and DELETE, parsed with bracket notation. */
  readonly params: FormObject;
  /** Captures of the route's pattern, e.g. the object id. */
  readonly pathParams: readonly string[];
  /** Request path without query: lists echo it as `url`. */
  readonly path: string;
  readonly request: RequestInfo;
  /** `http://127.0.0.1:<port>`: hosted page URLs are built on it. */
  readonly baseUrl: string;
}

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly pattern: RegExp;
  handle(ctx: ApiContext): unknown;
}

export function pathParam(ctx: ApiContext, index = 0): string {
  return ctx.pathParams[index] ?? '';
}
