// Pieces every view uses: the html tag, data loading that follows live updates, and the small
// components that show a condition, a commit, a time or the state of a cell.
import { h, createContext } from './vendor/preact.mjs';
import { useContext, useEffect, useState } from './vendor/preact-hooks.mjs';
import htm from './vendor/htm.mjs';
import { getJson } from './api.js';

export const html = htm.bind(h);

/** Grows at every status event: views that read it load again. */
export const Tick = createContext(0);

/** Navigates without a reload (links inside the dashboard), keeping the URL linkable. */
export function navigate(href) {
  history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** A link inside the dashboard. */
export function Link({ href, children, ...rest }) {
  const onClick = (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}

/** `{ data, error }` of an API path, loaded again when the path changes or a status event arrives. */
export function useApi(path) {
  const tick = useContext(Tick);
  const [state, setState] = useState({ path, data: undefined, error: undefined });
  useEffect(() => {
    let current = true;
    getJson(path).then(
      (data) => current && setState({ path, data, error: undefined }),
      (error) => current && setState({ path, data: undefined, error }),
    );
    return () => {
      current = false;
    };
  }, [path, tick]);
  // Data of another path is not shown while the new one loads.
  return state.path === path ? state : { path, data: undefined, error: undefined };
}

export function Loading() {
  return html`<p class="loading" role="status">Loading…</p>`;
}

/** The page for what is not there: says what was asked for and where to go instead. */
export function NotFound({ what, name, message }) {
  return html`<section class="not-found" aria-labelledby="not-found-title">
    <h1 id="not-found-title">No ${what} named “${name}”</h1>
    <p>${message ?? `The controller knows no ${what} of that name.`}</p>
    <p><${Link} href="/">Back to the overview</${Link}> or look it up in the <${Link} href="/matrix">matrix</${Link}>.</p>
  </section>`;
}

/** An error of the API, or the not-found page when it answered 404. */
export function Failed({ error, what, name }) {
  if (error.status === 404 && what) return html`<${NotFound} what=${what} name=${name} message=${error.message} />`;
  return html`<div class="error" role="alert"><h1>Cannot load this page</h1><p>${error.message}</p></div>`;
}

export function shortCommit(commit) {
  return commit ? commit.slice(0, 7) : '—';
}

export function Commit({ commit }) {
  return commit ? html`<code title=${commit}>${shortCommit(commit)}</code>` : html`<span class="muted">none</span>`;
}

export function Time({ at }) {
  if (!at) return html`<span class="muted">never</span>`;
  return html`<time datetime=${at} title=${at}>${new Date(at).toLocaleString()}</time>`;
}

const CELL_WORDS = {
  inStep: 'in step',
  pending: 'pending',
  breaking: 'breaking',
  drifted: 'drifted',
  failing: 'failing',
  missing: 'missing',
  notTargeted: 'not targeted',
};

export function stateWord(state) {
  return CELL_WORDS[state] ?? state;
}

/** A condition as a badge: its type, status and reason; the message on its own line. */
export function ConditionBadge({ condition }) {
  const tone = condition.type === 'Ready' ? (condition.status === 'True' ? 'good' : 'bad') : condition.status === 'True' ? 'warn' : 'neutral';
  return html`<span class=${`badge ${tone}`}>${condition.type}${condition.status === 'True' ? '' : `=${condition.status}`}</span>`;
}

/** Every condition of an environment with its reason and message. */
export function Conditions({ conditions }) {
  if (!conditions || conditions.length === 0) return html`<p class="muted">Not reconciled yet.</p>`;
  return html`<ul class="conditions">
    ${conditions.map((c) => html`<li key=${c.type}><${ConditionBadge} condition=${c} /> <strong class="reason">${c.reason}</strong>${c.message ? html`: <span class="message">${c.message}</span>` : ''}</li>`)}
  </ul>`;
}
