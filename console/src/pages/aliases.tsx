import { useState } from 'preact/hooks';
import { kms, listAll } from '../api.ts';
import { ErrorMessage, formatDate, Notice, PageHeading, useLoad, useSession } from '../ui.tsx';
import type { AliasEntry } from './key-list.tsx';

/** Every alias in the Region: customer ones (which can be deleted here) and AWS managed ones (aws/…). */
export function AliasesPage() {
  const session = useSession();
  const { data, error, loading, reload } = useLoad(() => listAll<AliasEntry>(session, 'ListAliases', { Limit: 100 }, 'Aliases'), [session.region]);
  const [search, setSearch] = useState('');
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const needle = search.trim().toLowerCase();
  const shown = (data ?? []).filter((a) => !needle || a.AliasName.toLowerCase().includes(needle) || (a.TargetKeyId ?? '').includes(needle));
  const remove = async (name: string) => {
    setActionError(undefined);
    setNotice(undefined);
    try {
      await kms(session, 'DeleteAlias', { AliasName: name });
      setNotice(`The alias ${name} is deleted.`);
      reload();
    } catch (e) {
      setActionError(e);
    }
  };
  return (
    <section aria-labelledby="aliases-page-heading">
      <div class="page-head"><PageHeading><span id="aliases-page-heading">Aliases</span></PageHeading></div>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorMessage error={actionError ?? error} />
      <div class="filters" role="search">
        <label>Search aliases<input type="search" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} /></label>
      </div>
      {loading && !data ? <p role="status">Loading aliases…</p> : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Aliases in {session.region}</caption>
            <thead><tr><th scope="col">Alias name</th><th scope="col">Key ID</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {shown.map((a) => (
                <tr key={a.AliasName}>
                  <td class="mono">{a.AliasName}</td>
                  <td>{a.TargetKeyId ? <a href={`#/keys/${a.TargetKeyId}`}>{a.TargetKeyId}</a> : '-'}</td>
                  <td>{formatDate(a.CreationDate)}</td>
                  <td>{a.AliasName.startsWith('alias/aws/') ? <span class="muted">AWS managed</span>
                    : <button type="button" class="link" aria-label={`Delete alias ${a.AliasName}`} onClick={() => remove(a.AliasName)}>Delete</button>}</td>
                </tr>
              ))}
              {shown.length === 0 ? <tr><td colSpan={4}>{data?.length ? 'No alias matches.' : 'No aliases in this Region yet.'}</td></tr> : null}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
