/** Input rules shared by the API and the job; the messages are for people. */
export const MAX_EMAIL_LENGTH = 254;
// Deliberately simple: one @, no spaces, a dot in the domain. Stripe and SES validate further.
const EMAIL = /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+\.[^\s@<>()",;:\\]{2,}$/;

export const isEmail = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value);

/** Lower-case extension including the dot, or '' when the name has none. */
export function extensionOf(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** File names are shown back to people and put in headers: keep them printable and short. */
export function cleanFileName(fileName: string): string {
  // Strip control characters and path separators; keep everything else (it is escaped on output).
  const cleaned = fileName.replace(/[\u0000-\u001f\u007f/\\]/g, '').trim();
  return cleaned.slice(0, 200);
}
