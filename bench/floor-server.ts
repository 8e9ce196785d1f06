import { fdatasync, openSync, writeSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { FloorWork } from './floor-work.js';

/**
 * The bare ceiling server (ceiling-server.ts) doing the least work an audited Encrypt needs (floor-work.ts): each
 * request's signature checked, its plaintext sealed, and its answer held until its audit event is on disk. What
 * Trent would cost if its pipeline were nothing but the floor. Run as its own process by the benchmark, with the
 * credentials it accepts in the environment: `AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… node floor-server.js PORT TRAIL_FILE`.
 *
 * Events are written and fdatasynced in groups, one group on disk at a time: the events that arrive while one
 * group's fdatasync runs (on libuv's thread pool, the event loop going on) make the next group. Of the designs
 * measured, this one gave the floor the most requests per second (BENCHMARKS.md, 2026-12-07): an fdatasync on the
 * event loop, as Trent's group commit takes it, and a preallocated trail written in place gave no more.
 */
const [accessKeyId, secretAccessKey] = [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY];
const [port, trailFile] = [Number(process.argv[2]), process.argv[3]];
if (!accessKeyId || !secretAccessKey || !trailFile) throw new Error('usage: AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… node floor-server.js PORT TRAIL_FILE');
const work = new FloorWork({ accessKeyId, secretAccessKey }, 'us-east-1');
const trail = openSync(trailFile, 'a', 0o600);
let events = '';
let waiting: Array<{ res: ServerResponse; body: Buffer }> = [];
let syncing = false;

/** Writes the waiting group and answers it once fdatasync says it is on disk; then the next group, if any. */
function commit(): void {
  syncing = waiting.length > 0;
  if (!syncing) return;
  const bytes = Buffer.from(events);
  // A short write would leave part of the group off the disk: the server stops rather than answer it.
  if (writeSync(trail, bytes) !== bytes.length) throw new Error('short write to the trail');
  const group = waiting;
  events = '';
  waiting = [];
  fdatasync(trail, (error) => {
    if (error) throw error; // a trail that cannot be made durable ends the server: nothing is answered unaudited
    for (const { res, body } of group) {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(body.length) });
      res.end(body);
    }
    commit();
  });
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    try {
      work.verify({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    } catch {
      res.writeHead(403, { 'content-length': '0' }).end();
      return;
    }
    let answer: Buffer;
    try {
      answer = work.respond(work.encrypt(body));
    } catch {
      res.writeHead(400, { 'content-length': '0' }).end();
      return;
    }
    if (waiting.length === 0 && !syncing) setImmediate(commit);
    waiting.push({ res, body: answer });
    events += work.auditEvent();
  });
});
server.listen(port, '127.0.0.1', () => {
  const a = server.address();
  console.log(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : port}`);
});
