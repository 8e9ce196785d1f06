import { fdatasyncSync, openSync, writeSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { FloorWork } from './floor-work.js';

/**
 * The bare ceiling server (ceiling-server.ts) doing the least work an audited Encrypt needs (floor-work.ts): each
 * request's signature checked, its plaintext sealed, and its answer held until its audit event is on disk. Events
 * arriving together share one write and one fdatasync, taken on the next turn of the event loop, as Trent's group
 * commit takes its batches. What Trent would cost if its pipeline were nothing but the floor. Run as its own
 * process by the benchmark, with the credentials it accepts in the environment:
 * `AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… node floor-server.js PORT TRAIL_FILE`.
 */
const work = new FloorWork({ accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY! }, 'us-east-1');
const [port, trailFile] = [Number(process.argv[2]), process.argv[3]!];
const trail = openSync(trailFile, 'a', 0o600);
let events = '';
let waiting: Array<{ res: ServerResponse; body: Buffer }> = [];

function commit(): void {
  writeSync(trail, events);
  fdatasyncSync(trail);
  const answered = waiting;
  events = '';
  waiting = [];
  for (const { res, body } of answered) {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(body.length) });
    res.end(body);
  }
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    try {
      work.verify(req.headers, body);
    } catch {
      res.writeHead(403).end();
      return;
    }
    if (waiting.length === 0) setImmediate(commit);
    waiting.push({ res, body: work.respond(work.encrypt(body)) });
    events += work.auditEvent();
  });
});
server.listen(port, '127.0.0.1', () => {
  const a = server.address();
  console.log(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : port}`);
});
