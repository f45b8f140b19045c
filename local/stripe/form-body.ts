/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with bracket notation
 * (`line_items[0][price]`, `metadata[k]`, `expand[]`). The SDK sends indexed arrays
 * (`expand[0]`); curl users often send `expand[]`. Both become arrays here.
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Keys whose children are free-form names, never array indices (`metadata[0]=x` stays a map). */
const MAP_KEYS = new Set(['metadata']);

export class FormBodyError extends Error {
  override name = 'FormBodyError';
}

export function parseFormBody(text: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const path = splitKey(rawKey);
    assign(root, path, value);
  }
  return toArrays(root, '') as FormObject;
}

/** `a[b][0][]` → ['a', 'b', '0', ''] */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  const rest = key.slice(open);
  const re = /\[([^\]]*)\]/g;
  let consumed = 0;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    if (m.index !== consumed) throw new FormBodyError(`Invalid parameter name: ${key}`);
    parts.push(m[1] ?? '');
    consumed = m.index + m[0].length;
  }
  if (consumed !== rest.length) throw new FormBodyError(`Invalid parameter name: ${key}`);
  return parts;
}

function assign(root: FormObject, path: string[], value: string): void {
  let node: FormObject = root;
  for (let i = 0; i < path.length; i++) {
    let seg = path[i] ?? '';
    // `[]` appends: the next free index among what is already there.
    if (seg === '' && i > 0) seg = String(Object.keys(node).length);
    const last = i === path.length - 1;
    if (last) {
      node[seg] = value;
      return;
    }
    const next = node[seg];
    if (next === undefined) {
      const child: FormObject = {};
      node[seg] = child;
      node = child;
    } else if (typeof next === 'string' || Array.isArray(next)) {
      // `metadata=` (clear all) followed by `metadata[k]=v`: the nested form wins.
      const child: FormObject = {};
      node[seg] = child;
      node = child;
    } else {
      node = next;
    }
  }
}

function toArrays(value: FormValue, parentKey: string): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const converted: FormObject = {};
  for (const k of keys) converted[k] = toArrays(value[k] ?? '', k);
  if (!MAP_KEYS.has(parentKey) && keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((n) => converted[String(n)] ?? '');
  }
  return converted;
}
