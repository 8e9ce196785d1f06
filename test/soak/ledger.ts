/**
 * What the crash soak's clients were told, kept apart from what they only asked for: a write that answered 200 is
 * acknowledged and must survive any crash; a write that got no answer (the server died under it) may or may not
 * have happened, and if it did, it must be whole. Names are unique per attempt, so an unacknowledged alias or tag
 * found after a restart can be traced to the one request that made it.
 */
export interface AcknowledgedKey {
  /** KeyMetadata exactly as CreateKey returned it. */
  readonly metadata: Record<string, unknown>;
  /** Tags whose CreateKey or TagResource answered 200. */
  readonly tags: Map<string, string>;
}

export interface AcknowledgedCiphertext {
  readonly keyId: string;
  readonly plaintext: string;
  readonly ciphertext: string;
  readonly context: Record<string, string>;
}

export class Ledger {
  readonly keys = new Map<string, AcknowledgedKey>();
  /** Alias name → target key, for aliases whose CreateAlias answered 200. */
  readonly aliases = new Map<string, string>();
  /** Alias name → target key, for every CreateAlias sent. */
  readonly aliasAttempts = new Map<string, string>();
  /** `keyId tagKey` → value, for every tag sent. */
  readonly tagAttempts = new Map<string, string>();
  readonly ciphertexts: AcknowledgedCiphertext[] = [];
  /** Acknowledged writes (CreateKey, CreateAlias, TagResource, Encrypt) over the whole run. */
  acknowledged = 0;
  /** The request IDs of every answer the clients received (200 or not): each must have its audit record. */
  readonly answered: string[] = [];
  private serial = 0;
  private readonly run = Math.random().toString(36).slice(2, 8);

  /** A name no other request of this run uses. */
  uniqueName(prefix: string): string {
    return `${prefix}-${this.run}-${++this.serial}`;
  }

  attemptTag(keyId: string, tagKey: string, value: string): void {
    this.tagAttempts.set(`${keyId} ${tagKey}`, value);
  }

  wasTagAttempted(keyId: string, tagKey: string, value: string): boolean {
    return this.tagAttempts.get(`${keyId} ${tagKey}`) === value;
  }
}
