import { createServer } from 'node:http';

/**
 * The ceiling for any Node HTTP server on this machine: reads the request body and answers a fixed
 * KMS-shaped response, nothing else. Run as its own process by the benchmark: `node ceiling-server.js PORT`.
 */
const body = Buffer.from(JSON.stringify({
  CiphertextBlob: Buffer.alloc(170, 7).toString('base64'),
  KeyId: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
  EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
}));
const port = Number(process.argv[2] ?? 0);
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(body.length) });
    res.end(body);
  });
});
server.listen(port, '127.0.0.1', () => {
  const a = server.address();
  console.log(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : port}`);
});
