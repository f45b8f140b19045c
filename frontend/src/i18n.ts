/**
 * Language: English or Japanese. The first of `navigator.languages` we speak wins, unless the
 * customer picked one (kept in localStorage). The choice travels with the order (`lang`) so the
 * emails match the pages.
 */
import type { Lang } from './api';
import { en, fill, ja, type MessageKey, type Params } from './messages';

const storageKey = 'uplock.lang';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, ja };

function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'ja';
}

function readStored(): Lang | undefined {
  try {
    const stored = localStorage.getItem(storageKey);
    return isLang(stored) ? stored : undefined;
  } catch {
    // Storage can be disabled (privacy mode); the browser languages still decide.
    return undefined;
  }
}

export function detectLang(preferred: readonly string[] = navigator.languages): Lang {
  const stored = readStored();
  if (stored) return stored;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'en';
}

let current: Lang = detectLang();
const listeners = new Set<() => void>();

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    // Not persisted; the page still switches.
  }
  applyStatic();
  for (const listener of listeners) listener();
}

/** Re-render dynamic parts when the language changes. */
export function onLangChange(listener: () => void): void {
  listeners.add(listener);
}

export type { Params } from './messages';

export function t(key: MessageKey, params: Params = {}): string {
  return fill(dictionaries[current][key], params);
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/**
 * Static text in the HTML carries `data-i18n="key"` (textContent) and may carry
 * `data-i18n-params` set by the page script; English is in the HTML so the page reads well
 * even before the script runs.
 */
export function applyStatic(root: ParentNode = document): void {
  document.documentElement.lang = current;
  for (const element of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = element.dataset.i18n;
    if (!key || !isMessageKey(key)) continue;
    let params: Params = {};
    if (element.dataset.i18nParams) {
      try {
        params = JSON.parse(element.dataset.i18nParams) as Params;
      } catch {
        params = {};
      }
    }
    element.textContent = t(key, params);
  }
}

export function setText(element: HTMLElement, key: MessageKey, params?: Params): void {
  element.dataset.i18n = key;
  if (params) element.dataset.i18nParams = JSON.stringify(params);
  else delete element.dataset.i18nParams;
  element.textContent = t(key, params);
}

/** Empties an element that setText filled, so a language switch does not bring the text back. */
export function clearText(element: HTMLElement): void {
  delete element.dataset.i18n;
  delete element.dataset.i18nParams;
  element.textContent = '';
}

// ---- formatting ----------------------------------------------------------------------------

/** `amount` is in minor units (cents, yen): divide by the currency's own exponent. */
export function formatPrice(amount: number, currency: string): string {
  const upper = currency.toUpperCase();
  try {
    const format = new Intl.NumberFormat(current, { style: 'currency', currency: upper });
    const exponent = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** exponent);
  } catch {
    return `${(amount / 100).toFixed(2)} ${upper}`;
  }
}

const binaryUnits = ['unit.kib', 'unit.mib', 'unit.gib'] as const;

/**
 * Binary multiples (KiB = 1024 bytes), as limits are set (`maxUploadBytes: 50 * 1024 * 1024` reads
 * "50 MiB", not "52.4 MB"). Intl has no binary units, so the symbol comes from the messages.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return t(bytes === 1 ? 'unit.byte' : 'unit.bytes', { n: formatNumber(bytes) });
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < binaryUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const n = new Intl.NumberFormat(current, { maximumFractionDigits: 1 }).format(value);
  return t(binaryUnits[unit] ?? 'unit.gib', { n });
}

/** Two sizes for comparison; exact byte counts when rounding would make them look equal. */
export function formatBytesPair(a: number, b: number): [string, string] {
  const pair: [string, string] = [formatBytes(a), formatBytes(b)];
  if (pair[0] !== pair[1] || a === b) return pair;
  const exact = (n: number): string => t('unit.bytes', { n: formatNumber(n) });
  return [exact(a), exact(b)];
}

export function formatPercent(fraction: number): string {
  return new Intl.NumberFormat(current, { style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(current).format(value);
}

export function formatDuration(hours: number): string {
  if (hours >= 48 && hours % 24 === 0) return t('unit.days', { n: formatNumber(hours / 24) });
  return t('unit.hours', { n: formatNumber(hours) });
}

export function formatList(items: readonly string[]): string {
  return new Intl.ListFormat(current, { style: 'short', type: 'disjunction' }).format(items);
}

const formatNames: Record<string, MessageKey> = {
  '.csv': 'format.csv',
  '.tsv': 'format.tsv',
  '.txt': 'format.txt',
  '.jsonl': 'format.jsonl',
  '.ndjson': 'format.jsonl',
  '.json': 'format.json',
};

/**
 * What kinds of file `extensions` (from `/api/config`) are, for a sentence: `.csv .tsv .jsonl
 * .ndjson` → "CSV, TSV, or JSON Lines". An extension we have no name for (a custom job's) reads as
 * itself in capitals (".md" → "MD").
 */
export function formatFileKinds(extensions: readonly string[]): string {
  const names = extensions.map((extension) => {
    const key = formatNames[extension.toLowerCase()];
    return key ? t(key) : extension.replace(/^\./, '').toUpperCase();
  });
  return formatList([...new Set(names)]);
}
