// Overview: every environment in promotion order, its conditions and why, the commit it observed
// against the branch head, its last apply, and how many integrations are in step, drifted, failing.
import { Commit, Conditions, Failed, Link, Loading, Time, html, useApi } from './common.js';
import { ReconcileNow } from './reconcile-now.js';

function Counts({ counts }) {
  const shown = [
    ['inStep', 'in step'],
    ['pending', 'pending'],
    ['breaking', 'breaking'],
    ['drifted', 'drifted'],
    ['failing', 'failing'],
    ['missing', 'missing'],
  ];
  return html`<dl class="counts">
    ${shown.map(([key, word]) => html`<div key=${key} class=${counts[key] > 0 && key !== 'inStep' ? `count ${key} nonzero` : `count ${key}`}><dt>${word}</dt><dd>${counts[key]}</dd></div>`)}
  </dl>`;
}

function EnvironmentCard({ environment, head }) {
  const atHead = head && environment.observedCommit === head;
  return html`<article class="environment-card" aria-labelledby=${`env-${environment.name}`}>
    <h2 id=${`env-${environment.name}`}><${Link} href=${`/environments/${environment.name}`}>${environment.name}</${Link}></h2>
    ${environment.promotesFrom ? html`<p class="muted">promotes from ${environment.promotesFrom}</p>` : ''}
    <${Conditions} conditions=${environment.conditions} />
    <dl class="facts">
      <div><dt>Commit observed</dt><dd><${Commit} commit=${environment.observedCommit} /> ${head ? (atHead ? html`<span class="badge good">at head</span>` : html`<span class="badge warn">behind head</span>`) : ''}</dd></div>
      <div><dt>Last apply</dt><dd>${environment.lastApplied ? html`<${Time} at=${environment.lastApplied.at} />, ${environment.lastApplied.actions} ${environment.lastApplied.actions === 1 ? 'action' : 'actions'} at <${Commit} commit=${environment.lastApplied.commit} />` : html`<span class="muted">none by this controller</span>`}</dd></div>
      <div><dt>Last reconcile</dt><dd><${Time} at=${environment.lastReconcileTime} />${environment.lastDurationMs !== undefined ? ` (${environment.lastDurationMs} ms)` : ''}</dd></div>
    </dl>
    <${Counts} counts=${environment.counts} />
  </article>`;
}

export function OverviewPage() {
  const { data, error } = useApi('/api/v1/overview');
  if (error) return html`<${Failed} error=${error} />`;
  if (!data) return html`<${Loading} />`;
  return html`<section aria-labelledby="overview-title">
    <h1 id="overview-title">Environments</h1>
    <p class="summary">${data.integrations} integrations; branch head <${Commit} commit=${data.head} />.</p>
    ${data.environments.length === 0 ? html`<p>No environment has been reconciled yet.</p>` : ''}
    <div class="environments">${data.environments.map((e) => html`<${EnvironmentCard} key=${e.name} environment=${e} head=${data.head} />`)}</div>
    <${ReconcileNow} />
  </section>`;
}
