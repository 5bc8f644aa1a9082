// Page routes on the History API: every approval and run has its own URL, and back/forward
// work. Routes:
//   /                         the queue (?view=mine|all|decided&workflow=&q=)
//   /approvals/<id>           one approval, beside the queue (same query)
//   /runs                     the runs list (?workflow=&status=)
//   /runs/<id>                one run and its history

export function parseRoute(url) {
  const { pathname, searchParams } = url;
  const params = Object.fromEntries(searchParams.entries());
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'queue', params };
  if (parts[0] === 'approvals' && parts.length === 2) {
    return { name: 'approval', id: parts[1], params };
  }
  if (parts[0] === 'runs' && parts.length === 1) return { name: 'runs', params };
  if (parts[0] === 'runs' && parts.length === 2) return { name: 'run', id: parts[1], params };
  return { name: 'not-found', params };
}

// "/approvals/<id>?view=all": encodes the id and drops empty parameters.
export function href(pathname, params = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? `${pathname}?${text}` : pathname;
}

export const approvalPath = (id) => `/approvals/${encodeURIComponent(id)}`;
export const runPath = (id) => `/runs/${encodeURIComponent(id)}`;

export class Router {
  // onRoute(route): called on start, on every navigation and on back/forward.
  constructor(onRoute) {
    this.onRoute = onRoute;
  }

  start() {
    window.addEventListener('popstate', () => this.render());
    // Same-origin links navigate in the page (a modified click opens a tab as usual).
    document.addEventListener('click', (event) => {
      const link = event.target.closest?.('a[href]');
      if (!link || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      if (link.target || link.hasAttribute('download')) return;
      const url = new URL(link.href);
      if (url.origin !== location.origin || url.pathname.startsWith('/v1')) return;
      event.preventDefault();
      this.navigate(url.pathname + url.search);
    });
    this.render();
  }

  get route() {
    return parseRoute(new URL(location.href));
  }

  navigate(target, { replace = false } = {}) {
    if (target === location.pathname + location.search) return;
    if (replace) history.replaceState(null, '', target);
    else history.pushState(null, '', target);
    this.render();
  }

  render() {
    this.onRoute(this.route);
  }
}
