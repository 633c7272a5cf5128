// Forms that change the plan in two steps: "Preview" posts the change to
// /api/v1/changes/preview (nothing is kept) and shows the unified diff of every rendered file
// it would alter; only then "Save" sends the real POST or PATCH (PATCH with If-Match). Editing
// the form again hides the stale preview. A refused change puts each field's message next to
// its field.
import { api, ApiError } from './api.js';
import { h, newId } from './dom.js';

// A labelled control with a place for its error, tied to it by aria-describedby.
export function errField(label, control, hint, opts = {}) {
  if (!control.id) control.id = newId('f');
  const ids = [];
  let help = null;
  if (hint) {
    help = h('span', { class: 'hint', id: `${control.id}-hint` }, hint);
    ids.push(help.id);
  }
  const err = h('span', { class: 'field-error', id: `${control.id}-err` });
  err.hidden = true;
  ids.push(err.id);
  control.setAttribute('aria-describedby', ids.join(' '));
  const lab = h('label', { for: control.id }, label);
  return opts.check
    ? h('div', { class: 'field check' }, h('span', { class: 'checkline' }, control, lab), help, err)
    : h('div', { class: 'field' }, lab, control, help, err);
}

// A unified diff as lines coloured by kind, in a box that scrolls by itself.
export function diffBox(text, label) {
  const lines = text.replace(/\n$/, '').split('\n').map((l) => {
    const kind = /^(---|\+\+\+) /.test(l) ? 'hdr' : l.startsWith('@@') ? 'hunk'
      : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'ctx';
    return h('span', { class: `dl ${kind}` }, `${l}\n`);
  });
  return h('pre', { class: 'diffbox', tabindex: '0', 'aria-label': label }, h('code', {}, lines));
}

// The answer of a preview: for each render that would change, its path and its diff.
function previewList(renders) {
  if (!renders.length) {
    return [h('p', { class: 'msg ok', id: 'preview-summary' }, 'No rendered file changes.')];
  }
  return [h('p', { class: 'hint', id: 'preview-summary' },
    `${renders.length} rendered ${renders.length === 1 ? 'file' : 'files'} would change:`),
  h('ul', { class: 'renders' }, renders.map((r) => {
    const name = r.path.replace(/^\/api\/v1\/render\//, '');
    return h('li', { class: 'render-diff', 'data-path': r.path },
      h('h4', {}, h('a', { href: `#/render/${r.target}`, class: 'mono' }, r.path)),
      diffBox(r.diff, `Diff of ${name}`));
  }))];
}

const plain = (k) => k.replace(/^\[\d+\]\./, '');

// form: the <form> holding the fields; controls: field name → its control (several names may
// share one); collect(): the object to send; resource: "firewall-rules", "dns-records";
// objectId and etag for an edit; onSaved(object) after the save; onStale(): the object
// changed meanwhile (412).
export function twoStep({ form, controls, collect, resource, objectId, etag, what, onSaved, onStale, onCancel }) {
  const alert = h('p', { class: 'msg err', role: 'alert' });
  alert.hidden = true;
  const status = h('p', { class: 'hint', 'aria-live': 'polite' });
  const panelId = newId('pv');
  const body = h('div', {});
  const panel = h('section', { class: 'change-preview', 'aria-labelledby': `${panelId}-h` },
    h('h3', { id: `${panelId}-h` }, `What saving ${what} would change`), body);
  panel.hidden = true;
  const previewBtn = h('button', { type: 'submit' }, 'Preview');
  const save = h('button', { type: 'button', class: 'save' }, 'Save');
  save.hidden = true;
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const clearErrors = () => {
    alert.hidden = true;
    for (const c of new Set(Object.values(controls))) {
      c.removeAttribute('aria-invalid');
      const e = document.getElementById(`${c.id}-err`);
      if (e) {
        e.hidden = true;
        e.textContent = '';
      }
    }
  };
  // The preview is of the form as it was: any edit makes it stale.
  const stale = () => {
    if (panel.hidden && save.hidden) return;
    panel.hidden = true;
    save.hidden = true;
    body.replaceChildren();
    status.textContent = 'The form changed: preview it again before saving.';
  };
  form.addEventListener('input', stale);
  form.addEventListener('change', stale);
  const refused = (e) => {
    const rest = [];
    let first = null;
    for (const [k, v] of Object.entries(e instanceof ApiError ? e.fields : {})) {
      let c = controls[plain(k)];
      // A field the form hides now (a selector of another kind): its message goes to the
      // control that chooses the kind.
      const kind = controls[`${plain(k).split('_')[0]}_kind`];
      if (c && c.closest('[hidden]') && kind) c = kind;
      const slot = c && document.getElementById(`${c.id}-err`);
      if (!slot) {
        rest.push(`${plain(k)}: ${v}`);
        continue;
      }
      slot.textContent = slot.textContent ? `${slot.textContent}; ${v}` : v;
      slot.hidden = false;
      c.setAttribute('aria-invalid', 'true');
      first = first || c;
    }
    const msg = String(e && e.message ? e.message : e).replace(/^object \d+: /, '');
    alert.textContent = `${msg}${first ? ': see the marked fields' : ''}${rest.length ? ` (${rest.join('; ')})` : ''}.`
      .replace(/\.\.$/, '.');
    alert.hidden = false;
    if (first) first.focus();
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    stale();
    previewBtn.disabled = true;
    status.textContent = 'Previewing…';
    try {
      const change = { op: objectId ? 'patch' : 'create', resource, object: collect() };
      if (objectId) change.id = Number(objectId);
      const r = await api('POST', '/changes/preview', { changes: [change] });
      body.replaceChildren(...previewList(r.data.renders || []));
      panel.hidden = false;
      save.hidden = false;
      status.textContent = 'Preview ready: nothing is saved until you press Save.';
    } catch (e) {
      status.textContent = '';
      refused(e);
    } finally {
      previewBtn.disabled = false;
    }
  });
  save.addEventListener('click', async () => {
    clearErrors();
    save.disabled = true;
    try {
      const obj = collect();
      const r = objectId ? await api('PATCH', `/${resource}/${objectId}`, obj, etag ? { 'If-Match': etag } : {})
        : await api('POST', `/${resource}`, obj);
      await onSaved(r.data);
    } catch (e) {
      if (e instanceof ApiError && e.status === 412 && onStale) return onStale();
      refused(e);
    } finally {
      save.disabled = false;
    }
  });
  cancel.addEventListener('click', () => {
    form.remove();
    if (onCancel) onCancel();
  });
  return { alert, status, panel, buttons: h('div', { class: 'buttons' }, previewBtn, save, cancel) };
}

// Where a view's form goes: the slot replaced, the first control focused.
export function openIn(slot, form) {
  slot.replaceChildren(form);
  const first = form.querySelector('input, select');
  if (first) first.focus();
  form.scrollIntoView({ block: 'nearest' });
}
