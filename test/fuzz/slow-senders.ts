import { connect } from 'node:net';

export interface SlowSenderResult {
  readonly label: string;
  /** How long the server let the sender dribble before closing (or answering). */
  readonly closedAfterMs: number | undefined;
  readonly status: number | undefined;
}

/**
 * A slowloris sender: the request line and headers (`head`), then one more byte a second of `dribble` (a header
 * that never ends, or a body shorter than its Content-Length) until the server closes the connection or `giveUpMs`
 * passes. The server must close it once its header or request timeout passes.
 */
export function slowSender(host: string, port: number, label: string, head: string, dribble: string, giveUpMs: number):
  Promise<SlowSenderResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const started = Date.now();
    let received = '';
    let sent = 0;
    let ticker: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearInterval(ticker);
      clearTimeout(giveUp);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
      resolve({ label, closedAfterMs: closed ? Date.now() - started : undefined, status: status ? Number(status) : undefined });
    };
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('connect', () => {
      socket.write(head);
      ticker = setInterval(() => socket.write(dribble[sent++ % dribble.length]!), 1_000);
    });
    socket.on('data', (d: Buffer) => { received += d.toString('latin1'); });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
  });
}
