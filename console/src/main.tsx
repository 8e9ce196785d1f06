import { render } from 'preact';
import { useState } from 'preact/hooks';
import type { Session } from './api.ts';
import { REGIONS } from './facts.ts';
import { AliasesPage } from './pages/aliases.tsx';
import { CreateKeyWizard } from './pages/create-key.tsx';
import { KeyDetails } from './pages/key-details.tsx';
import { KeyList } from './pages/key-list.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { SessionContext, useRoute } from './ui.tsx';
import './styles.css';

/** The session lives in this tab's memory only: reloading the page or signing out forgets the secret. */
function App() {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const route = useRoute();
  if (!session) return <SignIn onSignIn={setSession} />;
  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <span class="brand">Trent <span class="muted">Key Management Service</span></span>
        <label class="region">
          Region
          <select value={session.region} onChange={(e) => setSession({ ...session, region: (e.target as HTMLSelectElement).value })}>
            {REGIONS.map(([code, name]) => <option key={code} value={code}>{name} {code}</option>)}
            {REGIONS.some(([code]) => code === session.region) ? null : <option value={session.region}>{session.region}</option>}
          </select>
        </label>
        <span class="who" title="Access key ID">{session.credentials.accessKeyId}</span>
        <button type="button" class="link" onClick={() => { setSession(undefined); location.hash = ''; }}>Sign out</button>
      </header>
      <div class="layout">
        <nav class="side" aria-label="Navigation pane">
          <ul>
            <li><a href="#/keys" aria-current={route.startsWith('/keys') ? 'page' : undefined}>Customer managed keys</a></li>
            <li><a href="#/aliases" aria-current={route === '/aliases' ? 'page' : undefined}>Aliases</a></li>
          </ul>
        </nav>
        <main id="main" tabIndex={-1} key={`${session.region}${route}`}>
          <Page route={route} />
        </main>
      </div>
    </SessionContext.Provider>
  );
}

function Page({ route }: { route: string }) {
  const [path, search] = route.split('?') as [string, string | undefined];
  if (path === '/keys/create') return <CreateKeyWizard />;
  if (path.startsWith('/keys/')) {
    const created = new URLSearchParams(search ?? '').get('created') ?? undefined;
    return <KeyDetails keyId={decodeURIComponent(path.slice('/keys/'.length))} created={created} />;
  }
  if (path === '/aliases') return <AliasesPage />;
  return <KeyList />;
}

render(<App />, document.getElementById('app')!);
