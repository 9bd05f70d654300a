// Environment: its status and why, the pending plan as a pull request's check shows it (breaking
// changes first), the gate and the approvals needed and given, the history of its status
// commits, and "reconcile now".
import { Commit, Conditions, Failed, Loading, Time, html, useApi } from './common.js';
import { ReconcileNow } from './reconcile-now.js';

function Plan({ plan }) {
  if (!plan) return html`<p class="muted">No plan yet: the environment was not reconciled.</p>`;
  const broken = Object.entries(plan.breakingChanges);
  return html`<div class="plan">
    <p>${plan.state === 'applied' ? 'The last plan was applied; nothing is pending.' : html`<strong>${plan.actions.length} actions pending</strong>`} (at <${Commit} commit=${plan.commit} />)</p>
    ${plan.blocked ? html`<p class="refused" role="alert"><strong>Blocked (${plan.blocked.reason})</strong>: ${plan.blocked.message}</p>` : ''}
    ${plan.actions.length > 0 && plan.state === 'pending' ? html`<table class="actions">
      <caption class="visually-hidden">Actions of the pending plan, breaking first</caption>
      <thead><tr><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Reason</th><th scope="col">Detail</th></tr></thead>
      <tbody>${plan.actions.map((a, i) => html`<tr key=${i} class=${a.breaking ? 'breaking' : a.destructive ? 'destructive' : ''}>
        <td>${a.verb}${a.breaking ? html` <span class="badge bad">breaking</span>` : ''}</td><td>${a.target}</td><td>${a.reason}</td><td><code>${a.detail}</code></td>
      </tr>`)}</tbody>
    </table>` : ''}
    ${broken.length > 0 ? html`<h3>Breaking interface changes</h3><ul>${broken.map(([name, changes]) => changes.map((c) => html`<li>${name}: ${c}</li>`))}</ul>` : ''}
    ${plan.notices.length > 0 ? html`<h3>Noticed, left alone</h3><ul class="notices">${plan.notices.map((n) => html`<li><span class="badge warn">${n.type}</span> ${n.kind.toLowerCase()} ${n.name}: ${n.message}</li>`)}</ul>` : ''}
    <details><summary>The plan as the CLI prints it</summary><pre>${plan.text}</pre></details>
  </div>`;
}

function Gate({ view }) {
  const { gate, approvals } = view;
  return html`<div class="gate">
    ${gate ? html`<p>Gate: <strong>${gate.allowed ? 'allowed' : 'waiting'}</strong> (${gate.reason})${gate.message ? `: ${gate.message}` : ''}</p>` : ''}
    <p>Approvals: ${approvals.required === 0 ? 'none needed' : html`${approvals.given.length} of ${approvals.required} given${approvals.given.length > 0 ? ` (${approvals.given.join(', ')})` : ''}`}${view.spec?.policy?.approvers?.length ? html`; from ${view.spec.policy.approvers.join(', ')}` : ''}</p>
  </div>`;
}

function History({ history }) {
  if (history.length === 0) return html`<p class="muted">No status commit yet.</p>`;
  return html`<ol class="history">${history.map((entry) => html`<li key=${entry.commit}>
    <${Time} at=${entry.at} /> — ${entry.message} ${entry.url ? html`<a href=${entry.url}>commit <code>${entry.commit.slice(0, 7)}</code></a>` : html`<${Commit} commit=${entry.commit} />`}${entry.checksUrl ? html` · <a href=${entry.checksUrl}>check runs</a>` : ''}
  </li>`)}</ol>`;
}

export function EnvironmentPage({ name }) {
  const { data, error } = useApi(`/api/v1/environments/${encodeURIComponent(name)}`);
  if (error) return html`<${Failed} error=${error} what="environment" name=${name} />`;
  if (!data) return html`<${Loading} />`;
  const spec = data.spec;
  return html`<section aria-labelledby="environment-title">
    <h1 id="environment-title">Environment ${data.name}</h1>
    ${spec ? html`<p class="summary">${spec.description ?? ''} Driver ${spec.driver}${spec.promotesFrom ? `, promotes from ${spec.promotesFrom}` : ''}; auto-apply ${spec.policy.autoApply === false ? 'off' : 'on'}, breaking changes ${spec.policy.allowBreaking ? 'allowed' : 'refused'}, self-heal ${spec.policy.selfHeal ? 'on' : 'off'}.</p>` : ''}
    <h2>Status</h2>
    <${Conditions} conditions=${data.status?.conditions} />
    <p>Observed <${Commit} commit=${data.status?.observedCommit} />, last reconciled <${Time} at=${data.status?.lastReconcileTime} />.</p>
    ${data.problems.length > 0 ? html`<h2>Problems</h2><ul class="problems">${data.problems.map((p) => html`<li><code>${p}</code></li>`)}</ul>` : ''}
    <h2>Plan</h2>
    <${Plan} plan=${data.plan} />
    <h2>Gate and approvals</h2>
    <${Gate} view=${data} />
    <${ReconcileNow} environment=${data.name} />
    <h2>History on the status branch</h2>
    <${History} history=${data.history} />
  </section>`;
}
