// The frame every signed-in page shares: the top bar (brand, Queue and Runs, the connection,
// who is signed in, help, sign out), the connection banner and the main area.
import { h } from '../lib/dom.js';

export class Shell {
  constructor({ me, connection, toasts, onSignOut, onHelp }) {
    this.countBadge = h('span', { class: 'nav-count', hidden: true,
                                  'aria-label': 'waiting for you' });
    this.queueLink = h('a', { class: 'nav-link', href: '/', dataset: { nav: 'queue' } },
                       'Queue', this.countBadge);
    this.runsLink = h('a', { class: 'nav-link', href: '/runs', dataset: { nav: 'runs' } }, 'Runs');
    const who = [me.admin ? 'admin' : null, me.service ? 'service account' : null,
                 ...(me.groups ?? [])].filter(Boolean).join(', ');
    this.main = h('main', { class: 'main', id: 'main', tabindex: '-1' });
    this.element = h('div', { class: 'app-shell' },
      h('a', { class: 'skip-link', href: '#main' }, 'Skip to content'),
      h('header', { class: 'topbar' },
        h('a', { class: 'brand', href: '/', 'aria-label': 'Assent: the queue' },
          h('span', { class: 'brand-mark', 'aria-hidden': 'true' }),
          h('span', { class: 'brand-text' }, 'Assent')),
        h('nav', { class: 'nav', 'aria-label': 'Main' }, this.queueLink, this.runsLink),
        h('div', { class: 'topbar-end' },
          connection.pill,
          h('span', { class: 'user', id: 'signed-in-user',
                      title: who ? `${me.id}: ${who}` : me.id },
            h('span', { class: 'avatar', 'aria-hidden': 'true' }, (me.id ?? '?')[0].toUpperCase()),
            h('span', { class: 'user-name' }, me.id)),
          h('button', { class: 'button button-ghost button-icon help-button', type: 'button',
                        onclick: onHelp,
                        'aria-label': 'Keyboard shortcuts', title: 'Keyboard shortcuts (?)' }, '?'),
          h('button', { class: 'button button-ghost', type: 'button', onclick: onSignOut,
                        id: 'sign-out' }, 'Sign out'))),
      connection.banner,
      this.main,
      toasts.element);
  }

  setSection(name) {
    for (const link of [this.queueLink, this.runsLink]) {
      if (link.dataset.nav === name) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  setCount(text) {
    this.countBadge.textContent = text;
    this.countBadge.hidden = !text || text === '0';
  }
}
