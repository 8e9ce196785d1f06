import { useRef, useState } from 'preact/hooks';
import { kms, listAll, type Session } from '../api.ts';
import { facts, isAsymmetricSpec, ORIGIN_LABELS, USAGE_LABELS, WAITING_PERIOD } from '../facts.ts';
import { policyProblem } from '../key-policy.ts';
import { Definition, ErrorMessage, formatDate, Notice, PageHeading, useLoad, useSession } from '../ui.tsx';
import type { AliasEntry, KeyMetadata } from './key-list.tsx';

interface Grant { GrantId: string; Name?: string; GranteePrincipal?: string; RetiringPrincipal?: string; Operations?: string[]; CreationDate?: number }
interface Tag { TagKey: string; TagValue: string }

interface Loaded {
  key: KeyMetadata;
  aliases: AliasEntry[];
  tags: Tag[];
  policy: string;
  grants: Grant[] | { error: unknown };
}

async function loadKey(session: Session, keyId: string): Promise<Loaded> {
  const { KeyMetadata: key } = await kms<{ KeyMetadata: KeyMetadata }>(session, 'DescribeKey', { KeyId: keyId });
  const [aliases, tags, policy, grants] = await Promise.all([
    listAll<AliasEntry>(session, 'ListAliases', { KeyId: key.KeyId, Limit: 100 }, 'Aliases'),
    listAll<Tag>(session, 'ListResourceTags', { KeyId: key.KeyId, Limit: 50 }, 'Tags'),
    kms<{ Policy: string }>(session, 'GetKeyPolicy', { KeyId: key.KeyId, PolicyName: 'default' }).then((r) => r.Policy),
    listAll<Grant>(session, 'ListGrants', { KeyId: key.KeyId, Limit: 100 }, 'Grants').catch((error: unknown) => ({ error })),
  ]);
  return { key, aliases, tags, policy, grants };
}

/** Rotation applies to symmetric encryption keys whose material KMS made (not imported, not in a custom key store). */
function rotates(key: KeyMetadata): boolean {
  return key.KeySpec === 'SYMMETRIC_DEFAULT' && key.Origin === 'AWS_KMS';
}

export function KeyDetails({ keyId, created }: { keyId: string; created?: string | undefined }) {
  const session = useSession();
  const { data, error, loading, reload } = useLoad(() => loadKey(session, keyId), [keyId, session.region]);
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>(created ? `Your KMS key was created with alias ${created}.` : undefined);
  const [busy, setBusy] = useState(false);

  /** Runs a change, then reloads the key so every section shows what the server now holds. */
  const act = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setActionError(undefined);
    setNotice(undefined);
    try {
      await what();
      setNotice(done);
      reload();
      return true;
    } catch (e) {
      setActionError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (!data) {
    return (
      <section>
        <p><a href="#/keys">Customer managed keys</a></p>
        <PageHeading>{keyId}</PageHeading>
        {loading ? <p role="status">Loading the key…</p> : <ErrorMessage error={error} />}
      </section>
    );
  }
  const { key } = data;
  const pending = key.KeyState === 'PendingDeletion';
  const title = data.aliases[0]?.AliasName.replace(/^alias\//, '') ?? key.KeyId;
  return (
    <section aria-labelledby="key-heading">
      <p class="crumbs"><a href="#/keys">Customer managed keys</a> / {title}</p>
      <div class="page-head">
        <PageHeading><span id="key-heading">{title}</span></PageHeading>
        <div class="actions" role="group" aria-label="Key actions">
          {key.KeyState === 'Enabled' ? <button type="button" disabled={busy} onClick={() => act(() => kms(session, 'DisableKey', { KeyId: key.KeyId }), 'The key is disabled.')}>Disable</button> : null}
          {key.KeyState === 'Disabled' ? <button type="button" disabled={busy} onClick={() => act(() => kms(session, 'EnableKey', { KeyId: key.KeyId }), 'The key is enabled.')}>Enable</button> : null}
          {pending
            ? <button type="button" disabled={busy} onClick={() => act(() => kms(session, 'CancelKeyDeletion', { KeyId: key.KeyId }), 'Key deletion is cancelled. The key is disabled: enable it to use it again.')}>Cancel key deletion</button>
            : <ScheduleDeletion disabled={busy} onSchedule={(days) => act(() => kms(session, 'ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: days }), `The key is scheduled for deletion in ${days} days.`)} />}
        </div>
      </div>
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorMessage error={actionError} />
      {loading ? <p role="status" class="muted">Refreshing…</p> : null}

      <section class="panel" aria-labelledby="general-heading">
        <h2 id="general-heading">General configuration</h2>
        <dl class="grid">
          <Definition term="Key ID"><span class="mono">{key.KeyId}</span></Definition>
          <Definition term="ARN"><span class="mono">{key.Arn}</span></Definition>
          <Definition term="Status"><span class={`state state-${key.KeyState}`}>{key.KeyState}</span></Definition>
          <Definition term="Creation date">{formatDate(key.CreationDate)}</Definition>
          {pending ? <Definition term="Scheduled deletion date">{formatDate(key.DeletionDate)}</Definition> : null}
          <Definition term="Regionality">{key.MultiRegion ? `Multi-Region (${key.MultiRegionConfiguration?.MultiRegionKeyType?.toLowerCase() ?? ''})` : 'Single Region'}</Definition>
        </dl>
        <DescriptionEditor keyId={key.KeyId} description={key.Description ?? ''} disabled={busy || pending} act={act} />
      </section>

      <section class="panel" aria-labelledby="crypto-heading">
        <h2 id="crypto-heading">Cryptographic configuration</h2>
        <dl class="grid">
          <Definition term="Key type">{isAsymmetricSpec(key.KeySpec) ? 'Asymmetric' : 'Symmetric'}</Definition>
          <Definition term="Key spec">{key.KeySpec}</Definition>
          <Definition term="Key usage">{USAGE_LABELS[key.KeyUsage] ?? key.KeyUsage}</Definition>
          <Definition term="Origin">{ORIGIN_LABELS[key.Origin] ?? key.Origin}</Definition>
          {key.EncryptionAlgorithms ? <Definition term="Encryption algorithms">{key.EncryptionAlgorithms.join(', ')}</Definition> : null}
          {key.SigningAlgorithms ? <Definition term="Signing algorithms">{key.SigningAlgorithms.join(', ')}</Definition> : null}
          {key.MacAlgorithms ? <Definition term="MAC algorithms">{key.MacAlgorithms.join(', ')}</Definition> : null}
          {key.KeyAgreementAlgorithms ? <Definition term="Key agreement algorithms">{key.KeyAgreementAlgorithms.join(', ')}</Definition> : null}
        </dl>
      </section>

      {key.Origin === 'EXTERNAL' ? (
        <section class="panel" aria-labelledby="material-heading">
          <h2 id="material-heading">Key material</h2>
          <dl class="grid">
            <Definition term="Key material">{key.KeyState === 'PendingImport' ? 'Not imported yet (the key waits for its key material)' : 'Imported'}</Definition>
            <Definition term="Expiration">{key.ExpirationModel === 'KEY_MATERIAL_EXPIRES' ? formatDate(key.ValidTo) : key.ExpirationModel ? 'Does not expire' : '-'}</Definition>
          </dl>
        </section>
      ) : null}
      {key.CustomKeyStoreId ? (
        <section class="panel" aria-labelledby="store-heading">
          <h2 id="store-heading">Custom key store</h2>
          <dl class="grid"><Definition term="Custom key store ID"><span class="mono">{key.CustomKeyStoreId}</span></Definition></dl>
        </section>
      ) : null}
      {key.MultiRegionConfiguration ? (
        <section class="panel" aria-labelledby="regions-heading">
          <h2 id="regions-heading">Regionality</h2>
          <dl class="grid">
            <Definition term="Primary key">{key.MultiRegionConfiguration.PrimaryKey ? `${key.MultiRegionConfiguration.PrimaryKey.Region}: ${key.MultiRegionConfiguration.PrimaryKey.Arn}` : '-'}</Definition>
            <Definition term="Replica keys">{key.MultiRegionConfiguration.ReplicaKeys?.length ? key.MultiRegionConfiguration.ReplicaKeys.map((r) => r.Region).join(', ') : 'None'}</Definition>
          </dl>
        </section>
      ) : null}

      <AliasesPanel session={session} keyId={key.KeyId} aliases={data.aliases} disabled={busy} act={act} />
      <TagsPanel session={session} keyId={key.KeyId} tags={data.tags} disabled={busy || pending} act={act} />
      <PolicyPanel session={session} keyId={key.KeyId} policy={data.policy} disabled={busy} act={act} />
      {rotates(key) ? <RotationPanel session={session} keyId={key.KeyId} disabled={busy || key.KeyState !== 'Enabled'} act={act} /> : null}
      {isAsymmetricSpec(key.KeySpec) ? <PublicKeyPanel session={session} keyId={key.KeyId} disabled={key.KeyState === 'PendingImport'} /> : null}
      <GrantsPanel session={session} keyId={key.KeyId} grants={data.grants} disabled={busy} act={act} />
    </section>
  );
}

type Act = (what: () => Promise<unknown>, done: string) => Promise<boolean>;

function ScheduleDeletion({ disabled, onSchedule }: { disabled: boolean; onSchedule: (days: number) => Promise<boolean> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [days, setDays] = useState(String(WAITING_PERIOD.default));
  const [confirmed, setConfirmed] = useState(false);
  const n = Number(days);
  const valid = Number.isInteger(n) && n >= WAITING_PERIOD.min && n <= WAITING_PERIOD.max;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!valid || !confirmed) return;
    dialog.current?.close();
    await onSchedule(n);
  };
  return (
    <>
      <button type="button" class="danger" disabled={disabled} onClick={() => { setConfirmed(false); dialog.current?.showModal(); }}>Schedule key deletion</button>
      <dialog ref={dialog} aria-labelledby="delete-heading">
        <form onSubmit={submit}>
          <h2 id="delete-heading">Schedule key deletion</h2>
          <p>After the waiting period the key and its key material are deleted, and data encrypted under it can never be decrypted
            again. Until then you can cancel the deletion.</p>
          <label>Waiting period (in days)
            <input type="number" min={WAITING_PERIOD.min} max={WAITING_PERIOD.max} value={days} required aria-describedby="days-hint"
              aria-invalid={valid ? undefined : true} onInput={(e) => setDays((e.target as HTMLInputElement).value)} />
          </label>
          <p class="hint" id="days-hint">Between {WAITING_PERIOD.min} and {WAITING_PERIOD.max} days.</p>
          <label class="check">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed((e.target as HTMLInputElement).checked)} />
            Confirm that you want to schedule this key to be deleted after a {valid ? n : '…'} day waiting period.
          </label>
          <div class="wizard-buttons">
            <button type="button" onClick={() => dialog.current?.close()}>Cancel</button>
            <button type="submit" class="danger" disabled={!valid || !confirmed}>Schedule deletion</button>
          </div>
        </form>
      </dialog>
    </>
  );
}

function DescriptionEditor({ keyId, description, disabled, act }: { keyId: string; description: string; disabled: boolean; act: Act }) {
  const session = useSession();
  const [editing, setEditing] = useState<string | undefined>();
  if (editing === undefined) {
    return (
      <dl class="grid">
        <Definition term="Description">
          {description || '-'} <button type="button" class="link" disabled={disabled} onClick={() => setEditing(description)}>Edit description</button>
        </Definition>
      </dl>
    );
  }
  return (
    <form class="inline-form" onSubmit={async (e) => {
      e.preventDefault();
      if (await act(() => kms(session, 'UpdateKeyDescription', { KeyId: keyId, Description: editing }), 'The description is saved.')) setEditing(undefined);
    }}>
      <label>Description
        <textarea rows={2} value={editing} maxLength={facts.description.max} onInput={(e) => setEditing((e.target as HTMLTextAreaElement).value)} />
      </label>
      <div class="wizard-buttons">
        <button type="button" onClick={() => setEditing(undefined)}>Cancel</button>
        <button type="submit" class="primary">Save description</button>
      </div>
    </form>
  );
}

function AliasesPanel({ session, keyId, aliases, disabled, act }: { session: Session; keyId: string; aliases: AliasEntry[]; disabled: boolean; act: Act }) {
  const [name, setName] = useState('');
  return (
    <section class="panel" aria-labelledby="aliases-heading">
      <h2 id="aliases-heading">Aliases</h2>
      <ul class="plain">
        {aliases.map((a) => (
          <li key={a.AliasName} class="row">
            <span class="mono">{a.AliasName}</span>
            <button type="button" class="link" disabled={disabled} aria-label={`Delete alias ${a.AliasName}`}
              onClick={() => act(() => kms(session, 'DeleteAlias', { AliasName: a.AliasName }), `The alias ${a.AliasName} is deleted.`)}>Delete</button>
          </li>
        ))}
        {aliases.length === 0 ? <li>This key has no alias.</li> : null}
      </ul>
      <form class="inline-form" onSubmit={async (e) => {
        e.preventDefault();
        const alias = name.trim().startsWith('alias/') ? name.trim() : `alias/${name.trim()}`;
        if (await act(() => kms(session, 'CreateAlias', { AliasName: alias, TargetKeyId: keyId }), `The alias ${alias} is created.`)) setName('');
      }}>
        <label>New alias
          <input value={name} required spellcheck={false} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={disabled}>Create alias</button>
      </form>
    </section>
  );
}

function TagsPanel({ session, keyId, tags, disabled, act }: { session: Session; keyId: string; tags: Tag[]; disabled: boolean; act: Act }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  return (
    <section class="panel" aria-labelledby="tags-heading">
      <h2 id="tags-heading">Tags</h2>
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">Tag key</th><th scope="col">Tag value</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {tags.map((t) => (
              <tr key={t.TagKey}>
                <td>{t.TagKey}</td><td>{t.TagValue}</td>
                <td><button type="button" class="link" disabled={disabled} aria-label={`Remove tag ${t.TagKey}`}
                  onClick={() => act(() => kms(session, 'UntagResource', { KeyId: keyId, TagKeys: [t.TagKey] }), `The tag ${t.TagKey} is removed.`)}>Remove</button></td>
              </tr>
            ))}
            {tags.length === 0 ? <tr><td colSpan={3}>No tags.</td></tr> : null}
          </tbody>
        </table>
      </div>
      <form class="inline-form" onSubmit={async (e) => {
        e.preventDefault();
        if (await act(() => kms(session, 'TagResource', { KeyId: keyId, Tags: [{ TagKey: key.trim(), TagValue: value }] }), `The tag ${key.trim()} is saved.`)) {
          setKey('');
          setValue('');
        }
      }}>
        <label>Tag key<input value={key} required maxLength={facts.tagKey.max} onInput={(e) => setKey((e.target as HTMLInputElement).value)} /></label>
        <label>Tag value<input value={value} maxLength={facts.tagValue.max} onInput={(e) => setValue((e.target as HTMLInputElement).value)} /></label>
        <button type="submit" disabled={disabled}>Add tag</button>
      </form>
    </section>
  );
}

function PolicyPanel({ session, keyId, policy, disabled, act }: { session: Session; keyId: string; policy: string; disabled: boolean; act: Act }) {
  const [editing, setEditing] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const pretty = (() => { try { return JSON.stringify(JSON.parse(policy), null, 2); } catch { return policy; } })();
  return (
    <section class="panel" aria-labelledby="policy-heading">
      <h2 id="policy-heading">Key policy</h2>
      {editing === undefined ? (
        <>
          <pre class="policy" tabIndex={0} aria-labelledby="policy-heading">{pretty}</pre>
          <button type="button" disabled={disabled} onClick={() => { setProblem(undefined); setEditing(pretty); }}>Edit key policy</button>
        </>
      ) : (
        <form onSubmit={async (e) => {
          e.preventDefault();
          const found = policyProblem(editing);
          setProblem(found);
          if (found) return;
          if (await act(() => kms(session, 'PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: editing }), 'The key policy is saved.')) setEditing(undefined);
        }}>
          <label for="policy-editor">Key policy (JSON)</label>
          <textarea id="policy-editor" class="policy" rows={18} spellcheck={false} value={editing} aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? 'policy-problem' : undefined} onInput={(e) => { setEditing((e.target as HTMLTextAreaElement).value); setProblem(undefined); }} />
          {problem ? <p class="field-error" id="policy-problem" role="alert">{problem}</p> : null}
          <div class="wizard-buttons">
            <button type="button" onClick={() => setEditing(undefined)}>Cancel</button>
            <button type="submit" class="primary" disabled={disabled}>Save changes</button>
          </div>
        </form>
      )}
    </section>
  );
}

function RotationPanel({ session, keyId, disabled, act }: { session: Session; keyId: string; disabled: boolean; act: Act }) {
  const { data, error, reload } = useLoad(async () => {
    const [status, rotations] = await Promise.all([
      kms<{ KeyRotationEnabled: boolean; RotationPeriodInDays?: number; NextRotationDate?: number }>(session, 'GetKeyRotationStatus', { KeyId: keyId }),
      listAll<{ RotationDate?: number; RotationType?: string }>(session, 'ListKeyRotations', { KeyId: keyId, Limit: 100 }, 'Rotations'),
    ]);
    return { status, rotations };
  }, [keyId]);
  const [enabled, setEnabled] = useState<boolean | undefined>();
  const [period, setPeriod] = useState<string | undefined>();
  if (!data) return <section class="panel"><h2>Key rotation</h2>{error ? <ErrorMessage error={error} /> : <p role="status">Loading…</p>}</section>;
  const on = enabled ?? data.status.KeyRotationEnabled;
  const days = period ?? String(data.status.RotationPeriodInDays ?? 365);
  const save = () => act(() => (on
    ? kms(session, 'EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: Number(days) })
    : kms(session, 'DisableKeyRotation', { KeyId: keyId })).then(reload), on ? `Automatic rotation every ${days} days is on.` : 'Automatic rotation is off.');
  return (
    <section class="panel" aria-labelledby="rotation-heading">
      <h2 id="rotation-heading">Key rotation</h2>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <label class="check">
          <input type="checkbox" checked={on} onChange={(e) => setEnabled((e.target as HTMLInputElement).checked)} />
          Automatically rotate this KMS key
        </label>
        <label>Rotation period (in days)
          <input type="number" min={facts.rotationPeriod.min} max={facts.rotationPeriod.max} value={days} disabled={!on}
            onInput={(e) => setPeriod((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={disabled}>Save rotation</button>
      </form>
      {data.status.NextRotationDate ? <p>Next automatic rotation: {formatDate(data.status.NextRotationDate)}</p> : null}
      <button type="button" disabled={disabled} onClick={() => act(() => kms(session, 'RotateKeyOnDemand', { KeyId: keyId }).then(reload), 'The key is being rotated now.')}>Rotate now</button>
      <h3>Rotation history</h3>
      {data.rotations.length ? (
        <ul class="plain">{data.rotations.map((r, i) => <li key={i}>{formatDate(r.RotationDate)} ({r.RotationType === 'ON_DEMAND' ? 'on demand' : 'automatic'})</li>)}</ul>
      ) : <p>The key has not been rotated.</p>}
    </section>
  );
}

/** DER (base64, as GetPublicKey returns it) as a PEM SubjectPublicKeyInfo, the form openssl and most tools read. */
function pem(der64: string): string {
  return `-----BEGIN PUBLIC KEY-----\n${der64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

function PublicKeyPanel({ session, keyId, disabled }: { session: Session; keyId: string; disabled: boolean }) {
  const { data, error } = useLoad(() => (disabled ? Promise.resolve(undefined)
    : kms<{ PublicKey: string }>(session, 'GetPublicKey', { KeyId: keyId }).then((r) => pem(r.PublicKey))), [keyId, disabled]);
  const download = () => {
    if (!data) return;
    const url = URL.createObjectURL(new Blob([data], { type: 'application/x-pem-file' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${keyId}.pem`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <section class="panel" aria-labelledby="public-key-heading">
      <h2 id="public-key-heading">Public key</h2>
      <ErrorMessage error={error} />
      {disabled ? <p>The key has no key material yet.</p> : null}
      {data ? <pre class="policy" tabIndex={0} aria-labelledby="public-key-heading">{data}</pre> : null}
      <button type="button" disabled={!data} onClick={download}>Download public key</button>
    </section>
  );
}

function GrantsPanel({ session, keyId, grants, disabled, act }: { session: Session; keyId: string; grants: Grant[] | { error: unknown }; disabled: boolean; act: Act }) {
  return (
    <section class="panel" aria-labelledby="grants-heading">
      <h2 id="grants-heading">Grants</h2>
      {'error' in grants ? <ErrorMessage error={grants.error} /> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Grant ID</th><th scope="col">Name</th><th scope="col">Grantee principal</th><th scope="col">Operations</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {grants.map((g) => (
                <tr key={g.GrantId}>
                  <td class="mono">{g.GrantId.slice(0, 12)}…</td><td>{g.Name ?? '-'}</td><td class="mono">{g.GranteePrincipal ?? '-'}</td>
                  <td>{g.Operations?.join(', ')}</td><td>{formatDate(g.CreationDate)}</td>
                  <td><button type="button" class="link" disabled={disabled} aria-label={`Revoke grant ${g.Name ?? g.GrantId}`}
                    onClick={() => act(() => kms(session, 'RevokeGrant', { KeyId: keyId, GrantId: g.GrantId }), 'The grant is revoked.')}>Revoke</button></td>
                </tr>
              ))}
              {grants.length === 0 ? <tr><td colSpan={6}>No grants.</td></tr> : null}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
