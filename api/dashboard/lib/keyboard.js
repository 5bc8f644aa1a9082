// Single-key shortcuts (Linear's way): j/k move through the queue, a/r/c act on the open
// approval, / searches, ? lists them all. Keys typed into a field are the field's, except Esc.
import { h } from './dom.js';

export const SHORTCUTS = [
  ['j', 'Next approval'],
  ['k', 'Previous approval'],
  ['Enter', 'Open the selected approval'],
  ['a', 'Approve (then Enter to confirm)'],
  ['r', 'Reject with feedback'],
  ['c', 'Comment'],
  ['/', 'Search the queue'],
  ['g q', 'Go to the queue'],
  ['g r', 'Go to runs'],
  ['Esc', 'Close a panel or this help'],
  ['?', 'Show these shortcuts'],
];

function typingIn(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export class Keyboard {
  // handlers: {key: (event) => void | false}; 'g q' style keys are two presses in a row.
  constructor(handlers) {
    this.handlers = handlers;
    this.pending = '';
    this.dialog = null;
    this.onKey = (event) => this.handle(event);
    document.addEventListener('keydown', this.onKey);
  }

  stop() {
    document.removeEventListener('keydown', this.onKey);
    this.dialog?.remove();
  }

  handle(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.key === 'Escape') {
      this.pending = '';
      this.handlers.Escape?.(event);
      return;
    }
    if (typingIn(event.target)) return;
    if (document.querySelector('dialog[open]') && event.key !== '?') return;
    const key = this.pending ? `${this.pending} ${event.key}` : event.key;
    this.pending = '';
    if (key === 'g') {
      this.pending = 'g';
      return;
    }
    if (key === '?') {
      event.preventDefault();
      this.toggleHelp();
      return;
    }
    // A handler returns false to leave the key to the page (Enter on a focused button).
    const handler = this.handlers[key];
    if (handler && handler(event) !== false) event.preventDefault();
  }

  toggleHelp() {
    if (this.dialog?.open) {
      this.dialog.close();
      return;
    }
    if (!this.dialog) {
      this.dialog = h('dialog', { class: 'help', 'aria-labelledby': 'help-title' },
        h('div', { class: 'help-head' },
          h('h2', { id: 'help-title' }, 'Keyboard shortcuts'),
          h('button', { class: 'button button-ghost button-icon', type: 'button',
                        'aria-label': 'Close', onclick: () => this.dialog.close() }, '×')),
        h('dl', { class: 'shortcuts' }, SHORTCUTS.map(([keys, what]) =>
          h('div', {},
            h('dt', {}, keys.split(' ').map((k) => h('kbd', {}, k))),
            h('dd', {}, what)))));
      document.body.append(this.dialog);
    }
    this.dialog.showModal();
  }
}
