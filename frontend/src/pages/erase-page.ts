/**
 * The confirmation page of "Delete my data" (`erase.html?t=<token>`, linked from the email that
 * lambdas/core/erase.ts requestErase sends). Opening it erases nothing (mail scanners follow
 * links); the button POSTs the token (lambdas/handlers/erase-order.ts).
 */
import '../styles.css';
import { ApiError, confirmErase } from '../api';
import { byId, describeError, show, startPage } from '../chrome';
import { t } from '../i18n';

startPage();

const form = byId<HTMLFormElement>('erase-form');
const button = byId<HTMLButtonElement>('erase');
const done = byId('erase-done');
const failure = byId('erase-error');
const token = new URLSearchParams(location.search).get('t') ?? '';

function fail(message: string): void {
  failure.textContent = message;
  show(failure, true);
}

if (!token) {
  button.disabled = true;
  fail(t('erase.unknown'));
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  show(failure, false);
  button.disabled = true;
  confirmErase(token).then(
    () => {
      show(form, false);
      show(done, true);
      done.focus();
    },
    (error: unknown) => {
      button.disabled = false;
      if (error instanceof ApiError && error.status === 404) fail(t('erase.unknown'));
      else if (error instanceof ApiError && error.status === 410) fail(t('erase.expired'));
      else if (error instanceof ApiError && error.status === 429) fail(t('erase.tooMany'));
      else if (error instanceof ApiError && error.status === 409) fail(t('erase.running'));
      else fail(describeError(error));
    },
  );
});
