// A prefix: its map of the address space (phpIPAM's subnet map), its addresses and ranges,
// and the forms that allocate, reserve, edit and release addresses.
import { all, api, describe, get, hostId } from './api.js';
import { bar, field, h, table } from './dom.js';
import { ui } from './app.js';

const STATUSES = ['active', 'reserved', 'dhcp', 'deprecated'];
let highlight = null;   // the address just allocated or reserved, outlined once

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

// The form of an address: host name, DNS name, description, status.
function addressForm({ title, values = {}, submit, onSubmit, extra = [] }) {
  const suggestions = h('datalist', { id: 'host-names' });
  hostSuggestions(suggestions).catch(() => {});
  const host = h('input', { name: 'host', list: 'host-names', value: values.host || '',
    autocomplete: 'off' });
  const dns = h('input', { name: 'dns_name', value: values.dns_name || '',
    placeholder: 'name.example' });
  const desc = h('input', { name: 'description', value: values.description || '' });
  const status = h('select', { name: 'status' },
    STATUSES.map((s) => h('option', { value: s, selected: s === (values.status || 'active') }, s)));
  const error = h('p', { class: 'msg err', role: 'alert' });
  error.hidden = true;
  const form = h('form', { class: 'card form', id: 'address-form', 'aria-labelledby': 'form-title' },
    h('h2', { id: 'form-title' }, title),
    suggestions,
    field('Hostname', host), field('DNS name', dns), field('Description', desc),
    field('Status', status), error,
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, submit), ...extra,
      h('button', { type: 'button', class: 'secondary', onclick: () => form.remove() }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    try {
      await onSubmit({ host_id: await hostId(host.value), dns_name: dns.value.trim(),
        description: desc.value, status: status.value });
    } catch (e) {
      error.textContent = describe(e);
      error.hidden = false;
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

function allocateForm(p, block, hosts, range) {
  openForm(addressForm({
    title: range ? `Allocate the next free address in ${range.start_address}–${range.end_address}`
      : `Allocate the next free address in ${p.prefix}`,
    submit: 'Allocate',
    async onSubmit(body) {
      const path = range ? `/ip-ranges/${range.id}/available-ips` : `/prefixes/${p.id}/available-ips`;
      const a = (await api('POST', path, body)).data;
      highlight = a.address;
      await reload(p, block, `Allocated ${a.address}.`);
    },
  }));
}

function reserveForm(p, block, hosts, address) {
  openForm(addressForm({
    title: `Reserve ${address}`, submit: 'Reserve', values: { status: 'reserved' },
    async onSubmit(body) {
      await api('POST', '/ip-addresses', { address, ...body });
      highlight = address;
      await reload(p, block, `Reserved ${address}.`);
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

// A cell's state; the gateway shows as such even when it is allocated, as in phpIPAM.
function stateOf(n, net, p, byAddr) {
  const a = byAddr.get(n);
  if (p.gateway === v4s(n)) return { a, state: 'gateway' };
  if (a) return { a, state: a.status === 'active' || a.status === 'deprecated' ? 'allocated' : a.status };
  if (net.len < 31 && n === net.base) return { state: 'network' };
  if (net.len < 31 && n === net.base + net.size - 1) return { state: 'broadcast' };
  return { state: 'free' };
}

// One cell per address of a block of at most 1,024 addresses.
function cellMap(p, net, block, addrs, ranges, hosts) {
  const base = block === undefined ? net.base : net.base + Number(block) * 256;
  const size = block === undefined ? net.size : 256;
  const byAddr = new Map(addrs.map((a) => [v4(a.address), a]));
  const rs = ranges.map((r) => ({ ...r, lo: v4(r.start_address), hi: v4(r.end_address) }));
  const info = h('p', { id: 'cell-info', class: 'cellinfo', 'aria-live': 'polite' },
    'Point at or focus a cell to see its address.');
  const cells = [];
  for (let n = base; n < base + size; n++) {
    const { a, state } = stateOf(n, net, p, byAddr);
    const range = rs.find((r) => n >= r.lo && n <= r.hi);
    const text = [v4s(n), state, a && a.host_id ? `host ${hosts.get(a.host_id)}` : '',
      a && a.dns_name ? `DNS ${a.dns_name}` : '', range ? `range ${range.description || range.start_address}` : '']
      .filter(Boolean).join(' · ');
    const cell = h('button', {
      type: 'button', class: `cell ${state}${range ? ' ranged' : ''}${highlight === v4s(n) ? ' hl' : ''}`,
      'data-addr': v4s(n), title: text, 'aria-label': text,
    }, String(n % 256));
    cell.addEventListener('mouseenter', () => { info.textContent = text; });
    cell.addEventListener('focus', () => { info.textContent = text; });
    cell.addEventListener('click', () => {
      if (!ui.canWrite()) return;
      if (a) editForm(p, block, hosts, a.id);
      else if (state === 'free' || state === 'gateway') reserveForm(p, block, hosts, v4s(n));
    });
    cells.push(cell);
  }
  const legend = h('ul', { class: 'legend', 'aria-label': 'Legend' },
    ['free', 'allocated', 'reserved', 'dhcp', 'gateway', 'network', 'broadcast'].map((s) =>
      h('li', {}, h('span', { class: `cell ${s}`, 'aria-hidden': 'true' }), s)),
    h('li', {}, h('span', { class: 'cell free ranged', 'aria-hidden': 'true' }), 'in a range'));
  return h('section', { 'aria-labelledby': 'map-h' },
    h('h2', { id: 'map-h' }, block === undefined ? 'Address map' : `Address map of ${v4s(base)}/24`),
    legend, h('div', { class: 'map', role: 'group', 'aria-label': 'Addresses' }, cells), info);
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
    const label = `${v4s(net.base + b * 256)}/24: ${used} addresses`;
    const cell = h('a', { class: `cell block${used ? ' allocated' : ' free'}`, href: `#/prefix/${p.id}/block/${b}`,
      title: label, 'aria-label': label }, String(b));
    cell.style.opacity = used ? String(0.4 + 0.6 * Math.min(1, used / 254)) : '';
    blocks.push(cell);
  }
  return h('section', { 'aria-labelledby': 'map-h' }, h('h2', { id: 'map-h' }, 'Map of /24 blocks'),
    h('p', { class: 'hint' }, 'Each cell is a /24; open one to see its addresses.'),
    h('div', { class: 'map blocks' }, blocks));
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
  let map = h('p', { class: 'hint' }, 'The map shows IPv4 prefixes of /16 and longer.');
  if (!net.v6 && (net.len >= 22 || block !== undefined)) map = cellMap(p, net, block, addrs, ranges, hosts);
  else if (!net.v6 && net.len >= 16) map = blockMap(p, net, addrs);
  const actions = write ? h('div', { class: 'buttons' },
    h('button', { type: 'button', id: 'allocate', onclick: () => allocateForm(p, block, hosts) },
      'Allocate next free')) : null;
  const addrRows = addrs.map((a) => [
    h('span', { class: highlight === a.address ? 'hl' : '' }, a.address),
    a.host_id ? h('a', { href: `#/host/${a.host_id}` }, hosts.get(a.host_id)) : '',
    a.dns_name, a.interface, a.status, a.description,
    write ? h('button', { type: 'button', class: 'small', onclick: () => editForm(p, block, hosts, a.id) },
      'Edit') : '']);
  const rangeRows = ranges.map((r) => [`${r.start_address}–${r.end_address}`, r.status,
    r.dhcp ? 'yes' : '', r.description, bar(r.utilization),
    write ? h('button', { type: 'button', class: 'small', onclick: () => allocateForm(p, block, hosts, r) },
      'Allocate next free') : '']);
  ui.show(
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Overview'),
      block !== undefined ? [' › ', h('a', { href: `#/prefix/${p.id}` }, p.prefix)] : ''),
    h('h1', {}, p.prefix, vlan ? ` · VLAN ${vlan.vid} ${vlan.name}` : ''),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Gateway'), h('dd', {}, p.gateway || '–'),
      h('dt', {}, 'Role'), h('dd', {}, p.role || '–'),
      h('dt', {}, 'Status'), h('dd', {}, p.status),
      h('dt', {}, 'Utilization'), h('dd', {}, bar(p.utilization)),
      h('dt', {}, 'Description'), h('dd', {}, p.description || '–')),
    actions, h('div', { id: 'form-slot' }), map,
    children.length ? h('section', {}, h('h2', {}, 'Child prefixes'),
      h('ul', {}, children.map((c) => h('li', {}, h('a', { href: `#/prefix/${c.id}` }, c.prefix),
        ` ${c.description}`)))) : null,
    h('section', {}, h('h2', {}, 'Addresses'),
      many ? h('p', { class: 'hint' }, `The first 1,000 of ${p.utilization.used} addresses `
        + '(the map is shaded by these).') : null,
      table(null, ['Address', 'Host', 'DNS name', 'Interface', 'Status', 'Description', ''], addrRows)),
    h('section', {}, h('h2', {}, 'Ranges'),
      table(null, ['Range', 'Status', 'DHCP', 'Description', 'Utilization', ''], rangeRows)));
  highlight = null;
}
