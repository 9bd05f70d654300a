// The dashboard: one page per URL (/, /matrix, /environments/<name>, /integrations/<name>),
// rendered with Preact from the controller's API, and rendered again on every status event.
import { render } from './vendor/preact.mjs';
import { useEffect, useState } from './vendor/preact-hooks.mjs';
import { followEvents } from './api.js';
import { Link, Tick, html } from './common.js';
import { EnvironmentPage } from './environment.js';
import { IntegrationPage } from './integration.js';
import { MatrixPage } from './matrix.js';
import { OverviewPage } from './overview.js';

function route(pathname, search) {
  const match = /^\/(environments|integrations)\/([^/]+)\/?$/.exec(pathname);
  if (match) {
    const name = decodeURIComponent(match[2]);
    return match[1] === 'environments' ? html`<${EnvironmentPage} key=${name} name=${name} />` : html`<${IntegrationPage} key=${name} name=${name} />`;
  }
  if (pathname === '/matrix') return html`<${MatrixPage} search=${search} />`;
  if (pathname === '/') return html`<${OverviewPage} />`;
  return html`<section><h1>No such page</h1><p>The dashboard has no page at ${pathname}. <${Link} href="/">Back to the overview</${Link}>.</p></section>`;
}

function useLocation() {
  const [location, setLocation] = useState({ pathname: window.location.pathname, search: window.location.search });
  useEffect(() => {
    const changed = () => setLocation({ pathname: window.location.pathname, search: window.location.search });
    addEventListener('popstate', changed);
    return () => removeEventListener('popstate', changed);
  }, []);
  return location;
}

function App() {
  const { pathname, search } = useLocation();
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState('connecting');
  const [last, setLast] = useState(undefined);
  useEffect(
    () =>
      followEvents(
        (event) => {
          setLast(event);
          setTick((t) => t + 1);
        },
        setLive,
      ),
    [],
  );
  const current = (href) => (href === '/' ? pathname === '/' : pathname.startsWith(href)) ? 'page' : undefined;
  return html`<${Tick.Provider} value=${tick}>
    <header class="top">
      <span class="brand">intctl</span>
      <nav aria-label="Views">
        <${Link} href="/" aria-current=${current('/')}>Overview</${Link}>
        <${Link} href="/matrix" aria-current=${current('/matrix')}>Matrix</${Link}>
      </nav>
      <p class=${`live ${live}`} role="status" aria-live="polite">${live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Reconnecting…'}${last ? ` — ${last.environment}: ${last.reason}` : ''}</p>
    </header>
    <main id="main">${route(pathname, search)}</main>
  </${Tick.Provider}>`;
}

const root = document.getElementById('app');
// The placeholder shown while the modules load goes; the app takes its place.
root.textContent = '';
render(html`<${App} />`, root);
