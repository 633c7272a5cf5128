// The API client: the token lives in sessionStorage (this tab only, never a cookie), and
// problem+json answers become errors with a readable message.

const KEY = 'netsot.token';

export const token = () => sessionStorage.getItem(KEY);
export const setToken = (t) => (t ? sessionStorage.setItem(KEY, t) : sessionStorage.removeItem(KEY));

export class ApiError extends Error {
  constructor(status, problem, headers) {
    const p = problem && typeof problem === 'object' ? problem : {};
    super(p.detail || p.title || `HTTP ${status}`);
    this.status = status;
    this.fields = p.errors || {};
    this.retryAfter = headers ? headers.get('Retry-After') : null;
  }
}

// What to show a person for an error: the problem's detail and each field's message.
export function describe(err) {
  if (!(err instanceof ApiError)) return String(err && err.message ? err.message : err);
  const fields = Object.entries(err.fields).map(([k, v]) => `${k}: ${v}`);
  return fields.length ? `${err.message} (${fields.join('; ')})` : err.message;
}

export async function api(method, path, body, headers = {}) {
  const opts = { method, headers: { ...headers } };
  if (token()) opts.headers.Authorization = `Bearer ${token()}`;
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(`/api/v1${path}`, opts);
  if (res.status === 401 && path !== '/auth/login') {
    setToken(null);
    if (location.hash !== '#/login') location.hash = '#/login';
  }
  const etag = res.headers.get('ETag');
  if (res.status === 204 || res.status === 304) return { status: res.status, etag };
  const ctype = res.headers.get('Content-Type') || '';
  const data = ctype.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(res.status, data, res.headers);
  return { status: res.status, data, etag };
}

export const get = async (path) => (await api('GET', path)).data;

// Every page of a list.
export async function all(path) {
  const out = [];
  let next = path + (path.includes('?') ? '&' : '?') + 'limit=1000';
  while (next) {
    const page = await get(next);
    out.push(...page.results);
    next = page.next ? page.next.replace(/^\/api\/v1/, '') : null;
  }
  return out;
}

// The id of the host named name, made when there is none yet (empty name: no host).
export async function hostId(name) {
  name = (name || '').trim();
  if (!name) return null;
  const found = await get(`/hosts?name=${encodeURIComponent(name)}`);
  if (found.results.length) return found.results[0].id;
  return (await api('POST', '/hosts', { name })).data.id;
}
