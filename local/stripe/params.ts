/**
 * Reading Stripe request parameters with Stripe's own error messages, so a caller that sends
 * something real Stripe would refuse is refused here too.
 */
import { invalidParam, missingParam, unknownParam } from './errors.js';
import type { FormObject, FormValue } from './form-body.js';
import type { Metadata } from './objects.js';

/** Rejects parameters the endpoint does not know, as Stripe does (`parameter_unknown`). */
export function assertKnownParams(params: FormObject, allowed: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) throw unknownParam(key);
  }
}

export function optionalString(params: FormObject, key: string, label = key): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParam(label, `Invalid string: ${label}`);
  return value;
}

export function requiredString(params: FormObject, key: string, label = key): string {
  const value = optionalString(params, key, label);
  if (value === undefined || value === '') throw missingParam(label);
  return value;
}

export function optionalInt(params: FormObject, key: string, label = key): number | undefined {
  const value = optionalString(params, key, label);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalidParam(label, `Invalid integer: ${value}`);
  return Number(value);
}

export function optionalBool(params: FormObject, key: string, label = key): boolean | undefined {
  const value = optionalString(params, key, label);
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalidParam(label, `Invalid boolean: ${value}`);
}

export function optionalObject(params: FormObject, key: string, label = key): FormObject | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value === 'string' || Array.isArray(value)) throw invalidParam(label, `Invalid hash: ${label}`);
  return value;
}

export function optionalArray(params: FormObject, key: string, label = key): FormValue[] | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidParam(label, `Invalid array: ${label}`);
  return value;
}

export function optionalStringArray(params: FormObject, key: string, label = key): string[] | undefined {
  const values = optionalArray(params, key, label);
  if (values === undefined) return undefined;
  return values.map((v, i) => {
    if (typeof v !== 'string') throw invalidParam(`${label}[${i}]`, `Invalid string: ${label}[${i}]`);
    return v;
  });
}

/**
 * Stripe's metadata rules: at most 50 keys, keys ≤ 40 characters, values ≤ 500. On update,
 * `metadata[k]=` (empty) removes a key and `metadata=` (empty) removes them all.
 */
export function readMetadata(params: FormObject, existing: Metadata = {}): Metadata | undefined {
  const value = params.metadata;
  if (value === undefined) return undefined;
  if (value === '') return {};
  if (typeof value === 'string' || Array.isArray(value)) throw invalidParam('metadata', 'Invalid hash: metadata');
  const merged: Metadata = { ...existing };
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalidParam(`metadata[${k}]`, `Invalid string: metadata[${k}]`);
    if (k.length > 40) throw invalidParam(`metadata[${k}]`, 'Metadata keys can have up to 40 characters.');
    if (v.length > 500) throw invalidParam(`metadata[${k}]`, 'Metadata values can have up to 500 characters.');
    if (v === '') delete merged[k];
    else merged[k] = v;
  }
  if (Object.keys(merged).length > 50) throw invalidParam('metadata', 'Metadata can have up to 50 keys.');
  return merged;
}

export function readExpand(params: FormObject): string[] {
  return optionalStringArray(params, 'expand') ?? [];
}

/** `https://…` or `http://…` (test mode accepts plain http, which local development needs). */
export function readUrl(params: FormObject, key: string, label = key): string | undefined {
  const value = optionalString(params, key, label);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    // `{CHECKOUT_SESSION_ID}` is a template, not part of the URL grammar.
    url = new URL(value.replaceAll('{CHECKOUT_SESSION_ID}', 'x'));
  } catch {
    throw invalidParam(label, `Not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidParam(label, 'Not a valid URL');
  return value;
}
