// Integration: its manifest, where it stands in each environment with its connection's auth type
// there (never a secret), its generated actions and TypeScript declarations, and the interface
// diff between two environments: what changes in one if the other is promoted to it.
import { useState } from './vendor/preact-hooks.mjs';
import { Commit, Failed, Link, Loading, html, stateWord, useApi } from './common.js';

function Diff({ name, environments }) {
  const names = environments.map((e) => e.name);
  const [from, setFrom] = useState(names[0] ?? '');
  const [to, setTo] = useState(names[names.length - 1] ?? '');
  const { data, error } = useApi(`/api/v1/integrations/${encodeURIComponent(name)}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  return html`<div class="diff">
    <div class="diff-pick">
      <label for="diff-from">Promote</label>
      <select id="diff-from" value=${from} onChange=${(e) => setFrom(e.currentTarget.value)}>${names.map((n) => html`<option value=${n}>${n}</option>`)}</select>
      <label for="diff-to">to</label>
      <select id="diff-to" value=${to} onChange=${(e) => setTo(e.currentTarget.value)}>${names.map((n) => html`<option value=${n}>${n}</option>`)}</select>
    </div>
    ${error ? html`<p role="alert">${error.message}</p>` : !data ? html`<${Loading} />` : html`
      ${!data.published.from ? html`<p class="muted">Not published in ${from}.</p>` : ''}
      ${data.changes.length === 0 ? html`<p>No interface change in ${to}.</p>` : html`<ul class="changes">${data.changes.map((c, i) => html`<li key=${i}><span class=${`badge ${c.severity === 'breaking' ? 'bad' : 'neutral'}`}>${c.severity}</span> ${c.message}</li>`)}</ul>`}`}
  </div>`;
}

export function IntegrationPage({ name }) {
  const { data, error } = useApi(`/api/v1/integrations/${encodeURIComponent(name)}`);
  if (error) return html`<${Failed} error=${error} what="integration" name=${name} />`;
  if (!data) return html`<${Loading} />`;
  return html`<section aria-labelledby="integration-title">
    <h1 id="integration-title">Integration ${data.name}</h1>
    <p class="summary">System ${data.system}${data.connection ? `, connection ${data.connection}` : ''}${Object.entries(data.labels).map(([k, v]) => html` <span class="label">${k}=${v}</span>`)}</p>
    <h2>Environments</h2>
    <table class="per-environment">
      <caption class="visually-hidden">Where it stands in each environment</caption>
      <thead><tr><th scope="col">Environment</th><th scope="col">State</th><th scope="col">Version</th><th scope="col">Commit</th><th scope="col">Connection auth</th></tr></thead>
      <tbody>${data.environments.map((e) => html`<tr key=${e.name}>
        <th scope="row"><${Link} href=${`/environments/${e.name}`}>${e.name}</${Link}></th>
        <td class=${`cell ${e.cell.state}`}><span class="state">${stateWord(e.cell.state)}</span>${e.cell.reason ? html`<br /><span class="cell-reason">${e.cell.reason}</span>` : ''}</td>
        <td><code>${e.cell.version ?? '—'}</code></td><td><${Commit} commit=${e.cell.commit} /></td><td>${e.authType ?? html`<span class="muted">not defined</span>`}</td>
      </tr>`)}</tbody>
    </table>
    <h2>Interface diff</h2>
    <${Diff} name=${data.name} environments=${data.environments} />
    <h2>Actions${data.artifactFrom ? ` (as published in ${data.artifactFrom})` : ''}</h2>
    ${data.actions.length === 0 ? html`<p class="muted">Not published anywhere yet.</p>` : html`<ul class="catalog">${data.actions.map((a) => html`<li key=${a.name}><code>${a.name}</code> <span class="muted">${a.kind}${a.entity ? ` of ${a.entity}` : ''}</span>${a.summary ? ` — ${a.summary}` : ''}</li>`)}</ul>`}
    ${data.declarations ? html`<details><summary>TypeScript declarations</summary><pre>${data.declarations}</pre></details>` : ''}
    ${data.manifest ? html`<details><summary>Manifest</summary><pre>${data.manifest}</pre></details>` : ''}
  </section>`;
}
