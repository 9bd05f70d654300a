// "Reconcile now": the one change the dashboard can make, behind the API token, which is kept
// for this tab only and sent as a bearer header.
import { useState } from './vendor/preact-hooks.mjs';
import { apiToken, reconcileNow, setApiToken } from './api.js';
import { html } from './common.js';

/** "Reconcile now" for one environment, or from the source when none is named; asks for the API token. */
export function ReconcileNow({ environment }) {
  const what = environment ?? 'every environment';
  const [token, setToken] = useState(apiToken());
  const [result, setResult] = useState(undefined);
  const submit = async (event) => {
    event.preventDefault();
    setApiToken(token);
    setResult({ busy: true });
    try {
      await reconcileNow(environment);
      setResult({ ok: true, message: `Reconcile of ${what} queued.` });
    } catch (error) {
      setResult({ ok: false, message: `Refused: ${error.message}` });
    }
  };
  return html`<form class="reconcile" onSubmit=${submit} aria-labelledby="reconcile-title">
    <h2 id="reconcile-title">Reconcile now</h2>
    <label for="api-token">API token</label>
    <input id="api-token" type="password" autocomplete="off" value=${token} onInput=${(e) => setToken(e.currentTarget.value)} />
    <button type="submit" disabled=${result?.busy}>Reconcile ${what} now</button>
    ${result && !result.busy ? html`<p class=${result.ok ? 'ok' : 'refused'} role=${result.ok ? 'status' : 'alert'}>${result.message}</p>` : ''}
  </form>`;
}
