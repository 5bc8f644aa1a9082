// Acknowledgements and errors that come and go (a live region, so screen readers hear them).
import { h, icon } from '../lib/dom.js';

const SHOW_MS = 5000;

export class Toasts {
  constructor() {
    this.element = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
  }

  // kind: 'ok' | 'error' | 'info'
  show(text, kind = 'info') {
    const toast = h('div', { class: `toast toast-${kind}` },
      icon(kind === 'ok' ? 'check' : kind === 'error' ? 'alert' : 'info'),
      h('span', {}, text),
      h('button', { class: 'toast-close', type: 'button', 'aria-label': 'Dismiss',
                    onclick: () => toast.remove() }, '×'));
    this.element.append(toast);
    setTimeout(() => toast.remove(), kind === 'error' ? SHOW_MS * 2 : SHOW_MS);
    return toast;
  }
}
