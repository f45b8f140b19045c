/**
 * "Lost your link?": the API answers 202 whatever the address (no account enumeration), so the
 * page says "if we have orders for it" and never "no orders found".
 */
import '../styles.css';
import { ApiError, requestLookup } from '../api';
import { byId, describeError, show, startPage } from '../chrome';
import { lang, onLangChange, t } from '../i18n';

startPage();

const form = byId<HTMLFormElement>('lookup-form');
const emailInput = byId<HTMLInputElement>('email');
const emailError = byId('email-error');
const sent = byId('lookup-sent');
const failure = byId('lookup-error');
const submit = byId<HTMLButtonElement>('submit');

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
let sentTo: string | undefined;

function renderSent(): void {
  if (sentTo === undefined) return;
  sent.textContent = t('lookup.sent', { email: sentTo });
}

function fieldError(message: string | undefined): void {
  emailError.textContent = message ?? '';
  show(emailError, message !== undefined);
  if (message === undefined) emailInput.removeAttribute('aria-invalid');
  else emailInput.setAttribute('aria-invalid', 'true');
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const email = emailInput.value.trim();
  show(failure, false);
  show(sent, false);
  if (!email || !emailPattern.test(email)) {
    fieldError(t(email ? 'validate.emailInvalid' : 'validate.emailMissing'));
    emailInput.focus();
    return;
  }
  fieldError(undefined);
  submit.disabled = true;
  requestLookup(email, lang()).then(
    () => {
      sentTo = email;
      renderSent();
      show(sent, true);
      sent.focus();
    },
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 400) {
        fieldError(error.message || t('validate.emailInvalid'));
        emailInput.focus();
      } else {
        failure.textContent = error instanceof ApiError && error.status === 429 ? t('lookup.tooMany') : describeError(error);
        show(failure, true);
      }
    },
  ).finally(() => {
    submit.disabled = false;
  });
});

onLangChange(renderSent);
