/**
 * What every page shares: the language switch, static translations, the product name from
 * `/api/config`, and the announcer for errors. Pages call `startPage()` first.
 */
import { ApiError, getConfig, type SiteConfig } from './api';
import { applyStatic, isMessageKey, lang, onLangChange, setLang, t } from './i18n';

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page is missing #${id}`);
  return element as T;
}

function wireLanguageSwitch(): void {
  const button = document.getElementById('lang-switch');
  if (!(button instanceof HTMLButtonElement)) return;
  const render = (): void => {
    const other = t('lang.otherCode') === 'ja' ? 'ja' : 'en';
    button.textContent = t('lang.other');
    // The button's text is in the other language: say so for screen readers.
    button.lang = other;
  };
  button.addEventListener('click', () => {
    setLang(lang() === 'en' ? 'ja' : 'en');
  });
  render();
  onLangChange(render);
}

let configPromise: Promise<SiteConfig> | undefined;

export function siteConfig(): Promise<SiteConfig> {
  configPromise ??= getConfig();
  return configPromise;
}

function showProductName(config: SiteConfig): void {
  for (const element of document.querySelectorAll<HTMLElement>('[data-product-name]')) {
    element.textContent = config.product.name;
  }
  const pageTitle = document.querySelector<HTMLElement>('title[data-i18n]');
  const renderTitle = (): void => {
    const key = pageTitle?.dataset.i18n;
    if (key && isMessageKey(key)) document.title = `${t(key)} · ${config.product.name}`;
  };
  renderTitle();
  onLangChange(renderTitle);
}

export function startPage(): void {
  applyStatic();
  wireLanguageSwitch();
  siteConfig().then(showProductName, () => {
    // Pages that need the config report the failure themselves.
  });
}

/** A person-readable sentence for any failure of an API call. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'network') return t('error.network');
    if (error.message) return error.message;
  }
  return t('error.generic');
}

/** Show or hide with the `hidden` attribute (no inline styles: the CSP forbids them). */
export function show(element: HTMLElement, visible: boolean): void {
  element.hidden = !visible;
}
