// The REST API (README "API"), with the signed-in token as a bearer header. Every failure is an
// ApiError that says in words what went wrong.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;  // 0: the server could not be reached
    this.code = code;
  }
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const path = (...parts) => parts.map(encodeURIComponent).join('/');

export class Api {
  // token(): the current token; onUnauthorized(error): the token no longer works.
  constructor(token, onUnauthorized) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  async request(method, target, body, { signal } = {}) {
    const headers = { Authorization: `Bearer ${this.token()}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(target, {
        method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (error) {
      if (error.name === 'AbortError') throw error;
      throw new ApiError(0, 'offline', 'The server cannot be reached. Check the connection.');
    }
    let data = null;
    try {
      data = await response.json();
    } catch { /* no JSON body: described by the status below */ }
    if (response.ok) return data;
    const error = new ApiError(response.status, data?.error?.code ?? `http_${response.status}`,
                               data?.error?.message ?? `${response.status} ${response.statusText}`);
    if (response.status === 401) this.onUnauthorized?.(error);
    throw error;
  }

  get(target, options) {
    return this.request('GET', target, undefined, options);
  }

  me() {
    return this.get('/v1/me');
  }

  workflows() {
    return this.get('/v1/workflows');
  }

  // {approvals, next}; params: status, assignee, workflow, q, limit, after.
  approvals(params, options) {
    return this.get(`/v1/approvals${query(params)}`, options);
  }

  // {count}: the pending approvals this user may decide.
  pendingCount() {
    return this.get('/v1/approvals/count?assignee=me&status=pending');
  }

  approval(id) {
    return this.get(`/v1/approvals/${path(id)}`);
  }

  decide(id, decision, comment, edits = {}) {
    const body = { decision };
    if (comment) body.comment = comment;
    if (Object.keys(edits).length > 0) body.edits = edits;
    return this.request('POST', `/v1/approvals/${path(id)}/decision`, body);
  }

  comment(id, text) {
    return this.request('POST', `/v1/approvals/${path(id)}/comments`, { text });
  }

  // {runs, next}; params: workflow, status, limit, after.
  runs(params, options) {
    return this.get(`/v1/runs${query(params)}`, options);
  }

  // With wait ("30s"), answered once the run has finished or the wait is over.
  run(id, { wait, signal } = {}) {
    return this.get(`/v1/runs/${path(id)}${query({ wait })}`, { signal });
  }

  events(id) {
    return this.get(`/v1/runs/${path(id)}/events`);
  }
}
