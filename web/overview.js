// The plan at a glance: every VLAN with its prefixes, gateway and utilization, the networks
// outside VLANs, and a search over addresses, hosts, DNS names and VLANs.
import { all, get } from './api.js';
import { bar, field, h, table } from './dom.js';
import { ui } from './app.js';

function searchForm(value = '') {
  const q = h('input', { type: 'search', name: 'q', value, placeholder: '10.10.20.10, pve-node-1, k3s.local, 20…' });
  const form = h('form', { role: 'search', class: 'search' }, field('Search the plan', q),
    h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (q.value.trim()) location.hash = `#/search/${encodeURIComponent(q.value.trim())}`;
  });
  return form;
}

const prefixLink = (p) => h('a', { href: `#/prefix/${p.id}` }, p.prefix);

export async function overview() {
  const [vlans, prefixes] = await Promise.all([all('/vlans?ordering=vid'), all('/prefixes')]);
  const byVlan = new Map();
  for (const p of prefixes) {
    if (p.vlan_id === null) continue;
    if (!byVlan.has(p.vlan_id)) byVlan.set(p.vlan_id, []);
    byVlan.get(p.vlan_id).push(p);
  }
  const vlanRows = vlans.map((v) => {
    const ps = byVlan.get(v.id) || [];
    return [String(v.vid), v.name, v.description,
      h('span', { class: 'list' }, ps.map(prefixLink)),
      ps.map((p) => p.gateway).filter(Boolean).join(', '),
      h('span', { class: 'list' }, ps.map((p) => bar(p.utilization)))];
  });
  const others = prefixes.filter((p) => p.vlan_id === null && p.parent_id === null);
  const otherRows = others.map((p) => [prefixLink(p), p.role, p.status, p.gateway || '',
    p.description, bar(p.utilization)]);
  ui.show(
    h('h1', {}, 'Address plan'),
    searchForm(),
    h('section', { 'aria-labelledby': 'vlans-h' }, h('h2', { id: 'vlans-h' }, 'VLANs'),
      table(null, ['VID', 'Name', 'Purpose', 'Prefixes', 'Gateway', 'Utilization'], vlanRows)),
    h('section', { 'aria-labelledby': 'nets-h' }, h('h2', { id: 'nets-h' }, 'Other networks'),
      table(null, ['Prefix', 'Role', 'Status', 'Gateway', 'Description', 'Utilization'],
        otherRows)),
    h('p', { id: 'overview-ready', class: 'hint' },
      `${vlans.length} VLANs, ${prefixes.length} prefixes.`));
}

export async function search(q) {
  const enc = encodeURIComponent(q);
  const [addrs, hosts, vlans, prefixes] = await Promise.all([
    get(`/ip-addresses?q=${enc}&limit=50`), get(`/hosts?q=${enc}&limit=50`),
    get(`/vlans?q=${enc}&limit=50`), get(`/prefixes?q=${enc}&limit=50`)]);
  const vid = /^\d+$/.test(q) ? await get(`/vlans?vid=${enc}`) : { results: [] };
  const vlanHits = [...vid.results, ...vlans.results.filter((v) => String(v.vid) !== q)];
  const vlanPrefixes = await Promise.all(vlanHits.map((v) => get(`/prefixes?vlan_id=${v.id}`)));
  const items = [
    ...addrs.results.map((a) => h('li', {}, 'Address ',
      h('a', { href: `#/prefix/${a.prefix_id}` }, a.address), a.dns_name ? ` ${a.dns_name}` : '')),
    ...hosts.results.map((x) => h('li', {}, 'Host ', h('a', { href: `#/host/${x.id}` }, x.name))),
    ...vlanHits.map((v, i) => h('li', {}, `VLAN ${v.vid} ${v.name} `,
      vlanPrefixes[i].results.map(prefixLink))),
    ...prefixes.results.map((p) => h('li', {}, 'Prefix ', prefixLink(p))),
  ];
  ui.show(h('h1', {}, `Search: ${q}`), searchForm(q),
    items.length ? h('ul', { class: 'results' }, items) : h('p', {}, 'Nothing found.'));
}
