import { describe, expect, it } from 'vitest';
import { cleanFileName, isEmail, isWellFormed } from '../../../lambdas/core/validation';

describe('validation', () => {
  it.each([
    ['invoice\u202Egnp.csv', 'invoicegnp.csv'],
    ['a\u2066b\u2069.csv', 'ab.csv'],
    ['x\u200e\u200f\u061c.csv', 'x.csv'],
    ['tab\there.csv', 'tabhere.csv'],
    ['c1\u0085.csv', 'c1.csv'],
    ['../../etc/passwd.csv', '....etcpasswd.csv'],
    ['日本語😀.csv', '日本語😀.csv'],
  ])('cleans the file name %j', (input, expected) => {
    expect(cleanFileName(input)).toBe(expected);
  });

  it('returns nothing for a name with a lone surrogate, and never splits a pair when cutting', () => {
    expect(cleanFileName('\ud800.csv')).toBe('');
    expect(isWellFormed('\udc00')).toBe(false);
    const long = '😀'.repeat(300);
    expect(isWellFormed(cleanFileName(long))).toBe(true);
    expect([...cleanFileName(long)]).toHaveLength(200);
  });

  it.each(['a\u0000b@example.com', 'a\ud800@example.com', 'a\u202e@example.com', 'a\u0085@example.com'])('refuses the email %j', (email) => {
    expect(isEmail(email)).toBe(false);
  });

  it('accepts an ordinary address', () => {
    expect(isEmail('a.b+c@example.co.jp')).toBe(true);
  });
});
