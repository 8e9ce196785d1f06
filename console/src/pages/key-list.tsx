import { useState } from 'preact/hooks';
import { kms, listAll, type Session } from '../api.ts';
import { facts, USAGE_LABELS } from '../facts.ts';
import { ErrorMessage, PageHeading, useLoad, useSession } from '../ui.tsx';

export interface KeyMetadata {
  KeyId: string;
  Arn: string;
  KeyState: string;
  KeySpec: string;
  KeyUsage: string;
  KeyManager: string;
  Description?: string;
  Origin: string;
  MultiRegion?: boolean;
  CreationDate?: number;
  DeletionDate?: number;
  CustomKeyStoreId?: string;
  ValidTo?: number;
  ExpirationModel?: string;
  MultiRegionConfiguration?: { MultiRegionKeyType?: string; PrimaryKey?: { Arn: string; Region: string }; ReplicaKeys?: { Arn: string; Region: string }[] };
  EncryptionAlgorithms?: string[];
  SigningAlgorithms?: string[];
  MacAlgorithms?: string[];
  KeyAgreementAlgorithms?: string[];
}

export interface AliasEntry { AliasName: string; AliasArn: string; TargetKeyId?: string; CreationDate?: number }

interface Row { key: KeyMetadata; aliases: string[] }

const PAGE_SIZE = 10;
/** DescribeKey calls in flight at once while listing. */
const PARALLEL = 6;

async function loadKeys(session: Session): Promise<Row[]> {
  const [keys, aliases] = await Promise.all([
    listAll<{ KeyId: string }>(session, 'ListKeys', { Limit: 1000 }, 'Keys'),
    listAll<AliasEntry>(session, 'ListAliases', { Limit: 100 }, 'Aliases'),
  ]);
  const described: KeyMetadata[] = [];
  for (let i = 0; i < keys.length; i += PARALLEL) {
    const batch = await Promise.all(keys.slice(i, i + PARALLEL).map((k) =>
      kms<{ KeyMetadata: KeyMetadata }>(session, 'DescribeKey', { KeyId: k.KeyId }).then((r) => r.KeyMetadata)));
    described.push(...batch);
  }
  return described
    .filter((k) => k.KeyManager === 'CUSTOMER')
    .sort((a, b) => (b.CreationDate ?? 0) - (a.CreationDate ?? 0))
    .map((key) => ({ key, aliases: aliases.filter((a) => a.TargetKeyId === key.KeyId).map((a) => a.AliasName.replace(/^alias\//, '')) }));
}

export function KeyList() {
  const session = useSession();
  const { data, error, loading, reload } = useLoad(() => loadKeys(session), [session.region]);
  const [search, setSearch] = useState('');
  const [state, setState] = useState('');
  const [spec, setSpec] = useState('');
  const [usage, setUsage] = useState('');
  const [page, setPage] = useState(0);

  const needle = search.trim().toLowerCase();
  const rows = (data ?? []).filter(({ key, aliases }) =>
    (!state || key.KeyState === state) && (!spec || key.KeySpec === spec) && (!usage || key.KeyUsage === usage) &&
    (!needle || [key.KeyId, key.Description ?? '', ...aliases].some((s) => s.toLowerCase().includes(needle))));
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const shown = rows.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  const filter = (set: (v: string) => void) => (e: Event) => { set((e.target as HTMLSelectElement).value); setPage(0); };

  return (
    <section aria-labelledby="keys-heading">
      <div class="page-head">
        <PageHeading><span id="keys-heading">Customer managed keys</span></PageHeading>
        <div class="actions">
          <button type="button" onClick={reload} disabled={loading}>Refresh</button>
          <a class="button primary" href="#/keys/create">Create key</a>
        </div>
      </div>
      <ErrorMessage error={error} />
      <div class="filters" role="search">
        <label>Search keys
          <input type="search" value={search} placeholder="Alias, key ID or description"
            onInput={(e) => { setSearch((e.target as HTMLInputElement).value); setPage(0); }} />
        </label>
        <label>Key state
          <select value={state} onChange={filter(setState)}>
            <option value="">Any state</option>
            {facts.keyStates.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>Key spec
          <select value={spec} onChange={filter(setSpec)}>
            <option value="">Any key spec</option>
            {facts.keySpecs.map((s) => <option key={s.spec} value={s.spec}>{s.spec}</option>)}
          </select>
        </label>
        <label>Key usage
          <select value={usage} onChange={filter(setUsage)}>
            <option value="">Any key usage</option>
            {Object.entries(USAGE_LABELS).map(([u, label]) => <option key={u} value={u}>{label}</option>)}
          </select>
        </label>
      </div>
      {loading && !data ? <p role="status">Loading keys…</p> : (
        <>
          <div class="table-wrap">
            <table class="cards">
              <caption class="visually-hidden">Customer managed keys in {session.region}</caption>
              <thead><tr><th scope="col">Aliases</th><th scope="col">Key ID</th><th scope="col">Status</th><th scope="col">Key spec</th><th scope="col">Key usage</th></tr></thead>
              <tbody>
                {shown.map(({ key, aliases }) => (
                  <tr key={key.KeyId}>
                    <td data-label="Aliases">{aliases.length ? aliases.join(', ') : '-'}</td>
                    <td data-label="Key ID"><a href={`#/keys/${key.KeyId}`}>{key.KeyId}</a></td>
                    <td data-label="Status"><span class={`state state-${key.KeyState}`}>{key.KeyState}</span></td>
                    <td data-label="Key spec">{key.KeySpec}</td>
                    <td data-label="Key usage">{USAGE_LABELS[key.KeyUsage] ?? key.KeyUsage}</td>
                  </tr>
                ))}
                {shown.length === 0 ? <tr><td colSpan={5}>{data?.length ? 'No key matches these filters.' : 'No customer managed keys in this Region yet.'}</td></tr> : null}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages of keys">
            <button type="button" onClick={() => setPage(current - 1)} disabled={current === 0}>Previous page</button>
            <span aria-live="polite">Page {current + 1} of {pages} ({rows.length} {rows.length === 1 ? 'key' : 'keys'})</span>
            <button type="button" onClick={() => setPage(current + 1)} disabled={current >= pages - 1}>Next page</button>
          </nav>
        </>
      )}
    </section>
  );
}
