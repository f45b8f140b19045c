/** Input rules shared by the API and the job; the messages are for people. */
export const MAX_EMAIL_LENGTH = 254;
// Deliberately simple: one @, no spaces, a dot in the domain. Stripe and SES validate further.
const EMAIL = /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+\.[^\s@<>()",;:\\]{2,}$/;

// Control characters (C0, DEL, C1) and the invisible bidirectional marks and overrides, which make
// a name or an address display as something other than what it is.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** No lone UTF-16 surrogates: they cannot be encoded as UTF-8 (URLs, headers, S3 metadata, email). */
export const isWellFormed = (value: string): boolean => !/\p{Surrogate}/u.test(value);

export const isEmail = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.length <= MAX_EMAIL_LENGTH &&
  isWellFormed(value) &&
  !new RegExp(INVISIBLE.source).test(value) &&
  EMAIL.test(value);

/** Lower-case extension including the dot, or '' when the name has none. */
export function extensionOf(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/**
 * File names are shown back to people and put in headers: keep them printable and short. '' when
 * nothing is left, or when the name holds a lone surrogate (not text: the caller refuses it).
 */
export function cleanFileName(fileName: string): string {
  if (!isWellFormed(fileName)) return '';
  // Strip control characters, bidi overrides ("invoice\u202Egnp.csv" displays as "invoicevsc.png")
  // and path separators; keep everything else (it is escaped on output).
  const cleaned = fileName.replace(INVISIBLE, '').replace(/[/\\]/g, '').trim();
  // Cut by code points, so the cut never splits a surrogate pair.
  return [...cleaned].slice(0, 200).join('');
}
