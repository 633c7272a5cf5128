// The plan at a glance: every VLAN with its prefix, gateway, used and free counts and a bar;
// the networks outside VLANs; every address in one sortable table; and the search.
import { all, get } from './api.js';
import { bar, compareIp, h, num, plural, sortTable, table } from './dom.js';
import { ui } from './app.js';

const prefixLink = (p) => h('a', { href: `#/prefix/${p.id}` }, p.prefix);
const free = (p) => (p.utilization ? Math.max(0, p.utilization.total - p.utilization.used) : 0);
const list = (items) => h('span', { class: 'list' }, items);

export async function overview() {
  const [vlans, prefixes] = await Promise.all([all('/vlans?ordering=vid'), all('/prefixes')]);
  prefixes.sort((a, b) => compareIp(a.prefix, b.prefix));
  const byVlan = new Map();
  for (const p of prefixes) {
    if (p.vlan_id === null) continue;
    if (!byVlan.has(p.vlan_id)) byVlan.set(p.vlan_id, []);
    byVlan.get(p.vlan_id).push(p);
  }
  const heads = ['VID', 'Name', 'Prefix', 'Gateway', 'Used', 'Free', 'Utilization', 'Purpose'];
  const vlanRows = vlans.map((v) => {
    const ps = byVlan.get(v.id) || [];
    return [h('b', {}, String(v.vid)), v.name,
      ps.length ? list(ps.map(prefixLink)) : h('span', { class: 'hint' }, 'no prefix'),
      list(ps.map((p) => h('span', { class: 'mono' }, p.gateway || '–'))),
      list(ps.map((p) => num(p.utilization ? p.utilization.used : 0))),
      list(ps.map((p) => num(free(p)))),
      list(ps.map((p) => bar(p.utilization))), v.description];
  });
  const others = prefixes.filter((p) => p.vlan_id === null && p.parent_id === null);
  const otherRows = others.map((p) => [prefixLink(p), p.role || '–', p.status, p.gateway || '–',
    num(p.utilization ? p.utilization.used : 0), num(free(p)), bar(p.utilization), p.description]);
  const used = prefixes.reduce((n, p) => n + (p.vlan_id !== null && p.utilization ? p.utilization.used : 0), 0);
  ui.show(
    h('h1', {}, 'Address plan'),
    h('p', { class: 'lede' }, `${plural(vlans.length, 'VLAN')}, ${plural(prefixes.length, 'prefix', 'prefixes')}, `
      + `${plural(used, 'address', 'addresses')} in use in the VLANs. Open a prefix for its address map.`),
    h('section', { 'aria-labelledby': 'vlans-h' }, h('h2', { id: 'vlans-h' }, 'VLANs'),
      table(null, heads, vlanRows, { stack: true })),
    h('section', { 'aria-labelledby': 'nets-h' }, h('h2', { id: 'nets-h' }, 'Other networks'),
      table(null, ['Prefix', 'Role', 'Status', 'Gateway', 'Used', 'Free', 'Utilization', 'Description'],
        otherRows, { stack: true })),
    h('p', { id: 'overview-ready', class: 'hint' },
      `${plural(vlans.length, 'VLAN')}, ${plural(prefixes.length, 'prefix', 'prefixes')}.`));
}

// The columns of an address table; hosts maps host ids to names.
export function addressColumns(hosts, prefixes, extra = []) {
  const cols = [
    { label: 'Address', ip: true, value: (a) => a.address,
      cell: (a) => h('a', { href: `#/prefix/${a.prefix_id}`, class: 'mono' }, a.address) },
    { label: 'Host', value: (a) => (a.host_id ? hosts.get(a.host_id) || '' : ''),
      cell: (a) => (a.host_id ? h('a', { href: `#/host/${a.host_id}` }, hosts.get(a.host_id) || `#${a.host_id}`) : '') },
    { label: 'DNS name', value: (a) => a.dns_name || '' },
    { label: 'Interface', value: (a) => a.interface || '' },
    { label: 'Status', value: (a) => a.status },
    { label: 'Description', value: (a) => a.description || '' },
  ];
  if (prefixes) {
    cols.splice(1, 0, { label: 'Prefix', ip: true, value: (a) => (prefixes.get(a.prefix_id) || {}).prefix || '' });
  }
  return [...cols, ...extra];
}

export async function addressesView() {
  const [addrs, hosts, prefixes] = await Promise.all([all('/ip-addresses'), all('/hosts'), all('/prefixes')]);
  ui.show(h('h1', {}, 'Addresses'),
    h('p', { class: 'lede' }, `Every address of the plan, in address order. Filter by any part of a row; `
      + 'sort by any column.'),
    sortTable({ label: 'Addresses', rows: addrs,
      columns: addressColumns(new Map(hosts.map((x) => [x.id, x.name])), new Map(prefixes.map((p) => [p.id, p]))) }));
}

export async function search(q) {
  const box = document.getElementById('q');
  if (box) box.value = q;
  const enc = encodeURIComponent(q);
  const [addrs, hosts, vlans, prefixes, dnsNames] = await Promise.all([
    get(`/ip-addresses?q=${enc}&limit=100`), get(`/hosts?q=${enc}&limit=50`),
    get(`/vlans?q=${enc}&limit=50`), get(`/prefixes?q=${enc}&limit=50`),
    get(`/ip-addresses?dns_name=${enc}&limit=50`)]);
  const vid = /^\d+$/.test(q) ? await get(`/vlans?vid=${enc}`) : { results: [] };
  // An address typed whole: the prefixes holding it, even when no address is stored there.
  const holding = /^[0-9a-f.:]+$/i.test(q) && (q.includes('.') || q.includes(':'))
    ? await get(`/prefixes?contains=${enc}`).catch(() => ({ results: [] })) : { results: [] };
  const vlanHits = [...vid.results, ...vlans.results.filter((v) => String(v.vid) !== q)];
  const vlanPrefixes = await Promise.all(vlanHits.map((v) => get(`/prefixes?vlan_id=${v.id}`)));
  const seen = new Set();
  const addrHits = [...addrs.results, ...dnsNames.results].filter((a) => !seen.has(a.id) && seen.add(a.id))
    .sort((a, b) => compareIp(a.address, b.address));
  const prefixHits = [...prefixes.results, ...holding.results.filter((p) => !prefixes.results.some((x) => x.id === p.id))];
  const groups = [
    ['Addresses', addrHits.map((a) => h('li', {},
      h('a', { href: `#/prefix/${a.prefix_id}`, class: 'mono' }, a.address),
      a.dns_name ? ` ${a.dns_name}` : '', a.description ? h('span', { class: 'hint' }, ` ${a.description}`) : ''))],
    ['Hosts', hosts.results.map((x) => h('li', {}, h('a', { href: `#/host/${x.id}` }, x.name),
      x.description ? h('span', { class: 'hint' }, ` ${x.description}`) : ''))],
    ['VLANs', vlanHits.map((v, i) => h('li', {}, `VLAN ${v.vid} ${v.name} `,
      vlanPrefixes[i].results.map(prefixLink)))],
    ['Prefixes', prefixHits.map((p) => h('li', {}, prefixLink(p), p.description ? ` ${p.description}` : ''))],
  ].filter(([, items]) => items.length);
  ui.show(h('h1', {}, `Search: ${q}`),
    groups.length ? groups.map(([title, items]) => h('section', {}, h('h2', {}, `${title} (${items.length})`),
      h('ul', { class: 'results' }, items)))
      : h('p', {}, 'Nothing found. Search by address, host name, DNS name, VLAN number or name, or prefix.'));
}
