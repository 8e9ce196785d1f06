import { useState } from 'preact/hooks';
import { ApiError, plainError } from '../api.ts';
import type { Principal } from '../identity.ts';

export interface PrincipalsState {
  readonly list?: Principal[];
  readonly error?: unknown;
}

/** The ARNs typed in a textarea, one per line (blank lines ignored). */
export function typedArns(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/** Why the list is missing: a server without the IAM API, or another failure said in plain words. */
function unavailable(error: unknown): string {
  if (error instanceof ApiError && ['UnknownOperationException', 'InvalidAction', 'UnsupportedOperationException'].includes(error.code)) {
    return "This server does not offer the IAM API, so the account's users and roles cannot be listed.";
  }
  return `The account's users and roles could not be listed. ${plainError(error)}`;
}

/**
 * Choose IAM users and roles: from the account's list where the server has IAM (ListUsers, ListRoles), and by
 * typing ARNs, which is the only way where it has not.
 */
export function PrincipalPicker(props: {
  id: string;
  label: string;
  /** An ARN shown as the example of what to type. */
  example: string;
  principals: PrincipalsState | undefined;
  selected: readonly string[];
  onToggle: (arn: string, on: boolean) => void;
  arns: string;
  onArns: (text: string) => void;
  error?: string | undefined;
}) {
  const [filter, setFilter] = useState('');
  const { principals } = props;
  const arnsLabel = `${props.label} ARNs`;
  const needle = filter.trim().toLowerCase();
  const shown = (principals?.list ?? []).filter((p) => !needle || p.name.toLowerCase().includes(needle) || p.arn.toLowerCase().includes(needle));
  return (
    <fieldset>
      <legend>{props.label}</legend>
      {principals === undefined ? <p role="status">Loading the account's users and roles…</p> : null}
      {principals?.error !== undefined ? (
        <p class="hint" id={`${props.id}-unavailable`}>
          {unavailable(principals.error)} Type the ARN of each IAM user or role instead, one per line.
        </p>
      ) : null}
      {principals?.list ? (
        <>
          <label>Search users and roles
            <input type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
          </label>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">{props.label}: IAM users and roles</caption>
              <thead><tr><th scope="col">Select</th><th scope="col">Name</th><th scope="col">Type</th><th scope="col">ARN</th></tr></thead>
              <tbody>
                {shown.map((p) => (
                  <tr key={p.arn}>
                    <td><input type="checkbox" aria-label={`${p.name} (${p.kind.toLowerCase()})`} checked={props.selected.includes(p.arn)}
                      onChange={(e) => props.onToggle(p.arn, (e.target as HTMLInputElement).checked)} /></td>
                    <td>{p.name}</td><td>{p.kind}</td><td class="mono">{p.arn}</td>
                  </tr>
                ))}
                {shown.length === 0 ? <tr><td colSpan={4}>{principals.list.length ? 'No user or role matches.' : 'The account has no IAM users or roles yet.'}</td></tr> : null}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      <label for={`${props.id}-arns`}>{arnsLabel}</label>
      <p class="hint" id={`${props.id}-arns-hint`}>
        One per line, for example <code>{props.example}</code>{principals?.list ? ', for principals not listed above' : ''}.
      </p>
      <textarea id={`${props.id}-arns`} rows={3} value={props.arns} spellcheck={false}
        aria-describedby={`${props.id}-arns-hint${props.error ? ` ${props.id}-arns-error` : ''}`} aria-invalid={props.error ? true : undefined}
        onInput={(e) => props.onArns((e.target as HTMLTextAreaElement).value)} />
      {props.error ? <p class="field-error" id={`${props.id}-arns-error`}>{props.error}</p> : null}
    </fieldset>
  );
}
