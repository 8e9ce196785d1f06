import type { AccessVerdict } from './access.js';
import type { PolicyDocument } from './document.js';
import type { Principal } from './evaluate.js';

/** The parts of an access question that decide it when its policies have no conditions. */
export interface PlainQuestion {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccountId: string;
  /** The key's policy: null for one that no longer parses. */
  readonly resourcePolicy: PolicyDocument | null;
  readonly identityPolicies: readonly PolicyDocument[];
}

/**
 * Verdicts already reached, for questions whose policies have no Condition: such a verdict is a function of the
 * policies, the caller, the action, the resource and its account alone (what decideAccess and evaluatePolicy read
 * besides conditions), so the same question gets the same answer, and a data plane that asks the same few
 * questions thousands of times a second asks each once. Evaluation reading anything more must add it to keyOf.
 * A policy is known by its parsed document, which the caller keeps one of per text: a changed policy is another
 * document, hence another question, and nothing here needs to be told of the change. A question whose policies
 * have a condition is never kept (it reads the request, its time, its address, the key's tags).
 */
export class VerdictCache {
  /**
   * Each parsed document's ID, or null for one with a condition. Documents are kept (and dropped) by the caller:
   * the entry dies with its document.
   */
  private readonly ids = new WeakMap<PolicyDocument, number | null>();
  private nextId = 1;
  private readonly verdicts = new Map<string, AccessVerdict>();

  constructor(private readonly capacity = 4096) {}

  /** The question's cache key, or undefined when a condition in its policies may read more than these parts. */
  keyOf(q: PlainQuestion): string | undefined {
    const policies: Array<number | null> = [];
    for (const doc of [q.resourcePolicy, ...q.identityPolicies]) {
      const id = doc === null ? null : this.idOf(doc);
      if (id === undefined) return undefined;
      policies.push(id);
    }
    const p = q.principal;
    // JSON, so no part can run into the next, and an absent identity (the root) differs from any string.
    return JSON.stringify([policies, p.arn, p.identityArn ?? null, p.accountId, p.partition, q.action, q.resource, q.resourceAccountId]);
  }

  get(key: string): AccessVerdict | undefined {
    return this.verdicts.get(key);
  }

  set(key: string, verdict: AccessVerdict): void {
    // Cleared when full rather than ordered: a working set larger than this is not a data plane's.
    if (this.verdicts.size >= this.capacity) this.verdicts.clear();
    // One object answers many requests: none may change it.
    this.verdicts.set(key, Object.freeze(verdict));
  }

  /** A condition-free document's ID, or undefined for a document with a condition. */
  private idOf(doc: PolicyDocument): number | undefined {
    let id = this.ids.get(doc);
    if (id === undefined) {
      id = doc.statements.every((s) => s.conditions.length === 0) ? this.nextId++ : null;
      this.ids.set(doc, id);
    }
    return id ?? undefined;
  }
}
