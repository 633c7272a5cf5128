// A prefix: its map of the address space (phpIPAM's subnet map), its addresses and ranges,
// and the forms that allocate (the next free address or a chosen one), edit and release.
import { all, api, describe, get, hostId } from './api.js';
import { bar, field, h, num, plural, sortTable } from './dom.js';
import { addressColumns } from './overview.js';
import { ui } from './app.js';

const STATUSES = ['active', 'reserved', 'dhcp', 'deprecated'];
let highlight = null;   // the address just allocated or reserved, outlined once
let result = null;      // what the last allocation gave, shown above the map after the reload

const v4 = (s) => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const v4s = (n) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

function parse(prefix) {
  const [addr, len] = prefix.split('/');
  return addr.includes(':') ? { v6: true, len: Number(len) }
    : { v6: false, base: v4(addr), len: Number(len), size: 2 ** (32 - Number(len)) };
}

// The names of the hosts these addresses belong to (not every host of a large plan).
async function hostNames(addrs) {
  const ids = [...new Set(addrs.map((a) => a.host_id).filter(Boolean))];
  const hosts = await Promise.all(ids.map((id) => get(`/hosts/${id}`).catch(() => null)));
  return new Map(hosts.filter(Boolean).map((x) => [x.id, x.name]));
}

// Names for the hostname field's suggestions: the first thousand hosts.
async function hostSuggestions(datalist) {
  const page = await get('/hosts?ordering=name&limit=1000');
  datalist.replaceChildren(...page.results.map((x) => h('option', { value: x.name })));
}

// The form of an address: host name, DNS name, description, status. submit may be a function
// of the chosen status (a chosen free address is allocated, reserved or marked DHCP).
function addressForm({ title, intro, values = {}, submit, onSubmit, extra = [] }) {
  const suggestions = h('datalist', { id: 'host-names' });
  hostSuggestions(suggestions).catch(() => {});
  const host = h('input', { name: 'host', list: 'host-names', value: values.host || '',
    autocomplete: 'off' });
  const dns = h('input', { name: 'dns_name', value: values.dns_name || '',
    placeholder: 'name.local', autocomplete: 'off' });
  const desc = h('input', { name: 'description', value: values.description || '', autocomplete: 'off' });
  const status = h('select', { name: 'status' },
    STATUSES.map((s) => h('option', { value: s, selected: s === (values.status || 'active') }, s)));
  const error = h('p', { class: 'msg err', role: 'alert' });
  error.hidden = true;
  const button = h('button', { type: 'submit' });
  const label = () => { button.textContent = typeof submit === 'function' ? submit(status.value) : submit; };
  status.addEventListener('change', label);
  label();
  const form = h('form', { class: 'card form', id: 'address-form', 'aria-labelledby': 'form-title' },
    h('h2', { id: 'form-title' }, title), intro || null,
    suggestions,
    h('div', { class: 'fields' },
      field('Hostname', host, 'An existing host, or a new name to create one.'),
      field('DNS name', dns, 'Optional: gives an A and a PTR record.'),
      field('Description', desc), field('Status', status)),
    error,
    h('div', { class: 'buttons' }, button, ...extra,
      h('button', { type: 'button', class: 'secondary', onclick: () => form.remove() }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    button.disabled = true;
    try {
      await onSubmit({ host_id: await hostId(host.value), dns_name: dns.value.trim(),
        description: desc.value, status: status.value }, host.value.trim());
    } catch (e) {
      error.textContent = describe(e);
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function openForm(form) {
  const slot = document.getElementById('form-slot');
  slot.replaceChildren(form);
  form.querySelector('input').focus();
}

async function reload(p, block, msg) {
  await prefixView(String(p.id), block);
  if (msg) ui.flash(msg);
}

// What an allocation gave: the address, its host and name, said where the form was.
function given(verb, a, hostName) {
  result = { verb, address: a.address, host: hostName, dns: a.dns_name, status: a.status };
  highlight = a.address;
}

function resultCard() {
  if (!result) return null;
  const r = result;
  result = null;
  return h('div', { class: 'card result', id: 'allocation-result', role: 'status', tabindex: '-1' },
    h('p', { class: 'big' }, `${r.verb} `, h('strong', { class: 'mono' }, r.address)),
    h('p', {}, [r.host ? `Host ${r.host}` : 'No host', r.dns ? `DNS name ${r.dns}` : 'no DNS name',
      `status ${r.status}`].join(' · ')),
    h('p', { class: 'hint' }, 'Outlined in the map below.'));
}

async function allocateForm(p, block, range) {
  const path = range ? `/ip-ranges/${range.id}/available-ips` : `/prefixes/${p.id}/available-ips`;
  const next = h('p', { class: 'next', 'aria-live': 'polite' }, 'Looking for the next free address…');
  get(`${path}?limit=1`).then((r) => {
    const list = Array.isArray(r) ? r : r.results || [];
    const first = list[0] && (list[0].address || list[0]);
    next.replaceChildren(...(first ? ['Next free address: ', h('strong', { class: 'mono' }, String(first)),
      ' (given when you press Allocate, unless someone takes it first)'] : ['No address is free.']));
  }).catch(() => next.replaceChildren('The address given will be shown once allocated.'));
  openForm(addressForm({
    title: range ? `Allocate the next free address in ${range.start_address}–${range.end_address}`
      : `Allocate the next free address in ${p.prefix}`,
    intro: next, submit: 'Allocate',
    async onSubmit(body, hostName) {
      const a = (await api('POST', path, body)).data;
      given('Allocated', a, hostName);
      await reload(p, block, `Allocated ${a.address}.`);
    },
  }));
}

function pickForm(p, block, address, inRange) {
  const verbs = { active: 'Allocate', reserved: 'Reserve', dhcp: 'Mark as DHCP', deprecated: 'Save' };
  const past = { active: 'Allocated', reserved: 'Reserved', dhcp: 'Marked as DHCP', deprecated: 'Saved' };
  openForm(addressForm({
    title: `Allocate ${address}`,
    intro: h('p', { class: 'next' }, 'The address you picked: ', h('strong', { class: 'mono' }, address),
      inRange ? ` (in the range ${inRange})` : ''),
    submit: (s) => `${verbs[s]} ${address}`,
    async onSubmit(body, hostName) {
      const a = (await api('POST', '/ip-addresses', { address, ...body })).data;
      given(past[a.status] || 'Saved', a, hostName);
      await reload(p, block, `${past[a.status] || 'Saved'} ${address}.`);
    },
  }));
}

// Edit and release go with If-Match: a change made meanwhile by someone else is reported.
async function editForm(p, block, hosts, id, notice) {
  const r = await api('GET', `/ip-addresses/${id}`);
  const a = r.data;
  const hostName = a.host_id ? (hosts.get(a.host_id) || (await get(`/hosts/${a.host_id}`)).name) : '';
  const stale = (e) => e.status === 412;
  const release = h('button', { type: 'button', class: 'danger' }, 'Release');
  const form = addressForm({
    title: `Edit ${a.address}`, submit: 'Save', extra: [release],
    values: { ...a, host: hostName },
    async onSubmit(body) {
      try {
        await api('PATCH', `/ip-addresses/${id}`, body, { 'If-Match': r.etag });
      } catch (e) {
        if (!stale(e)) throw e;
        return editForm(p, block, hosts, id, 'Someone changed this address since you opened it. '
          + 'The form now shows the current values: check them and save again.');
      }
      highlight = a.address;
      await reload(p, block, `Saved ${a.address}.`);
    },
  });
  release.addEventListener('click', async () => {
    if (!window.confirm(`Release ${a.address}?`)) return;
    try {
      await api('DELETE', `/ip-addresses/${id}`, undefined, { 'If-Match': r.etag });
    } catch (e) {
      if (!stale(e)) return ui.flash(describe(e), 'err');
      return editForm(p, block, hosts, id, 'Someone changed this address since you opened it: '
        + 'it was not released. Check it and try again.');
    }
    await reload(p, block, `Released ${a.address}.`);
  });
  if (notice) form.querySelector('h2').after(h('p', { class: 'msg warn', role: 'alert' }, notice));
  openForm(form);
}

// A cell's state. Used addresses: used (the gateway is marked as such), reserved, dhcp. Free
// addresses: in a DHCP pool, in a reserved range (any other range), or free.
function stateOf(n, net, p, byAddr, range) {
  const a = byAddr.get(n);
  if (a) {
    if (p.gateway === v4s(n)) return { a, state: 'gateway' };
    return { a, state: a.status === 'reserved' ? 'reserved' : a.status === 'dhcp' ? 'dhcp' : 'used' };
  }
  if (net.len < 31 && n === net.base) return { state: 'network' };
  if (net.len < 31 && n === net.base + net.size - 1) return { state: 'broadcast' };
  if (range) return { state: range.dhcp || range.status === 'dhcp' ? 'pool' : 'range' };
  return { state: p.dhcp ? 'pool' : 'free' };
}

const STATE_TEXT = {
  used: 'used', gateway: 'used (gateway)', reserved: 'reserved address', dhcp: 'DHCP address',
  pool: 'free, in a DHCP pool', range: 'free, in a reserved range', free: 'free',
  network: 'network address', broadcast: 'broadcast address',
};
const LEGEND = [['used', 'used'], ['gateway', 'gateway'], ['reserved', 'reserved address'],
  ['range', 'reserved range'], ['pool', 'DHCP pool'], ['free', 'free'], ['network', 'network / broadcast']];

// One cell per address of a block of at most 1,024 addresses, 16 to a row, each row headed by
// its first address. Pointing at or focusing a cell shows the full address beside it.
function cellMap(p, net, block, addrs, ranges, hosts) {
  const base = block === undefined ? net.base : net.base + Number(block) * 256;
  const size = block === undefined ? net.size : 256;
  const byAddr = new Map(addrs.map((a) => [v4(a.address), a]));
  const rs = ranges.map((r) => ({ ...r, lo: v4(r.start_address), hi: v4(r.end_address) }));
  const info = h('p', { id: 'cell-info', class: 'cellinfo', 'aria-live': 'polite' },
    'Point at or focus a cell to see its address; press Enter on a free one to allocate it.');
  const tip = h('div', { class: 'tip', id: 'map-tip', role: 'tooltip' });
  tip.hidden = true;
  const grid = h('div', { class: 'map', role: 'group', 'aria-label': `Addresses of ${block === undefined ? p.prefix : `${v4s(base)}/24`}` });
  const counts = {};
  const show = (cell, text) => {
    info.textContent = text;
    tip.textContent = text;
    tip.hidden = false;
    const box = cell.getBoundingClientRect();
    const wrap = grid.getBoundingClientRect();
    const left = Math.max(0, Math.min(box.left - wrap.left, wrap.width - 260));
    tip.style.left = `${left}px`;
    tip.style.top = `${box.bottom - wrap.top + 4}px`;
  };
  const hide = () => { tip.hidden = true; };
  for (let n = base; n < base + size; n++) {
    const range = rs.find((r) => n >= r.lo && n <= r.hi);
    const { a, state } = stateOf(n, net, p, byAddr, range);
    counts[state] = (counts[state] || 0) + 1;
    if ((n - base) % 16 === 0) {
      grid.append(h('span', { class: 'rowhead mono', 'aria-hidden': 'true' }, v4s(n)));
    }
    const host = a && a.host_id ? hosts.get(a.host_id) : '';
    const text = [v4s(n), STATE_TEXT[state], host ? `host ${host}` : '',
      a && a.dns_name ? `DNS ${a.dns_name}` : '', range ? `range ${range.description || `${range.start_address}–${range.end_address}`}` : '']
      .filter(Boolean).join(' · ');
    const cell = h('button', {
      type: 'button', class: `cell ${state}${highlight === v4s(n) ? ' hl' : ''}`,
      // The name starts with what the cell shows (".10 pve-node-1" within "10.10.20.10 pve-node-1").
      'data-addr': v4s(n), 'aria-describedby': 'map-tip',
      'aria-label': [`${v4s(n)}${host ? ` ${host}` : ''}`, STATE_TEXT[state], a && a.dns_name ? `DNS ${a.dns_name}` : '',
        range ? `range ${range.description || `${range.start_address}–${range.end_address}`}` : ''].filter(Boolean).join(' · '),
    }, h('span', { class: 'oct' }, `.${n % 256}`), host ? [' ', h('span', { class: 'who' }, host)] : null);
    cell.addEventListener('mouseenter', () => show(cell, text));
    cell.addEventListener('focus', () => show(cell, text));
    cell.addEventListener('mouseleave', hide);
    cell.addEventListener('blur', hide);
    cell.addEventListener('click', () => {
      if (!ui.canWrite()) return;
      if (a) editForm(p, block, hosts, a.id);
      else if (['free', 'range', 'pool'].includes(state)) {
        pickForm(p, block, v4s(n), range ? range.description || `${range.start_address}–${range.end_address}` : '');
      }
    });
    grid.append(cell);
  }
  grid.addEventListener('keydown', (ev) => {
    const cells = [...grid.querySelectorAll('.cell')];
    const i = cells.indexOf(document.activeElement);
    if (i < 0) return;
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 16, ArrowUp: -16 }[ev.key];
    if (!step || !cells[i + step]) return;
    ev.preventDefault();
    cells[i + step].focus();
  });
  const legend = h('ul', { class: 'legend', 'aria-label': 'Legend' },
    LEGEND.map(([s, text]) => h('li', {}, h('span', { class: `swatch cell ${s}`, 'aria-hidden': 'true' }),
      `${text} `, h('span', { class: 'hint' }, num((counts[s] || 0) + (s === 'network' ? counts.broadcast || 0 : 0))))));
  return h('section', { 'aria-labelledby': 'map-h', class: 'mapbox' },
    h('h2', { id: 'map-h' }, block === undefined ? 'Address map' : `Address map of ${v4s(base)}/24`),
    legend, h('div', { class: 'mapwrap' }, grid, tip), info);
}

// A zoomable map of a larger prefix: one cell per /24, shaded by how full it is.
function blockMap(p, net, addrs) {
  const count = new Map();
  for (const a of addrs) {
    const b = Math.floor((v4(a.address) - net.base) / 256);
    count.set(b, (count.get(b) || 0) + 1);
  }
  const blocks = [];
  for (let b = 0; b < net.size / 256; b++) {
    const used = count.get(b) || 0;
    const label = `${v4s(net.base + b * 256)}/24: ${plural(used, 'address', 'addresses')} used`;
    if (b % 16 === 0) blocks.push(h('span', { class: 'rowhead mono', 'aria-hidden': 'true' }, v4s(net.base + b * 256)));
    const cell = h('a', { class: `cell block ${used ? 'used' : 'free'}`, href: `#/prefix/${p.id}/block/${b}`,
      title: label, 'aria-label': label, 'data-block': String(b) },
    h('span', { class: 'oct' }, `.${Math.floor((net.base + b * 256) / 256) % 256}`));
    blocks.push(cell);
  }
  const busiest = [...count.entries()].sort((x, y) => y[1] - x[1])[0];
  return h('section', { 'aria-labelledby': 'map-h', class: 'mapbox' }, h('h2', { id: 'map-h' }, 'Map of /24 blocks'),
    h('p', { class: 'hint' }, 'Each cell is a /24 (its third octet), blue when it holds addresses; '
      + 'point at one for its count, open it to see its addresses.',
    busiest ? [' Busiest: ', h('a', { href: `#/prefix/${p.id}/block/${busiest[0]}` }, `${v4s(net.base + busiest[0] * 256)}/24`)] : ''),
    h('div', { class: 'mapwrap' }, h('div', { class: 'map blocks', role: 'group', 'aria-label': `/24 blocks of ${p.prefix}` }, blocks)));
}

export async function prefixView(id, block) {
  const p = await get(`/prefixes/${id}`);
  const net = parse(p.prefix);
  // A block of at most 1,024 addresses is read whole; a larger prefix, up to 5,000 addresses.
  const many = (p.utilization ? p.utilization.used : 0) > 5000 && block === undefined;
  const [children, addrs, ranges, vlan] = await Promise.all([
    all(`/prefixes?parent_id=${id}`),
    many ? get(`/ip-addresses?prefix_id=${id}&limit=1000`).then((pg) => pg.results)
      : all(`/ip-addresses?prefix_id=${id}`),
    all(`/ip-ranges?prefix_id=${id}`), p.vlan_id ? get(`/vlans/${p.vlan_id}`) : null]);
  const hosts = await hostNames(addrs);
  const write = ui.canWrite();
  let map = h('p', { class: 'hint' }, net.v6 ? 'IPv6 prefixes have no map: see the addresses below.'
    : 'The map shows IPv4 prefixes of /16 and longer.');
  const blockBase = block !== undefined ? v4s(net.base + Number(block) * 256) : null;
  let shown = addrs;
  if (!net.v6 && (net.len >= 22 || block !== undefined)) {
    if (block !== undefined) shown = addrs.filter((a) => Math.floor((v4(a.address) - net.base) / 256) === Number(block));
    map = cellMap(p, net, block, shown, ranges, hosts);
  } else if (!net.v6 && net.len >= 16) map = blockMap(p, net, addrs);
  const actions = write ? h('div', { class: 'buttons' },
    h('button', { type: 'button', id: 'allocate', onclick: () => allocateForm(p, block) },
      'Allocate next free'),
    map.tagName === 'SECTION' && map.querySelector('button.cell') ? h('span', { class: 'hint' },
      'or pick a free address in the map.') : null) : null;
  const u = p.utilization || { used: 0, total: 0 };
  const addrTable = sortTable({ label: 'Addresses', rows: shown,
    empty: 'No address is allocated here yet.',
    columns: addressColumns(hosts, null, write ? [{ label: 'Actions', sortable: false,
      cell: (a) => h('button', { type: 'button', class: 'small', 'aria-label': `Edit ${a.address}`,
        onclick: () => editForm(p, block, hosts, a.id) }, 'Edit') }] : []) });
  for (const a of addrTable.querySelectorAll ? addrTable.querySelectorAll('td:first-child a') : []) {
    if (a.textContent === highlight) a.classList.add('hl');
  }
  const rangeRows = ranges.map((r) => h('tr', {},
    h('td', { 'data-label': 'Range', class: 'mono' }, `${r.start_address}–${r.end_address}`),
    h('td', { 'data-label': 'Status' }, r.status), h('td', { 'data-label': 'DHCP' }, r.dhcp ? 'yes' : 'no'),
    h('td', { 'data-label': 'Description' }, r.description),
    h('td', { 'data-label': 'Utilization' }, bar(r.utilization)),
    write ? h('td', { 'data-label': 'Actions' }, h('button', { type: 'button', class: 'small',
      onclick: () => allocateForm(p, block, r) }, 'Allocate next free')) : null));
  ui.show(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumbs' }, h('a', { href: '#/' }, 'Overview'),
      p.parent_id ? [' › ', h('a', { href: `#/prefix/${p.parent_id}` }, 'parent prefix')] : '',
      block !== undefined ? [' › ', h('a', { href: `#/prefix/${p.id}` }, p.prefix)] : ''),
    h('h1', {}, block !== undefined ? `${blockBase}/24 in ${p.prefix}` : p.prefix,
      vlan ? ` · VLAN ${vlan.vid} ${vlan.name}` : ''),
    h('div', { class: 'summary' },
      h('dl', { class: 'facts' },
        h('dt', {}, 'Gateway'), h('dd', { class: 'mono' }, p.gateway || '–'),
        h('dt', {}, 'Role'), h('dd', {}, p.role || '–'),
        h('dt', {}, 'Status'), h('dd', {}, p.status),
        h('dt', {}, 'Description'), h('dd', {}, p.description || '–')),
      h('div', { class: 'usage card' },
        h('p', { class: 'stat' }, h('span', { class: 'n', id: 'used-count' }, num(u.used)), ' used'),
        h('p', { class: 'stat' }, h('span', { class: 'n', id: 'free-count' }, num(Math.max(0, u.total - u.used))), ' free'),
        h('p', { class: 'stat' }, h('span', { class: 'n' }, num(u.total)), ' usable'),
        bar(p.utilization))),
    actions, h('div', { id: 'form-slot' }, resultCard()), map,
    children.length ? h('section', {}, h('h2', {}, 'Child prefixes'),
      h('ul', {}, children.map((c) => h('li', {}, h('a', { href: `#/prefix/${c.id}` }, c.prefix),
        ` ${c.description}`)))) : null,
    h('section', { 'aria-labelledby': 'addrs-h' }, h('h2', { id: 'addrs-h' }, 'Addresses'),
      many ? h('p', { class: 'hint' }, `The first 1,000 of ${num(p.utilization.used)} addresses `
        + '(the map is shaded by these).') : null,
      addrTable),
    h('section', { 'aria-labelledby': 'ranges-h' }, h('h2', { id: 'ranges-h' }, 'Ranges'),
      ranges.length ? h('div', { class: 'scroll' }, h('table', { class: 'stack' },
        h('thead', {}, h('tr', {}, ['Range', 'Status', 'DHCP', 'Description', 'Utilization', write ? 'Actions' : null]
          .filter(Boolean).map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, rangeRows)))
        : h('p', { class: 'hint empty' }, 'No ranges in this prefix: its free addresses can be given out anywhere.')));
  highlight = null;
  const card = document.getElementById('allocation-result');
  if (card) card.focus();
}
