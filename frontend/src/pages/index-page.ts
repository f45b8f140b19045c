/**
 * Upload page: validate on the client (size, extension, email) so the customer hears about a
 * wrong file before anything is sent, create the order, then POST the file straight to S3 with
 * a real progress bar, cancel and retry. Retry re-uses the same order and presigned POST.
 */
import '../styles.css';
import { ApiError, createOrder, type CreatedOrder, type SiteConfig } from '../api';
import { byId, describeError, show, siteConfig, startPage } from '../chrome';
import { clearText, formatBytes, formatBytesPair, formatFileKinds, formatPercent, formatPrice, lang, onLangChange, setText, t } from '../i18n';
import { postToS3, type UploadHandle } from '../upload';

startPage();

const form = byId<HTMLFormElement>('order-form');
const emailInput = byId<HTMLInputElement>('email');
const fileInput = byId<HTMLInputElement>('file');
const emailError = byId('email-error');
const fileError = byId('file-error');
const formError = byId('form-error');
const formNotice = byId('form-notice');
const submitButton = byId<HTMLButtonElement>('submit');
const formSection = byId('form-section');
const uploadSection = byId('upload-section');
const uploadHeading = byId('upload-heading');
const uploadOrder = byId('upload-order');
const progress = byId<HTMLProgressElement>('upload-progress');
const bytesText = byId('upload-bytes');
const statusText = byId('upload-status');
const uploadError = byId('upload-error');
const cancelButton = byId<HTMLButtonElement>('upload-cancel');
const retryButton = byId<HTMLButtonElement>('upload-retry');
const restartButton = byId<HTMLButtonElement>('upload-restart');

let config: SiteConfig | undefined;
/** The order whose file is not sent yet: a retry, or a submit after Cancel with the same file and email, re-uses it. */
let pending: { order: CreatedOrder; file: File; email: string } | undefined;
let current: UploadHandle | undefined;
let lastProgress = { sent: 0, total: 0 };
/** One order per submit, even if the customer presses Enter twice. */
let submitting = false;

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function renderConfig(): void {
  if (!config) return;
  byId('product-description').textContent = config.product.description;
  const price = formatPrice(config.price.amount, config.price.currency);
  byId('price-line').textContent = t('index.price', { price });
  byId('how-step3').textContent = t('index.step3', { price });
  // The kinds of file come from the config (a custom job accepts its own), never from a fixed word.
  byId('how-step1').textContent = t('index.step1Formats', { formats: formatFileKinds(config.acceptedExtensions) });
  byId('file-hint').textContent = t('form.fileHint', {
    extensions: config.acceptedExtensions.join(', '),
    size: formatBytes(config.maxUploadBytes),
  });
  fileInput.accept = config.acceptedExtensions.join(',');
  byId('consent').textContent = t('form.consent', { days: String(config.retentionDays ?? 30) });
}

function renderProgress(): void {
  const { sent, total } = lastProgress;
  progress.setAttribute('aria-label', t('upload.progressLabel'));
  if (total <= 0) {
    bytesText.textContent = '';
    return;
  }
  progress.max = total;
  progress.value = sent;
  bytesText.textContent = t('upload.progress', {
    sent: formatBytes(sent),
    total: formatBytes(total),
    percent: formatPercent(sent / total),
  });
}

function setFieldError(input: HTMLInputElement, slot: HTMLElement, message: string | undefined): void {
  slot.textContent = message ?? '';
  show(slot, message !== undefined);
  if (message === undefined) input.removeAttribute('aria-invalid');
  else input.setAttribute('aria-invalid', 'true');
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

/** The client-side checks; the API repeats them, this only saves the customer a round trip. */
function validate(cfg: SiteConfig): { email: string; file: File } | undefined {
  const email = emailInput.value.trim();
  const file = fileInput.files?.[0];
  let emailMessage: string | undefined;
  let fileMessage: string | undefined;
  if (!email) emailMessage = t('validate.emailMissing');
  else if (!emailPattern.test(email)) emailMessage = t('validate.emailInvalid');
  const extensions = cfg.acceptedExtensions.join(', ');
  if (!file) fileMessage = t('validate.fileMissing');
  else if (!cfg.acceptedExtensions.includes(extensionOf(file.name))) {
    fileMessage = t('validate.fileType', { name: file.name, extensions });
  } else if (file.size === 0) {
    fileMessage = t('validate.fileEmpty', { name: file.name });
  } else if (file.size > cfg.maxUploadBytes) {
    const [size, limit] = formatBytesPair(file.size, cfg.maxUploadBytes);
    fileMessage = t('validate.fileTooLarge', { name: file.name, size, limit });
  }
  setFieldError(emailInput, emailError, emailMessage);
  setFieldError(fileInput, fileError, fileMessage);
  if (emailMessage) emailInput.focus();
  else if (fileMessage) fileInput.focus();
  if (emailMessage || fileMessage || !file) return undefined;
  return { email, file };
}

function showForm(message?: string): void {
  show(uploadSection, false);
  show(formSection, true);
  submitButton.disabled = false;
  clearText(formNotice);
  show(formNotice, false);
  formError.textContent = message ?? '';
  show(formError, message !== undefined);
  if (message !== undefined) formError.focus();
}

/** Cancel: back to the chooser with the email and file as they were, saying nothing was sent. */
function showCancelled(): void {
  showForm();
  setText(formNotice, 'upload.cancelled');
  show(formNotice, true);
  submitButton.focus();
}

function showUploadActions(state: 'uploading' | 'retryable' | 'restart-only'): void {
  show(cancelButton, state === 'uploading');
  show(retryButton, state === 'retryable');
  show(restartButton, state !== 'uploading');
}

function uploadFailed(message: string, retryable: boolean): void {
  current = undefined;
  uploadError.textContent = message;
  show(uploadError, true);
  showUploadActions(retryable ? 'retryable' : 'restart-only');
  (retryable ? retryButton : restartButton).focus();
}

function uploadWindowOpen(order: CreatedOrder): boolean {
  const expiresAt = Date.parse(order.uploadExpiresAt);
  // Leave a minute of slack: the POST must reach S3 before the policy expires.
  return Number.isNaN(expiresAt) || expiresAt - 60_000 > Date.now();
}

async function sendFile(): Promise<void> {
  if (!pending) return;
  const { order, file } = pending;
  if (!uploadWindowOpen(order)) {
    uploadFailed(t('upload.expired'), false);
    return;
  }
  show(uploadError, false);
  showUploadActions('uploading');
  lastProgress = { sent: 0, total: file.size };
  renderProgress();
  setText(statusText, 'upload.starting');
  current = postToS3(order.upload, file, (sent, total) => {
    // Once bytes move, the bar and its text say it all; "Preparing…" would be stale.
    if (sent > 0 && statusText.dataset.i18n === 'upload.starting') clearText(statusText);
    lastProgress = { sent, total };
    renderProgress();
  });
  const outcome = await current.result;
  current = undefined;
  switch (outcome.kind) {
    case 'done':
      setText(statusText, 'upload.done');
      location.assign(`./order.html?id=${encodeURIComponent(order.orderId)}`);
      return;
    case 'aborted':
      clearText(statusText);
      showCancelled();
      return;
    case 'network':
      clearText(statusText);
      uploadFailed(t('upload.failed'), true);
      return;
    case 'rejected':
      clearText(statusText);
      if (outcome.expired) uploadFailed(t('upload.expired'), false);
      else uploadFailed(t('upload.rejected', { status: outcome.status }), true);
      return;
  }
}

function showUploadCard(order: CreatedOrder, file: File): void {
  show(formSection, false);
  show(uploadSection, true);
  uploadHeading.textContent = t('upload.heading', { name: file.name });
  uploadOrder.textContent = t('upload.order', { orderId: order.orderId });
  uploadHeading.focus();
}

async function start(email: string, file: File): Promise<void> {
  submitButton.disabled = true;
  show(formError, false);
  if (pending && pending.file === file && pending.email === email && uploadWindowOpen(pending.order)) {
    // The same file again after Cancel: the order made for it is still waiting for its upload.
    showUploadCard(pending.order, file);
    await sendFile();
    return;
  }
  let order: CreatedOrder;
  try {
    order = await createOrder({
      email,
      fileName: file.name,
      size: file.size,
      ...(file.type ? { contentType: file.type } : {}),
      lang: lang(),
    });
  } catch (error) {
    showForm(describeError(error));
    return;
  }
  pending = { order, file, email };
  // The order view carries no email; the order page prefills Stripe's form from this tab's copy.
  try {
    sessionStorage.setItem(`uplock-email:${order.orderId}`, email);
  } catch {
    // Storage may be off; the customer then types the address on Stripe's page.
  }
  showUploadCard(order, file);
  await sendFile();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (submitting) return;
  submitting = true;
  // A quick customer can submit before /api/config has answered: wait for it rather than fail.
  siteConfig()
    .then(
      async (loaded) => {
        const valid = validate(loaded);
        if (valid) await start(valid.email, valid.file);
      },
      () => showForm(t('error.config')),
    )
    .finally(() => {
      submitting = false;
    });
});

fileInput.addEventListener('change', () => setFieldError(fileInput, fileError, undefined));

// Drag and drop onto the file field: the dropped file becomes the input's file, so the same
// checks, labels and keyboard path apply as for the picker.
const dropZone = byId('file-field');
const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
dropZone.addEventListener('dragover', (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  dropZone.classList.add('dragging');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
dropZone.addEventListener('drop', (event) => {
  dropZone.classList.remove('dragging');
  const files = event.dataTransfer?.files;
  if (!files?.length) return;
  event.preventDefault();
  const one = new DataTransfer();
  one.items.add(files[0] as File);
  fileInput.files = one.files;
  fileInput.dispatchEvent(new Event('change', { bubbles: true }));
  fileInput.focus();
});
cancelButton.addEventListener('click', () => current?.abort());
retryButton.addEventListener('click', () => void sendFile());
restartButton.addEventListener('click', () => {
  current?.abort();
  pending = undefined;
  form.reset();
  showForm();
  emailInput.focus();
});

onLangChange(() => {
  renderConfig();
  renderProgress();
  if (pending) {
    uploadHeading.textContent = t('upload.heading', { name: pending.file.name });
    uploadOrder.textContent = t('upload.order', { orderId: pending.order.orderId });
  }
});

siteConfig().then(
  (loaded) => {
    config = loaded;
    renderConfig();
  },
  (error: unknown) => {
    // No product name to show: the page's own title stands in for it (and the loading shape goes).
    setText(byId('product-name'), 'index.title');
    const slot = byId('config-error');
    slot.textContent = error instanceof ApiError && error.code !== 'bad_response' ? describeError(error) : t('error.config');
    show(slot, true);
  },
);
