/**
 * The unsubscribe page a broadcast links to (`unsubscribe.html?t=<token>`). Opening it changes
 * nothing (mail scanners follow links); the button POSTs the token (lambdas/handlers/unsubscribe.ts).
 */
import '../styles.css';
import { ApiError, unsubscribe } from '../api';
import { byId, describeError, show, startPage } from '../chrome';
import { t } from '../i18n';

startPage();

const form = byId<HTMLFormElement>('unsubscribe-form');
const button = byId<HTMLButtonElement>('unsubscribe');
const done = byId('unsubscribe-done');
const failure = byId('unsubscribe-error');
const token = new URLSearchParams(location.search).get('t') ?? '';

function fail(message: string): void {
  failure.textContent = message;
  show(failure, true);
}

if (!token) {
  button.disabled = true;
  fail(t('unsubscribe.unknown'));
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  show(failure, false);
  button.disabled = true;
  unsubscribe(token).then(
    () => {
      show(form, false);
      show(done, true);
      done.focus();
    },
    (error: unknown) => {
      button.disabled = false;
      fail(error instanceof ApiError && error.status === 404 ? t('unsubscribe.unknown') : describeError(error));
    },
  );
});
