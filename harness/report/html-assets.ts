/** The HTML report's style and script, inlined so the page is one self-contained file. */

export const HTML_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 2rem 3rem; color: #1d1f23; }
header h1 { margin-bottom: .2rem; }
#verdict { font-size: 16px; font-weight: 600; padding: .3rem .6rem; border-radius: 4px; display: inline-block; margin: .3rem 0; }
#verdict.exit-0 { background: #e6f4ea; color: #1e6b34; } #verdict.exit-1 { background: #fdecea; color: #a12020; } #verdict.exit-2 { background: #f3e5f5; color: #5a1780; }
#counts h2 { font-size: 15px; margin: .8rem 0 .3rem; }
#counts td, #counts th { border: 1px solid #ddd; padding: .15rem .5rem; text-align: right; }
#counts td:first-child, #counts th:first-child, #counts td.detail { text-align: left; }
#counts td.detail { font-family: ui-monospace, monospace; font-size: 12px; color: #555; max-width: 40rem; overflow-wrap: anywhere; }
nav { display: flex; flex-wrap: wrap; gap: 1rem; padding: .6rem 0; border-bottom: 1px solid #ddd; position: sticky; top: 0; background: #fff; }
table { border-collapse: collapse; }
#matrix td, #matrix th { border: 1px solid #ddd; padding: .2rem .5rem; text-align: center; }
#matrix td:first-child { text-align: left; font-family: ui-monospace, monospace; }
#matrix a { text-decoration: none; }
#matrix a.to-case { color: inherit; font-weight: 600; }
#matrix .lvl { font-size: 11px; color: #555; margin-left: .2rem; }
#matrix .files { font-size: 11px; margin-left: .3rem; }
.case { border: 1px solid #ddd; border-left-width: 6px; margin: .5rem 0; padding: .3rem .8rem; }
.case summary { cursor: pointer; }
.case .id { font-family: ui-monospace, monospace; font-weight: 600; }
.pass { border-left-color: #2e8540; } .fail { border-left-color: #c62828; } .error { border-left-color: #6a1b9a; }
.skip { border-left-color: #9e9e9e; } .xfail { border-left-color: #ef6c00; } .case.noted { border-left-color: #b58900; }
.mark.pass { color: #2e8540; } .mark.fail { color: #c62828; } .mark.error { color: #6a1b9a; } .mark.skip { color: #9e9e9e; } .mark.xfail { color: #ef6c00; } .mark.noted { color: #b58900; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: 3px; background: #eee; font-size: 12px; margin-left: .3rem; }
pre { background: #f6f8fa; padding: .5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.unmet { color: #c62828; } .met { color: #2e8540; }
`;

/** Renders from the embedded JSON with textContent only: nothing a client sent becomes markup. */
export const HTML_SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById('conform-data').textContent);
  const MARK = { pass: '✓', fail: '✗', skip: '–', error: '!', xfail: '~' };
  // A should-level failure without --strict: shown, but not as a failure (it does not fail the run).
  const NOTED = '△';
  const mark = (c) => (c.noted ? NOTED : MARK[c.status]);
  const markClass = (c) => 'mark ' + (c.noted ? 'noted' : c.status);
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) k === 'text' ? (node.textContent = v) : node.setAttribute(k, v);
    for (const c of children) if (c) node.append(c);
    return node;
  };
  const s = data.summary;
  const verdict = document.getElementById('verdict');
  verdict.className = 'exit-' + s.exitCode;
  verdict.textContent = 'exit ' + s.exitCode + ': ' + (s.exitCode === 2 ? s.errors + ' harness error(s)' : s.exitCode === 1 ? s.failed + ' failure(s) fail the run' : 'no case failed') +
    (s.failedShould && !s.strict ? ' (' + s.failedShould + ' should-level not met, failing only with --strict)' : '') + (s.strict ? ' (--strict)' : '');
  document.getElementById('summary').textContent =
    s.passed + ' passed, ' + s.failed + ' failed, ' + (s.strict ? '' : s.failedShould + ' should not met, ') + s.skipped + ' skipped, ' + s.expectedFailures + ' expected failures, ' +
    s.errors + ' errors — ' + data.clients.join(', ') + ' — ' + data.generatedAt;
  const countTable = (id, first, rows, detail) => {
    const head = [first, ...(detail ? [detail] : []), 'passed', 'failed', 'should not met', 'skipped', 'expected failures', 'errors'];
    document.getElementById(id).replaceChildren(el('tr', {}, ...head.map((h) => el('th', { text: h }))),
      ...rows.map((r) => el('tr', {}, el('td', { text: r.name }), detail ? el('td', { class: 'detail', text: r.detail }) : null,
        ...[r.passed, r.failed, r.noted, r.skipped, r.expected, r.errors].map((n) => el('td', { text: String(n) })))));
  };
  countTable('by-client', 'client', data.byClient, 'version (or command)');
  countTable('by-protocol', 'protocol', data.byProtocol, '');
  const filters = { protocol: 'protocol', status: 'status', level: 'level', client: 'client' };
  for (const [key, field] of Object.entries(filters)) {
    const select = document.getElementById('f-' + key);
    for (const v of [...new Set(data.cases.map((c) => c[field]))].sort()) select.append(el('option', { value: v, text: v }));
    select.addEventListener('change', render);
  }
  document.getElementById('f-text').addEventListener('input', render);
  const wanted = (c) => {
    for (const [key, field] of Object.entries(filters)) {
      const v = document.getElementById('f-' + key).value;
      if (v && c[field] !== v) return false;
    }
    const q = document.getElementById('f-text').value.toLowerCase();
    return !q || c.id.includes(q) || c.reason.toLowerCase().includes(q);
  };
  const anchor = (c) => 'case-' + c.id + '-' + data.clients.indexOf(c.client);
  const details = (c) => {
    const d = el('details', { class: 'case ' + c.status + (c.noted ? ' noted' : ''), id: anchor(c) });
    d.append(el('summary', {}, el('span', { class: markClass(c), text: mark(c) + ' ' }), el('span', { class: 'id', text: c.id }),
      el('span', { class: 'badge', text: c.level }), el('span', { class: 'badge', text: c.client }), el('span', { text: ' ' + c.title })));
    if (c.noted) d.append(el('p', { text: 'Should-level expectation not met: this does not fail the run (only --strict makes it a failure).' }));
    if (c.reason) d.append(el('p', { text: c.reason }));
    if (c.stale) d.append(el('p', { text: 'stale known result: ' + c.stale }));
    d.append(el('p', { text: 'References: ' + c.refs.join(', ') }));
    const ul = el('ul');
    for (const k of c.checks) ul.append(el('li', { class: k.met ? 'met' : 'unmet', text: (k.met ? 'met: ' : 'not met: ') + k.expectation + (k.reason ? ' — ' + k.reason : '') }));
    d.append(el('h4', { text: 'Expectations' }), ul);
    if (c.faults.length) d.append(el('p', { text: 'Server faults: ' + c.faults.join('; ') }));
    d.append(el('p', { text: 'Client: ' + c.outcome }), el('p', { text: 'Rerun: ' + c.repro }));
    if (c.artifacts) d.append(el('p', {}, el('a', { class: 'artifacts', href: c.artifacts, text: 'Artifacts: transcript, events, TLS key log, packet capture' })));
    d.append(el('h4', { text: 'Transcript' }), el('pre', { text: c.transcript.join('\\n') }));
    if (c.output) d.append(el('h4', { text: 'Client output' }), el('pre', { text: c.output }));
    return d;
  };
  function renderMatrix(shown) {
    const section = document.getElementById('matrix-section');
    section.hidden = data.clients.length < 2;
    if (section.hidden) return;
    const table = document.getElementById('matrix');
    table.replaceChildren(el('tr', {}, el('th', { text: 'case' }), ...data.clients.map((c) => el('th', { text: c }))));
    // Rows in the order of the cases shown: failures first.
    const ids = [...new Set(shown.map((c) => c.id))];
    for (const id of ids) {
      const row = el('tr', {}, el('td', { text: id }));
      for (const client of data.clients) {
        const c = shown.find((x) => x.id === id && x.client === client);
        const cell = el('td', c ? { class: markClass(c), title: (c.noted ? 'should, not failing the run: ' : '') + c.reason } : {});
        if (c) {
          cell.append(el('a', { href: '#' + anchor(c), class: 'to-case', text: mark(c) }), el('span', { class: 'lvl', text: c.level }));
          if (c.artifacts) cell.append(el('a', { href: c.artifacts, class: 'files', text: 'files' }));
        }
        row.append(cell);
      }
      table.append(row);
    }
  }
  function render() {
    const shown = data.cases.filter(wanted);
    renderMatrix(shown);
    document.getElementById('cases').replaceChildren(...shown.map(details));
    openFromHash();
  }
  // A matrix cell (or a shared link) names a case: open its details and bring it into view.
  function openFromHash() {
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === 'DETAILS') {
      target.open = true;
      target.scrollIntoView();
    }
  }
  window.addEventListener('hashchange', openFromHash);
  render();
})();
`;
