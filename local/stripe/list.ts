/** Stripe's list envelope and cursor pagination (`limit`, `starting_after`, `ending_before`). */
import { invalidParam, noSuchResource } from './errors.js';
import type { FormObject } from './form-body.js';
import { optionalInt, optionalString } from './params.js';

export interface ListEnvelope<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** Keys every list accepts; endpoints add their own filters. */
export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'expand'] as const;

/**
 * `newestFirst` is already filtered and ordered newest first, as Stripe orders every list.
 * A cursor that names an object not in the collection is a 404, as on Stripe.
 */
export function paginate<T extends { id: string }>(
  newestFirst: readonly T[],
  query: FormObject,
  url: string,
  kind: string,
): ListEnvelope<T> {
  const limit = optionalInt(query, 'limit') ?? 10;
  if (limit < 1 || limit > 100) throw invalidParam('limit', 'This value must be greater than or equal to 1 and less than or equal to 100.');
  const after = optionalString(query, 'starting_after');
  const before = optionalString(query, 'ending_before');
  if (after) {
    const i = newestFirst.findIndex((o) => o.id === after);
    if (i < 0) throw noSuchResource(kind, after, 'starting_after');
    const rest = newestFirst.slice(i + 1);
    return { object: 'list', data: rest.slice(0, limit), has_more: rest.length > limit, url };
  }
  if (before) {
    const i = newestFirst.findIndex((o) => o.id === before);
    if (i < 0) throw noSuchResource(kind, before, 'ending_before');
    const start = Math.max(0, i - limit);
    return { object: 'list', data: newestFirst.slice(start, i), has_more: start > 0, url };
  }
  return { object: 'list', data: newestFirst.slice(0, limit), has_more: newestFirst.length > limit, url };
}

/** `created=123` or `created[gte]=…&created[lt]=…`, as Stripe's range filters read. */
export function matchesRange(value: number, filter: FormObject[string] | undefined, label: string): boolean {
  if (filter === undefined) return true;
  if (typeof filter === 'string') {
    if (!/^\d+$/.test(filter)) throw invalidParam(label, `Invalid integer: ${filter}`);
    return value === Number(filter);
  }
  if (Array.isArray(filter)) throw invalidParam(label, `Invalid ${label}`);
  for (const [op, raw] of Object.entries(filter)) {
    if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw invalidParam(`${label}[${op}]`, `Invalid integer: ${String(raw)}`);
    const bound = Number(raw);
    const ok =
      op === 'gt' ? value > bound : op === 'gte' ? value >= bound : op === 'lt' ? value < bound : op === 'lte' ? value <= bound : undefined;
    if (ok === undefined) throw invalidParam(`${label}[${op}]`, `Received unknown parameter: ${label}[${op}]`);
    if (!ok) return false;
  }
  return true;
}

/** Stored collections keep insertion order; lists show newest first. */
export function newestFirst<T>(collection: Record<string, T>): T[] {
  return Object.values(collection).reverse();
}
