import { useState } from 'preact/hooks';
import { kms, type Session } from '../api.ts';
import { REGIONS } from '../facts.ts';
import { ErrorMessage } from '../ui.tsx';

/**
 * Sign in with an access key. The pair is checked with one signed ListKeys call, then kept in memory only: never
 * in a cookie or storage, and the secret is never sent (requests carry only signatures made from it).
 */
export function SignIn({ onSignIn }: { onSignIn: (session: Session) => void }) {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const [region, setRegion] = useState('us-east-1');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!accessKeyId.trim() || !secretAccessKey) {
      setError('Enter both the access key ID and the secret access key.');
      return;
    }
    const session: Session = { credentials: { accessKeyId: accessKeyId.trim(), secretAccessKey }, region };
    setBusy(true);
    setError(undefined);
    try {
      await kms(session, 'ListKeys', { Limit: 1 });
      onSignIn(session);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-heading" autoComplete="off">
        <h1 id="sign-in-heading">Sign in to Trent</h1>
        <p class="muted">Use an access key. In <code>trent dev</code> any access key works.</p>
        <ErrorMessage error={error} />
        <label>Access key ID
          <input name="accessKeyId" value={accessKeyId} onInput={(e) => setAccessKeyId((e.target as HTMLInputElement).value)}
            autoComplete="username" spellcheck={false} required />
        </label>
        <label>Secret access key
          <input name="secretAccessKey" type="password" value={secretAccessKey}
            onInput={(e) => setSecretAccessKey((e.target as HTMLInputElement).value)} autoComplete="current-password" required />
        </label>
        <label>Region
          <select value={region} onChange={(e) => setRegion((e.target as HTMLSelectElement).value)}>
            {REGIONS.map(([code, name]) => <option key={code} value={code}>{name} {code}</option>)}
          </select>
        </label>
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
