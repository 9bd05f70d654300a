// Matrix: integrations × environments, a page at a time (the server pages, so 10,000 rows cost
// what 50 do), with search and filters by label, system and state, all kept in the URL.
import { useState } from './vendor/preact-hooks.mjs';
import { Failed, Link, Loading, html, navigate, shortCommit, stateWord, useApi } from './common.js';

const STATES = ['inStep', 'pending', 'breaking', 'drifted', 'failing', 'missing', 'notTargeted'];
const FIELDS = ['q', 'label', 'system', 'status'];

function Cell({ cell }) {
  const detail = cell.version ? `${cell.version} @ ${shortCommit(cell.commit)}` : '';
  const title = [cell.artifactHash, cell.reason].filter(Boolean).join(' — ');
  return html`<td class=${`cell ${cell.state}`} title=${title || undefined}>
    <span class="state">${stateWord(cell.state)}</span>${detail ? html`<br /><code>${detail}</code>` : ''}${cell.reason && cell.state !== 'inStep' ? html`<br /><span class="cell-reason">${cell.reason}</span>` : ''}
  </td>`;
}

function Filters({ params }) {
  const [values, setValues] = useState(() => Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ''])));
  const submit = (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const f of FIELDS) if (values[f]) next.set(f, values[f]);
    navigate(`/matrix${next.size > 0 ? `?${next}` : ''}`);
  };
  const bind = (f) => ({ id: `filter-${f}`, name: f, value: values[f], onInput: (e) => setValues({ ...values, [f]: e.currentTarget.value }) });
  return html`<form class="filters" role="search" onSubmit=${submit}>
    <div><label for="filter-q">Search</label><input type="search" placeholder="integration name" ...${bind('q')} /></div>
    <div><label for="filter-label">Label</label><input type="text" placeholder="team=sales" ...${bind('label')} /></div>
    <div><label for="filter-system">System</label><input type="text" placeholder="odata" ...${bind('system')} /></div>
    <div><label for="filter-status">State</label><select ...${bind('status')}><option value="">any</option>${STATES.map((s) => html`<option value=${s}>${stateWord(s)}</option>`)}</select></div>
    <button type="submit">Apply filters</button>
  </form>`;
}

function Pager({ page, pages, params }) {
  const href = (n) => {
    const next = new URLSearchParams(params);
    next.set('page', String(n));
    return `/matrix?${next}`;
  };
  return html`<nav class="pager" aria-label="Pages of the matrix">
    ${page > 1 ? html`<${Link} href=${href(page - 1)} rel="prev">Previous</${Link}>` : html`<span class="muted">Previous</span>`}
    <span>Page ${page} of ${pages}</span>
    ${page < pages ? html`<${Link} href=${href(page + 1)} rel="next">Next</${Link}>` : html`<span class="muted">Next</span>`}
  </nav>`;
}

export function MatrixPage({ search }) {
  const params = new URLSearchParams(search);
  const query = new URLSearchParams();
  for (const f of [...FIELDS, 'page']) if (params.get(f)) query.set(f, params.get(f));
  query.set('pageSize', '50');
  const { data, error } = useApi(`/api/v1/matrix?${query}`);
  return html`<section aria-labelledby="matrix-title">
    <h1 id="matrix-title">Integrations × environments</h1>
    <${Filters} key=${search} params=${params} />
    ${error ? html`<${Failed} error=${error} />` : !data ? html`<${Loading} />` : html`
      <p class="summary" role="status">${data.total} integrations match.</p>
      <div class="table-wrap">
        <table class="matrix">
          <caption class="visually-hidden">What is published where: version and commit per environment, and why a cell is not in step</caption>
          <thead><tr><th scope="col">Integration</th><th scope="col">System</th>${data.environments.map((e) => html`<th scope="col" key=${e}><${Link} href=${`/environments/${e}`}>${e}</${Link}></th>`)}</tr></thead>
          <tbody>
            ${data.rows.map((row) => html`<tr key=${row.name}>
              <th scope="row"><${Link} href=${`/integrations/${row.name}`}>${row.name}</${Link}>${Object.entries(row.labels).map(([k, v]) => html` <span class="label">${k}=${v}</span>`)}</th>
              <td>${row.system}</td>
              ${data.environments.map((e) => html`<${Cell} key=${e} cell=${row.cells[e]} />`)}
            </tr>`)}
          </tbody>
        </table>
      </div>
      <${Pager} page=${data.page} pages=${Math.max(1, Math.ceil(data.total / data.pageSize))} params=${params} />`}
  </section>`;
}
