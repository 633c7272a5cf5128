// The shell: login, navigation, the search box in the header, messages, and the table of views
// by address (#/...).
import { api, describe, get, setToken, token } from './api.js';
import { field, h } from './dom.js';
import { addressesView, overview, search } from './overview.js';
import { prefixView } from './prefix.js';
import { changesView, dnsView, hostView, hostsView, portsView, rulesView } from './lists.js';
import { renderView, validateView } from './tools.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const flashEl = document.getElementById('flash');
const searchForm = document.getElementById('top-search');
const searchBox = document.getElementById('q');

export const ui = {
  me: null,
  canWrite: () => ui.me && ui.me.role !== 'viewer',
  flash(message, kind = 'ok') {
    flashEl.replaceChildren(h('p', { class: `msg ${kind}` }, message));
  },
  show(...nodes) {
    main.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined));
  },
};

// The parts of the header only a signed-in person sees: navigation, search, who and sign out.
function chrome(signedIn) {
  nav.hidden = !signedIn;
  searchForm.hidden = !signedIn;
  if (!signedIn) who.replaceChildren();
}

searchForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = searchBox.value.trim();
  if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
});

async function login() {
  chrome(false);
  ui.me = null;
  const user = h('input', { name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password',
    required: true });
  const msg = h('p', { class: 'msg err', role: 'alert', id: 'login-error' });
  msg.hidden = true;
  const form = h('form', { class: 'card login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Sign in to netsot'),
    field('User name', user), field('Password', pass), msg,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.hidden = true;
    try {
      const r = await api('POST', '/auth/login', { username: user.value, password: pass.value });
      setToken(r.data.access_token);
      location.hash = '#/';
    } catch (e) {
      msg.textContent = e.status === 401 ? 'Wrong user name or password.'
        : e.status === 429 ? `Too many failed attempts. Try again in ${e.retryAfter || 'a few'} seconds.`
          : describe(e);
      msg.hidden = false;
      pass.select();
    }
  });
  ui.show(form);
  user.focus();
}

function logout() {
  setToken(null);
  ui.me = null;
  location.hash = '#/login';
}

const routes = [
  [/^#\/login$/, login],
  [/^#?\/?$/, overview],
  [/^#\/search\/(.*)$/, (q) => search(decodeURIComponent(q))],
  [/^#\/addresses$/, addressesView],
  [/^#\/prefix\/(\d+)(?:\/block\/(\d+))?$/, prefixView],
  [/^#\/hosts$/, hostsView],
  [/^#\/host\/(\d+)$/, hostView],
  [/^#\/ports$/, portsView],
  [/^#\/rules$/, rulesView],
  [/^#\/dns(?:\/(\d+))?$/, dnsView],
  [/^#\/validate$/, validateView],
  [/^#\/changes(?:\/(\d+))?$/, changesView],
  [/^#\/render(?:\/([a-z0-9-]+))?$/, renderView],
];

// The navigation link of the current view is marked for sight and for screen readers.
function markCurrent(hash) {
  const section = hash.match(/^#\/([a-z]+)/);
  const key = section ? section[1] : '';
  const alias = { prefix: '', search: null, host: 'hosts', login: null };
  const want = key in alias ? alias[key] : key;
  for (const a of nav.querySelectorAll('a')) {
    const target = a.getAttribute('href').replace(/^#\/?/, '');
    if (want !== null && target === want) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// Views load data before they draw, so an earlier one can finish after a later one: the
// numbers of the routes begun and of the newest one drawn tell when to draw again.
let begun = 0;
let drawn = 0;

async function route() {
  const hash = location.hash || '#/';
  const mine = ++begun;
  if (hash !== '#/login' && !token()) {
    location.hash = '#/login';
    return;
  }
  main.setAttribute('aria-busy', 'true');
  if (hash !== '#/login' && !ui.me) {
    try {
      ui.me = await get('/auth/me');
    } catch (e) {
      return;
    }
    chrome(true);
    who.replaceChildren(h('span', {}, `${ui.me.username} (${ui.me.role})`), ' ',
      h('button', { type: 'button', class: 'link', onclick: logout }, 'Sign out'));
  }
  markCurrent(hash);
  for (const [re, view] of routes) {
    const m = hash.match(re);
    if (!m) continue;
    try {
      await view(...m.slice(1));
    } catch (e) {
      ui.show(h('p', { class: 'msg err', role: 'alert' }, describe(e)));
    }
    if (drawn > mine) {
      // A later page was drawn first and this one over it: draw the page asked for last.
      route();
      return;
    }
    drawn = mine;
    if (mine === begun) main.setAttribute('aria-busy', 'false');
    return;
  }
  ui.show(h('p', {}, 'No such page. ', h('a', { href: '#/' }, 'Back to the overview')));
  main.setAttribute('aria-busy', 'false');
}

window.addEventListener('hashchange', () => {
  flashEl.replaceChildren();
  route();
});
route();
