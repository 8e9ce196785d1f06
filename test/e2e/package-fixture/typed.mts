// A user's TypeScript: compiled (not run) by test/e2e/package.test.ts against the packed declarations.
import { startTrent, type InProcessTrent, type StartTrentOptions } from 'trent';

const options: StartTrentOptions = { accountId: '444455556666', region: 'eu-west-1', logLevel: 'warn' };
const trent: InProcessTrent = await startTrent(options);
const endpoint: string = trent.endpoint;
const later: Date = await trent.advanceClock(60);
const region: string = trent.clientConfig.region;
await trent.reset();
await trent.stop();
export { endpoint, later, region };
