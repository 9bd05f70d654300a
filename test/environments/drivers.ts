/**
 * Every environment driver the contract suite runs against, over every database an environment
 * can be kept in: one place to add a driver or a dialect. Each dialect names how a test gets a
 * fresh store of it; each store is reached directly (the embedded driver is the SQLite store
 * itself) and as a controller reaches a remote environment, through the environment server and
 * the http driver. The record's type makes a new dialect list its store here.
 */
import type { SqlDialect } from '../../controller/environments/store/sql-session.ts';
import { postgresStores } from '../environment-server/support/postgres.ts';
import { sharedEnvironmentServer, sqliteStores, type StoreFactory } from '../environment-server/support/serve-environment.ts';
import { testClock } from '../environment-server/support/test-clock.ts';
import type { DriverUnderTest } from './driver-contract.ts';

export interface DriverEntry {
  /** How the contract names it: the driver, then what keeps the environment. */
  name: string;
  dialect: SqlDialect;
  /** A fresh environment with its own clock; cleanup closes it and removes what it made. */
  open: () => Promise<DriverUnderTest>;
  /** Stops what the driver's environments shared (the environment server), after its last test. */
  close: () => Promise<void>;
}

/** A fresh store of each dialect, and what its driver is called when reached directly. */
const STORES: Record<SqlDialect, { direct: string; stores: StoreFactory }> = {
  sqlite: { direct: 'embedded', stores: sqliteStores },
  postgresql: { direct: 'store', stores: postgresStores },
};

const LABEL: Record<SqlDialect, string> = { sqlite: 'SQLite', postgresql: 'PostgreSQL' };

function direct(stores: StoreFactory): Pick<DriverEntry, 'open' | 'close'> {
  const open = async (): Promise<DriverUnderTest> => {
    const clock = testClock();
    const { store, drop } = await stores('dev', clock.now);
    return {
      driver: store,
      advanceClock: clock.advance,
      cleanup: async () => {
        await store.close();
        await drop();
      },
    };
  };
  return { open, close: async () => {} };
}

/** Each environment a fresh store, all of them served by one environment server: building one costs more than a store. */
function throughServer(stores: StoreFactory): Pick<DriverEntry, 'open' | 'close'> {
  const server = sharedEnvironmentServer({ stores });
  const open = async (): Promise<DriverUnderTest> => {
    const served = await server.open();
    return { driver: served.driver, advanceClock: served.clock.advance, cleanup: served.close };
  };
  return { open, close: server.close };
}

export const DRIVERS: readonly DriverEntry[] = Object.entries(STORES).flatMap(([key, { direct: name, stores }]) => {
  const dialect = key as SqlDialect;
  return [
    { name: `${name} (${LABEL[dialect]})`, dialect, ...direct(stores) },
    { name: `http → environment server (${LABEL[dialect]})`, dialect, ...throughServer(stores) },
  ];
});
