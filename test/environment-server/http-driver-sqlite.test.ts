import { describeDriverContract } from '../environments/driver-contract.ts';
import { serveEnvironment } from './support/serve-environment.ts';

// The driver contract, unchanged, against the http driver and an environment server on a
// loopback port over a SQLite store (the embedded environment itself).
describeDriverContract('http (environment server over SQLite)', async () => {
  const served = await serveEnvironment();
  return { driver: served.driver, advanceClock: served.clock.advance, cleanup: served.close };
});
