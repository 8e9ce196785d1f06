import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, kms } from '../api.ts';
import { facts, matchesPattern, ORIGIN_LABELS, partitionOf, specsFor, usagesFor, USAGE_LABELS, type KeyType } from '../facts.ts';
import { accountIdOf, listPrincipals, PRINCIPAL_ARN } from '../identity.ts';
import { consoleKeyPolicy } from '../key-policy.ts';
import { ErrorMessage, go, PageHeading, useSession } from '../ui.tsx';
import { PrincipalPicker, typedArns, type PrincipalsState } from './principal-picker.tsx';

/** The seed guide's steps, in its words. */
const STEPS = ['Configure key', 'Add labels', 'Define key administrative permissions', 'Define key usage permissions', 'Review'] as const;

const CUSTOM_KEY_STORE_ORIGINS = ['AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'];

/** The guide's explanation of the reserved prefix, shown where the alias is typed. */
const AWS_PREFIX_REFUSAL = 'The alias name cannot begin with aws/. The aws/ prefix is reserved by Amazon Web Services to represent AWS managed keys in your account.';

interface Tag { key: string; value: string }

interface Draft {
  keyType: KeyType;
  keyUsage: string;
  keySpec: string;
  origin: string;
  multiRegion: boolean;
  customKeyStoreId: string;
  alias: string;
  description: string;
  tags: Tag[];
  administrators: string[];
  administratorArns: string;
  allowAdministratorsToDelete: boolean;
  users: string[];
  userArns: string;
  otherAccounts: string[];
}

type Errors = Partial<Record<string, string>>;

function initialDraft(region: string): Draft {
  const keyUsage = usagesFor('SYMMETRIC', region)[0]!;
  return {
    keyType: 'SYMMETRIC', keyUsage, keySpec: specsFor('SYMMETRIC', keyUsage, region)[0]!, origin: 'AWS_KMS', multiRegion: false,
    customKeyStoreId: '', alias: '', description: '', tags: [], administrators: [], administratorArns: '',
    allowAdministratorsToDelete: true, users: [], userArns: '', otherAccounts: [],
  };
}

/** Why an origin cannot be chosen for this key, or undefined when it can. */
function originRefusal(draft: Draft, origin: string): string | undefined {
  if (CUSTOM_KEY_STORE_ORIGINS.includes(origin)) {
    if (draft.keySpec !== 'SYMMETRIC_DEFAULT') return 'Custom key stores hold only symmetric encryption keys.';
    if (draft.multiRegion) return 'Multi-Region keys cannot be created in a custom key store.';
  }
  return undefined;
}

/** The alias as CreateAlias wants it: "alias/" and the name typed (which may already start with "alias/"). */
function aliasName(typed: string): string {
  const name = typed.trim();
  return name.startsWith('alias/') ? name : `alias/${name}`;
}

function aliasProblem(typed: string): string | undefined {
  const name = typed.trim();
  if (name === '' || name === 'alias/') return 'Enter an alias. Aliases are required when you create a KMS key in the console.';
  const full = aliasName(name);
  if (full.startsWith('alias/aws/')) return AWS_PREFIX_REFUSAL;
  if (!matchesPattern(full, facts.aliasName)) return 'An alias may contain only letters, digits, and the characters / _ - and :.';
  if (facts.aliasName.max !== undefined && full.length > facts.aliasName.max) {
    return `The alias is too long: at most ${facts.aliasName.max - 'alias/'.length} characters.`;
  }
  return undefined;
}

function tagProblems(tags: Tag[]): Errors {
  const errors: Errors = {};
  const seen = new Set<string>();
  tags.forEach((t, i) => {
    const key = t.key.trim();
    if (key === '') errors[`tag-${i}`] = 'Enter a tag key, or remove this tag.';
    else if (key.startsWith('aws:')) errors[`tag-${i}`] = 'Tag keys cannot begin with aws: (reserved for AWS).';
    else if (facts.tagKey.max !== undefined && key.length > facts.tagKey.max) errors[`tag-${i}`] = `A tag key has at most ${facts.tagKey.max} characters.`;
    else if (seen.has(key)) errors[`tag-${i}`] = 'Each tag key can be used only once.';
    else if (facts.tagValue.max !== undefined && t.value.length > facts.tagValue.max) errors[`tag-${i}`] = `A tag value has at most ${facts.tagValue.max} characters.`;
    seen.add(key);
  });
  return errors;
}

function arnProblem(text: string): string | undefined {
  const bad = typedArns(text).find((arn) => !PRINCIPAL_ARN.test(arn));
  return bad === undefined ? undefined
    : `"${bad}" is not the ARN of an IAM user, role or account (arn:aws:iam::<12-digit account>:user/<name>, :role/<name> or :root).`;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

export function CreateKeyWizard() {
  const session = useSession();
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<Draft>(() => initialDraft(session.region));
  const [errors, setErrors] = useState<Errors>({});
  const [principals, setPrincipals] = useState<PrincipalsState>();
  const [accountId, setAccountId] = useState<{ id?: string; error?: unknown }>();
  const [customKeyStores, setCustomKeyStores] = useState<{ list?: { CustomKeyStoreId: string; CustomKeyStoreName: string; CustomKeyStoreType?: string; ConnectionState?: string }[]; error?: unknown }>();
  const [submitError, setSubmitError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const update = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));

  useEffect(() => {
    if (step >= 2 && principals === undefined) {
      listPrincipals(session).then((list) => setPrincipals({ list }), (error: unknown) => setPrincipals({ error }));
    }
    if (step === 4 && accountId === undefined) {
      accountIdOf(session).then((id) => setAccountId({ id }), (error: unknown) => setAccountId({ error }));
    }
  }, [step]);

  useEffect(() => {
    if (!CUSTOM_KEY_STORE_ORIGINS.includes(draft.origin) || customKeyStores !== undefined) return;
    kms<{ CustomKeyStores?: NonNullable<NonNullable<typeof customKeyStores>['list']> }>(session, 'DescribeCustomKeyStores', {})
      .then((r) => setCustomKeyStores({ list: r.CustomKeyStores ?? [] }), (error: unknown) => setCustomKeyStores({ error }));
  }, [draft.origin]);

  // A new step is announced by moving focus to its heading (the first step's page heading has it already).
  const stepHeading = useRef<HTMLHeadingElement>(null);
  const shownStep = useRef(step);
  useEffect(() => {
    if (shownStep.current !== step) stepHeading.current?.focus();
    shownStep.current = step;
  }, [step]);

  // After a refused Next, focus goes to the first field in error, which says what to fix.
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const administrators = unique([...draft.administrators, ...typedArns(draft.administratorArns)]);
  const users = unique([...draft.users, ...typedArns(draft.userArns)]);
  const policy = accountId?.id ? consoleKeyPolicy({
    partition: partitionOf(session.region), accountId: accountId.id, keySpec: draft.keySpec, keyUsage: draft.keyUsage,
    administrators, allowAdministratorsToDelete: draft.allowAdministratorsToDelete, users, otherAccounts: draft.otherAccounts.map((a) => a.trim()),
  }) : undefined;

  const validate = async (): Promise<Errors> => {
    const e: Errors = {};
    if (step === 0) {
      if (!specsFor(draft.keyType, draft.keyUsage, session.region).includes(draft.keySpec)) e.keySpec = 'Choose a key spec.';
      const refusal = originRefusal(draft, draft.origin);
      if (refusal) e.origin = refusal;
      if (CUSTOM_KEY_STORE_ORIGINS.includes(draft.origin) && !draft.customKeyStoreId) e.customKeyStore = 'Choose a custom key store.';
    } else if (step === 1) {
      const problem = aliasProblem(draft.alias);
      if (problem) e.alias = problem;
      if (facts.description.max !== undefined && draft.description.length > facts.description.max) {
        e.description = `A description has at most ${facts.description.max} characters.`;
      }
      Object.assign(e, tagProblems(draft.tags));
      if (!e.alias) {
        try {
          await kms(session, 'DescribeKey', { KeyId: aliasName(draft.alias) });
          e.alias = `An alias named ${aliasName(draft.alias)} already exists in this Region. Choose another alias.`;
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 'NotFoundException')) throw err;
        }
      }
    } else if (step === 2) {
      const problem = arnProblem(draft.administratorArns);
      if (problem) e.administrators = problem;
    } else if (step === 3) {
      const problem = arnProblem(draft.userArns);
      if (problem) e.users = problem;
      draft.otherAccounts.forEach((a, i) => {
        if (!/^\d{12}$/.test(a.trim())) e[`account-${i}`] = 'An AWS account ID is 12 digits.';
      });
    }
    return e;
  };

  const next = async (ev: Event) => {
    ev.preventDefault();
    setSubmitError(undefined);
    setBusy(true);
    try {
      const found = await validate();
      setErrors(found);
      if (Object.keys(found).length === 0) setStep(step + 1);
    } catch (err) {
      setSubmitError(err);
    } finally {
      setBusy(false);
    }
  };

  const finish = async () => {
    if (!policy) return;
    setBusy(true);
    setSubmitError(undefined);
    let keyId: string | undefined;
    try {
      const tags = draft.tags.map((t) => ({ TagKey: t.key.trim(), TagValue: t.value }));
      const created = await kms<{ KeyMetadata: { KeyId: string } }>(session, 'CreateKey', {
        KeySpec: draft.keySpec, KeyUsage: draft.keyUsage, Origin: draft.origin, MultiRegion: draft.multiRegion,
        Description: draft.description, Policy: JSON.stringify(policy, null, 2),
        ...(tags.length ? { Tags: tags } : {}),
        ...(CUSTOM_KEY_STORE_ORIGINS.includes(draft.origin) ? { CustomKeyStoreId: draft.customKeyStoreId } : {}),
      });
      keyId = created.KeyMetadata.KeyId;
      await kms(session, 'CreateAlias', { AliasName: aliasName(draft.alias), TargetKeyId: keyId });
      go(`/keys/${keyId}?created=${encodeURIComponent(aliasName(draft.alias))}`);
    } catch (err) {
      setSubmitError(keyId
        ? `The key ${keyId} was created, but its alias could not be: ${err instanceof ApiError ? err.message || err.code : String(err)}. Open the key to add an alias.`
        : err);
      setBusy(false);
    }
  };

  return (
    <section class="wizard" aria-labelledby="wizard-heading">
      <PageHeading><span id="wizard-heading">Create key</span></PageHeading>
      <ol class="steps" aria-label="Steps">
        {STEPS.map((title, i) => (
          <li key={title} aria-current={i === step ? 'step' : undefined} class={i < step ? 'done' : undefined}>
            <span class="step-number">Step {i + 1}</span> {title}
          </li>
        ))}
      </ol>
      <form ref={form} onSubmit={next} noValidate>
        <h2 id="step-heading" ref={stepHeading} tabIndex={-1}>{STEPS[step]}</h2>
        <ErrorMessage error={submitError} />
        {step === 0 ? <ConfigureKey draft={draft} update={update} errors={errors} region={session.region} customKeyStores={customKeyStores} /> : null}
        {step === 1 ? <AddLabels draft={draft} update={update} errors={errors} /> : null}
        {step === 2 ? (
          <>
            <p class="note">This key policy gives the AWS account full control of this KMS key. It allows account administrators to use
              IAM policies to give other principals permission to manage the KMS key.</p>
            <PrincipalPicker id="administrators" label="Key administrators" example="arn:aws:iam::111122223333:role/KeyAdmin" principals={principals} selected={draft.administrators}
              onToggle={(arn, on) => update({ administrators: on ? [...draft.administrators, arn] : draft.administrators.filter((a) => a !== arn) })}
              arns={draft.administratorArns} onArns={(administratorArns) => update({ administratorArns })} error={errors.administrators} />
            <fieldset>
              <legend>Key deletion</legend>
              <label class="check">
                <input type="checkbox" checked={draft.allowAdministratorsToDelete}
                  onChange={(e) => update({ allowAdministratorsToDelete: (e.target as HTMLInputElement).checked })} />
                Allow key administrators to delete this key
              </label>
            </fieldset>
          </>
        ) : null}
        {step === 3 ? (
          <>
            <p class="note">This key policy gives the AWS account full control of this KMS key. It allows account administrators to use
              IAM policies to give other principals permission to use the KMS key in cryptographic operations.</p>
            <PrincipalPicker id="users" label="Key users" example="arn:aws:iam::111122223333:role/AppServer" principals={principals} selected={draft.users}
              onToggle={(arn, on) => update({ users: on ? [...draft.users, arn] : draft.users.filter((a) => a !== arn) })}
              arns={draft.userArns} onArns={(userArns) => update({ userArns })} error={errors.users} />
            <OtherAccounts draft={draft} update={update} errors={errors} />
          </>
        ) : null}
        {step === 4 ? <Review draft={draft} administrators={administrators} users={users} policy={policy} accountError={accountId?.error} goTo={setStep} /> : null}
        <div class="wizard-buttons">
          <button type="button" class="link" onClick={() => go('/keys')}>Cancel</button>
          {step > 0 ? <button type="button" onClick={() => { setErrors({}); setStep(step - 1); }} disabled={busy}>Previous</button> : null}
          {step < STEPS.length - 1
            ? <button type="submit" class="primary" disabled={busy}>Next</button>
            : <button type="button" class="primary" onClick={finish} disabled={busy || !policy}>Finish</button>}
        </div>
      </form>
    </section>
  );
}

interface StepProps { draft: Draft; update: (change: Partial<Draft>) => void; errors: Errors }

/** A radio choice with an optional explanation (why it cannot be chosen, or what it is for). */
function Choice(props: { name: string; value: string; label: string; checked: boolean; disabled?: boolean; hint?: string | undefined; onChoose: () => void }) {
  const hintId = props.hint ? `${props.name}-${props.value}-hint` : undefined;
  return (
    <div class={`choice${props.disabled ? ' disabled' : ''}`}>
      <label>
        <input type="radio" name={props.name} value={props.value} checked={props.checked} disabled={props.disabled}
          aria-describedby={hintId} onChange={props.onChoose} />
        {props.label}
      </label>
      {props.hint ? <span class="hint" id={hintId}>{props.hint}</span> : null}
    </div>
  );
}

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? <p class="field-error" id={id}>{error}</p> : null;
}

const KEY_TYPE_HINTS: Record<KeyType, string> = {
  SYMMETRIC: 'A single key used for encrypting and decrypting data or generating and verifying HMAC codes.',
  ASYMMETRIC: 'A public and private key pair used for encrypting and decrypting data, signing and verifying messages, or deriving shared secrets.',
};

function ConfigureKey({ draft, update, errors, region, customKeyStores }: StepProps & {
  region: string;
  customKeyStores: { list?: { CustomKeyStoreId: string; CustomKeyStoreName: string; CustomKeyStoreType?: string; ConnectionState?: string }[]; error?: unknown } | undefined;
}) {
  const chooseType = (keyType: KeyType) => {
    const keyUsage = usagesFor(keyType, region)[0]!;
    const keySpec = specsFor(keyType, keyUsage, region)[0]!;
    update({ keyType, keyUsage, keySpec, ...(keySpec === 'SYMMETRIC_DEFAULT' ? {} : { origin: CUSTOM_KEY_STORE_ORIGINS.includes(draft.origin) ? 'AWS_KMS' : draft.origin }) });
  };
  const chooseUsage = (keyUsage: string) => {
    const keySpec = specsFor(draft.keyType, keyUsage, region)[0]!;
    update({ keyUsage, keySpec, ...(keySpec === 'SYMMETRIC_DEFAULT' || !CUSTOM_KEY_STORE_ORIGINS.includes(draft.origin) ? {} : { origin: 'AWS_KMS' }) });
  };
  // Open when a non-default advanced choice is in effect (coming back to this step), then as the person leaves it.
  const [advancedOpen, setAdvancedOpen] = useState(draft.origin !== 'AWS_KMS' || draft.multiRegion);
  const storeType = draft.origin === 'AWS_CLOUDHSM' ? 'AWS_CLOUDHSM' : 'EXTERNAL_KEY_STORE';
  const stores = (customKeyStores?.list ?? []).filter((s) => (s.CustomKeyStoreType ?? 'AWS_CLOUDHSM') === storeType);
  return (
    <>
      <fieldset>
        <legend>Key type</legend>
        {(['SYMMETRIC', 'ASYMMETRIC'] as const).map((t) => (
          <Choice key={t} name="keyType" value={t} label={t === 'SYMMETRIC' ? 'Symmetric' : 'Asymmetric'} checked={draft.keyType === t}
            hint={KEY_TYPE_HINTS[t]} onChoose={() => chooseType(t)} />
        ))}
      </fieldset>
      <fieldset>
        <legend>Key usage</legend>
        {usagesFor(draft.keyType, region).map((u) => (
          <Choice key={u} name="keyUsage" value={u} label={USAGE_LABELS[u] ?? u} checked={draft.keyUsage === u} onChoose={() => chooseUsage(u)} />
        ))}
      </fieldset>
      <fieldset aria-describedby={errors.keySpec ? 'keySpec-error' : undefined}>
        <legend>Key spec</legend>
        {specsFor(draft.keyType, draft.keyUsage, region).map((s) => (
          <Choice key={s} name="keySpec" value={s} label={s} checked={draft.keySpec === s}
            onChoose={() => update({ keySpec: s, ...(s !== 'SYMMETRIC_DEFAULT' && CUSTOM_KEY_STORE_ORIGINS.includes(draft.origin) ? { origin: 'AWS_KMS' } : {}) })} />
        ))}
        <FieldError id="keySpec-error" error={errors.keySpec} />
      </fieldset>
      <details class="advanced" open={advancedOpen} onToggle={(e) => setAdvancedOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>Advanced options</summary>
        <fieldset>
          <legend>Key material origin</legend>
          {facts.origins.map((o) => {
            const refusal = originRefusal(draft, o);
            return <Choice key={o} name="origin" value={o} label={ORIGIN_LABELS[o] ?? o} checked={draft.origin === o} disabled={refusal !== undefined}
              hint={refusal} onChoose={() => update({ origin: o, customKeyStoreId: '' })} />;
          })}
          <FieldError id="origin-error" error={errors.origin} />
        </fieldset>
        {CUSTOM_KEY_STORE_ORIGINS.includes(draft.origin) ? (
          <div class="field">
            <label for="customKeyStore">Custom key store</label>
            {customKeyStores?.error !== undefined ? <ErrorMessage error={customKeyStores.error} /> : null}
            <select id="customKeyStore" value={draft.customKeyStoreId} aria-invalid={errors.customKeyStore ? true : undefined}
              aria-describedby={errors.customKeyStore ? 'customKeyStore-error' : undefined}
              onChange={(e) => update({ customKeyStoreId: (e.target as HTMLSelectElement).value })}>
              <option value="">{stores.length ? 'Choose a custom key store' : 'No custom key store of this type'}</option>
              {stores.map((s) => (
                <option key={s.CustomKeyStoreId} value={s.CustomKeyStoreId} disabled={s.ConnectionState !== 'CONNECTED'}>
                  {s.CustomKeyStoreName} ({s.CustomKeyStoreId}){s.ConnectionState !== 'CONNECTED' ? ' - not connected' : ''}
                </option>
              ))}
            </select>
            <FieldError id="customKeyStore-error" error={errors.customKeyStore} />
          </div>
        ) : null}
        <fieldset>
          <legend>Regionality</legend>
          <Choice name="regionality" value="single" label="Single-Region key" checked={!draft.multiRegion}
            hint="Never allow this key to be replicated into other Regions." onChoose={() => update({ multiRegion: false })} />
          <Choice name="regionality" value="multi" label="Multi-Region key" checked={draft.multiRegion}
            disabled={CUSTOM_KEY_STORE_ORIGINS.includes(draft.origin)}
            hint={CUSTOM_KEY_STORE_ORIGINS.includes(draft.origin) ? 'Multi-Region keys cannot be created in a custom key store.'
              : 'Allow this key to be replicated into other Regions.'}
            onChoose={() => update({ multiRegion: true })} />
        </fieldset>
      </details>
    </>
  );
}

function AddLabels({ draft, update, errors }: StepProps) {
  const setTag = (i: number, change: Partial<Tag>) => update({ tags: draft.tags.map((t, j) => (j === i ? { ...t, ...change } : t)) });
  const addTag = () => {
    update({ tags: [...draft.tags, { key: '', value: '' }] });
    // The new row's Tag key is where the person types next.
    requestAnimationFrame(() => document.querySelectorAll<HTMLInputElement>('.tag-row input[name="tagKey"]').item(draft.tags.length)?.focus());
  };
  return (
    <>
      <p class="note">Do not include confidential or sensitive information in the alias, description, or tags. These fields may
        appear in plain text in CloudTrail logs and other output.</p>
      <div class="field">
        <label for="alias">Alias</label>
        <p class="hint" id="alias-hint">
          An alias is a friendly name for the KMS key. The alias name cannot begin with aws/. The aws/ prefix is reserved by
          Amazon Web Services to represent AWS managed keys in your account.
        </p>
        <div class="prefixed"><span aria-hidden="true">alias/</span>
          <input id="alias" name="alias" value={draft.alias} required spellcheck={false} aria-invalid={errors.alias ? true : undefined}
            aria-describedby={`alias-hint${errors.alias ? ' alias-error' : ''}`}
            onInput={(e) => update({ alias: (e.target as HTMLInputElement).value })} />
        </div>
        <FieldError id="alias-error" error={errors.alias} />
      </div>
      <div class="field">
        <label for="description">Description <span class="muted">- optional</span></label>
        <p class="hint" id="description-hint">Explain the type of data you plan to protect or the application you plan to use with the KMS key.</p>
        <textarea id="description" rows={3} value={draft.description} aria-describedby={`description-hint${errors.description ? ' description-error' : ''}`}
          aria-invalid={errors.description ? true : undefined} onInput={(e) => update({ description: (e.target as HTMLTextAreaElement).value })} />
        <FieldError id="description-error" error={errors.description} />
      </div>
      <fieldset>
        <legend>Tags <span class="muted">- optional</span></legend>
        {draft.tags.length === 0 ? <p class="hint">No tags. Tags can be used to control access to the key and to group costs.</p> : null}
        {draft.tags.map((t, i) => (
          <div class="tag-row" key={i} role="group" aria-label={`Tag ${i + 1}`}>
            <label>Tag key
              <input name="tagKey" value={t.key} spellcheck={false} aria-invalid={errors[`tag-${i}`] ? true : undefined}
                aria-describedby={errors[`tag-${i}`] ? `tag-${i}-error` : undefined} onInput={(e) => setTag(i, { key: (e.target as HTMLInputElement).value })} />
            </label>
            <label>Tag value
              <input name="tagValue" value={t.value} spellcheck={false} onInput={(e) => setTag(i, { value: (e.target as HTMLInputElement).value })} />
            </label>
            <button type="button" aria-label={`Remove tag ${i + 1}`} onClick={() => update({ tags: draft.tags.filter((_, j) => j !== i) })}>Remove</button>
            <FieldError id={`tag-${i}-error`} error={errors[`tag-${i}`]} />
          </div>
        ))}
        <button type="button" onClick={addTag}>Add tag</button>
      </fieldset>
    </>
  );
}

function OtherAccounts({ draft, update, errors }: StepProps) {
  const setAccount = (i: number, value: string) => update({ otherAccounts: draft.otherAccounts.map((a, j) => (j === i ? value : a)) });
  return (
    <fieldset>
      <legend>Other AWS accounts <span class="muted">- optional</span></legend>
      <p class="hint">Allow other AWS accounts to use this KMS key for cryptographic operations. Administrators of those accounts must also
        give their users permission through IAM policies.</p>
      {draft.otherAccounts.map((a, i) => (
        <div class="tag-row" key={i}>
          <label>AWS account ID
            <input value={a} inputMode="numeric" maxLength={12} aria-invalid={errors[`account-${i}`] ? true : undefined}
              aria-describedby={errors[`account-${i}`] ? `account-${i}-error` : undefined} onInput={(e) => setAccount(i, (e.target as HTMLInputElement).value)} />
          </label>
          <button type="button" aria-label={`Remove AWS account ${i + 1}`} onClick={() => update({ otherAccounts: draft.otherAccounts.filter((_, j) => j !== i) })}>Remove</button>
          <FieldError id={`account-${i}-error`} error={errors[`account-${i}`]} />
        </div>
      ))}
      <button type="button" onClick={() => update({ otherAccounts: [...draft.otherAccounts, ''] })}>Add another AWS account</button>
    </fieldset>
  );
}

function Review({ draft, administrators, users, policy, accountError, goTo }: {
  draft: Draft; administrators: string[]; users: string[]; policy: object | undefined; accountError: unknown; goTo: (step: number) => void;
}) {
  const list = (items: string[]) => (items.length ? <ul class="plain">{items.map((i) => <li key={i} class="mono">{i}</li>)}</ul> : 'None');
  const Section = ({ title, step, children }: { title: string; step: number; children: preact.ComponentChildren }) => (
    <section class="review-section" aria-label={title}>
      <div class="review-head"><h3>{title}</h3><button type="button" class="link" aria-label={`Edit ${title.toLowerCase()}`} onClick={() => goTo(step)}>Edit</button></div>
      <dl>{children}</dl>
    </section>
  );
  return (
    <>
      <p>Review the key settings that you chose. You can still go back and change all settings.</p>
      <Section title="Key configuration" step={0}>
        <div class="definition"><dt>Key type</dt><dd>{draft.keyType === 'SYMMETRIC' ? 'Symmetric' : 'Asymmetric'}</dd></div>
        <div class="definition"><dt>Key spec</dt><dd>{draft.keySpec}</dd></div>
        <div class="definition"><dt>Key usage</dt><dd>{USAGE_LABELS[draft.keyUsage]}</dd></div>
        <div class="definition"><dt>Origin</dt><dd>{ORIGIN_LABELS[draft.origin] ?? draft.origin}</dd></div>
        <div class="definition"><dt>Regionality</dt><dd>{draft.multiRegion ? 'Multi-Region key' : 'Single-Region key'}</dd></div>
      </Section>
      <Section title="Alias and description" step={1}>
        <div class="definition"><dt>Alias</dt><dd class="mono">{aliasName(draft.alias)}</dd></div>
        <div class="definition"><dt>Description</dt><dd>{draft.description || '-'}</dd></div>
      </Section>
      <Section title="Tags" step={1}>
        {draft.tags.length ? draft.tags.map((t) => <div class="definition" key={t.key}><dt>{t.key}</dt><dd>{t.value || '(no value)'}</dd></div>)
          : <div class="definition"><dt>Tags</dt><dd>None</dd></div>}
      </Section>
      <Section title="Key administrators" step={2}>
        <div class="definition"><dt>Administrators</dt><dd>{list(administrators)}</dd></div>
        <div class="definition"><dt>Key deletion</dt><dd>{draft.allowAdministratorsToDelete ? 'Key administrators can delete this key' : 'Key administrators cannot delete this key'}</dd></div>
      </Section>
      <Section title="Key users" step={3}>
        <div class="definition"><dt>Users</dt><dd>{list(users)}</dd></div>
        <div class="definition"><dt>Other AWS accounts</dt><dd>{list(draft.otherAccounts.map((a) => a.trim()))}</dd></div>
      </Section>
      <section class="review-section" aria-labelledby="policy-heading">
        <h3 id="policy-heading">Key policy</h3>
        {accountError !== undefined ? <ErrorMessage error={accountError} /> : null}
        {policy ? <pre class="policy" tabIndex={0} aria-labelledby="policy-heading">{JSON.stringify(policy, null, 2)}</pre>
          : accountError === undefined ? <p role="status">Finding the account…</p> : null}
      </section>
    </>
  );
}
