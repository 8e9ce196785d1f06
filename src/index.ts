/**
 * The `trent` package's entry point: an in-process Trent for JavaScript test suites (README: "Trent inside a
 * JavaScript test"). The server itself is the `trent` executable.
 */
export { startTrent, type InProcessTrent, type StartTrentOptions } from './server/in-process.js';
export type { LogLevel } from './util/log.js';
