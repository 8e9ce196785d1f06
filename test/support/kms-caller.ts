import { Connection, kmsRequest, type Target } from '../../bench/lean-client.js';

export interface KmsAnswer {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly requestId: string;
}

/**
 * Signed KMS calls over one keep-alive connection (bench/lean-client.ts), for tests that must tell an answer
 * from no answer: a call whose connection fails throws, and the next call opens a new connection.
 */
export class KmsCaller {
  private connection: Connection | undefined;

  constructor(private readonly target: Target) {}

  async call(operation: string, payload: unknown): Promise<KmsAnswer> {
    const connection = this.connection ??= new Connection(this.target.host, this.target.port);
    try {
      const reply = await connection.send(kmsRequest(this.target, operation, payload));
      const text = reply.body.toString('utf8');
      return { status: reply.status, json: text ? JSON.parse(text) as Record<string, unknown> : {}, requestId: reply.requestId };
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** The call's JSON when it answered 200; otherwise throws with the error it answered. */
  async ok(operation: string, payload: unknown): Promise<Record<string, unknown>> {
    const answer = await this.call(operation, payload);
    if (answer.status !== 200) throw new Error(`${operation} answered ${answer.status} ${JSON.stringify(answer.json)}`);
    return answer.json;
  }

  close(): void {
    this.connection?.close();
    this.connection = undefined;
  }
}

/** The lean client's target for a running server's endpoint. */
export function targetOf(endpoint: string, credentials: Target['credentials'], region = 'us-west-2'): Target {
  const url = new URL(endpoint);
  return { host: url.hostname, port: Number(url.port), region, credentials };
}
