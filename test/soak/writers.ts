import { randomBytes, randomInt } from 'node:crypto';
import type { KmsCaller } from '../support/kms-caller.js';
import type { Ledger } from './ledger.js';

/** Where the write-heavy clients stand: `killed` is set just before the server is killed. */
export interface LoadState {
  killed: boolean;
  /** Answers other than 200, and connection failures while the server was up: each is a bug. */
  readonly unexpected: string[];
}

/**
 * One client's loop of CreateKey, CreateAlias, TagResource and Encrypt against the keys acknowledged so far,
 * each acknowledged write entered in the ledger the moment its 200 arrives. Ends when the server is killed.
 */
export class Writer {
  constructor(private readonly kms: KmsCaller, private readonly ledger: Ledger, private readonly state: LoadState) {}

  async run(): Promise<void> {
    const writes = [this.createKey, this.createAlias, this.tagResource, this.encrypt];
    while (!this.state.killed) {
      const write = this.keyIds('SYMMETRIC_DEFAULT').length < 2 ? this.createKey : writes[randomInt(writes.length)]!;
      try {
        await write.call(this);
      } catch (e) {
        // No answer: unacknowledged. Expected only once the server is being killed.
        if (!this.state.killed) this.state.unexpected.push(`connection failed while the server was up: ${String(e)}`);
        return;
      }
    }
  }

  private async createKey(): Promise<void> {
    const l = this.ledger;
    const tag = { TagKey: l.uniqueName('created'), TagValue: randomBytes(6).toString('hex') };
    const hmac = randomInt(5) === 0;
    const out = await this.expectOk('CreateKey', {
      Description: l.uniqueName('soak'),
      ...(hmac ? { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' } : {}),
      Tags: [tag],
    });
    if (!out) return;
    const metadata = out.KeyMetadata as Record<string, unknown>;
    const keyId = String(metadata.KeyId);
    l.attemptTag(keyId, tag.TagKey, tag.TagValue);
    l.keys.set(keyId, { metadata, tags: new Map([[tag.TagKey, tag.TagValue]]) });
    l.acknowledged++;
  }

  private async createAlias(): Promise<void> {
    const l = this.ledger;
    const keyId = this.someKey();
    const name = `alias/${l.uniqueName('soak')}`;
    l.aliasAttempts.set(name, keyId);
    if (!(await this.expectOk('CreateAlias', { AliasName: name, TargetKeyId: keyId }))) return;
    l.aliases.set(name, keyId);
    l.acknowledged++;
  }

  private async tagResource(): Promise<void> {
    const l = this.ledger;
    const keyId = this.someKey();
    const tag = { TagKey: l.uniqueName('tag'), TagValue: randomBytes(6).toString('hex') };
    l.attemptTag(keyId, tag.TagKey, tag.TagValue);
    if (!(await this.expectOk('TagResource', { KeyId: keyId, Tags: [tag] }))) return;
    l.keys.get(keyId)!.tags.set(tag.TagKey, tag.TagValue);
    l.acknowledged++;
  }

  private async encrypt(): Promise<void> {
    const l = this.ledger;
    const keyId = this.someKey('SYMMETRIC_DEFAULT');
    const plaintext = randomBytes(1 + randomInt(64)).toString('base64');
    const context = { soak: l.uniqueName('context') };
    const out = await this.expectOk('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: context });
    if (!out) return;
    l.ciphertexts.push({ keyId, plaintext, ciphertext: String(out.CiphertextBlob), context });
    l.acknowledged++;
  }

  /** An acknowledged key (of the given spec), recent ones more often so that writes pile onto fresh keys too. */
  private someKey(spec?: string): string {
    const ids = this.keyIds(spec);
    const recent = Math.max(0, ids.length - 20);
    return ids[randomInt(2) === 0 ? recent + randomInt(ids.length - recent) : randomInt(ids.length)]!;
  }

  private keyIds(spec?: string): string[] {
    return [...this.ledger.keys.entries()].filter(([, k]) => spec === undefined || k.metadata.KeySpec === spec).map(([id]) => id);
  }

  private async expectOk(operation: string, payload: unknown): Promise<Record<string, unknown> | undefined> {
    const answer = await this.kms.call(operation, payload);
    this.ledger.answered.push(answer.requestId);
    if (answer.status === 200) return answer.json;
    this.state.unexpected.push(`${operation} ${JSON.stringify(payload)} answered ${answer.status} ${JSON.stringify(answer.json)}`);
    return undefined;
  }
}
