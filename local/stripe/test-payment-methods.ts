/**
 * The numbers the hosted page accepts, modelled on Stripe's test cards and test IBANs
 * (https://stripe.com/docs/testing). Anything else is refused, as test mode refuses real cards.
 */
export type TestPaymentMethod =
  | { kind: 'card'; behaviour: 'succeeds' | 'dispute'; last4: string }
  | { kind: 'sepa_debit'; behaviour: 'async_succeeds' | 'async_fails'; last4: string };

export type PaymentRefusal = { status: number; message: string };

export const TEST_CARDS = {
  succeeds: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  dispute: '4000000000000259',
} as const;

/** Stripe's SEPA Direct Debit test IBANs: they settle (or fail) after a delay. */
export const TEST_IBANS = {
  asyncSucceeds: 'DE89370400440532013000',
  asyncFails: 'DE62370400440532013001',
} as const;

export function identifyTestPaymentMethod(raw: string): TestPaymentMethod | PaymentRefusal {
  const compact = raw.replace(/[\s-]/g, '').toUpperCase();
  if (compact === '') return { status: 400, message: 'Your card number is incomplete.' };
  switch (compact) {
    case TEST_CARDS.succeeds:
      return { kind: 'card', behaviour: 'succeeds', last4: '4242' };
    case TEST_CARDS.dispute:
      return { kind: 'card', behaviour: 'dispute', last4: '0259' };
    case TEST_CARDS.declined:
      return { status: 402, message: 'Your card was declined.' };
    case TEST_CARDS.insufficientFunds:
      return { status: 402, message: 'Your card has insufficient funds.' };
    case TEST_IBANS.asyncSucceeds:
      return { kind: 'sepa_debit', behaviour: 'async_succeeds', last4: '3000' };
    case TEST_IBANS.asyncFails:
      return { kind: 'sepa_debit', behaviour: 'async_fails', last4: '3001' };
  }
  if (/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(compact)) return { status: 400, message: 'Your IBAN is not a test IBAN. Use one of the documented test IBANs.' };
  if (!/^\d{12,19}$/.test(compact) || !luhnValid(compact)) return { status: 400, message: 'Your card number is invalid.' };
  return {
    status: 402,
    message: 'Your card was declined. Your request was in test mode, but used a non test card. Use one of the documented test cards.',
  };
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function isRefusal(m: TestPaymentMethod | PaymentRefusal): m is PaymentRefusal {
  return 'status' in m;
}
