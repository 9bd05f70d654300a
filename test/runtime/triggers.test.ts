import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../controller/observability/logger.ts';
import { startPolling, type Trigger } from '../../controller/process/poll-trigger.ts';
import { startWatching } from '../../controller/process/watch-trigger.ts';

const logger = createLogger({ level: 'silent' });
let work: string;
let trigger: Trigger | undefined;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-triggers-'));
});
afterEach(async () => {
  await trigger?.stop();
  trigger = undefined;
  await rm(work, { recursive: true, force: true });
});

/** Resolves with the reason of the first enqueue. */
function firstEnqueue(): { enqueueAll: (reason: string) => string[]; reason: Promise<string> } {
  let resolve!: (reason: string) => void;
  const reason = new Promise<string>((r) => (resolve = r));
  return {
    enqueueAll: (why) => {
      resolve(why);
      return [];
    },
    reason,
  };
}

describe('triggers only enqueue', () => {
  it('polling enqueues every environment on its cron schedule', async () => {
    const enqueue = firstEnqueue();
    trigger = startPolling({ schedule: '* * * * * *', jitterMs: 0, enqueueAll: enqueue.enqueueAll, logger });
    expect(await enqueue.reason).toBe('poll');
  });

  it('a change in the watched directory enqueues every environment', async () => {
    await mkdir(join(work, 'integrations'));
    const enqueue = firstEnqueue();
    trigger = await startWatching({ dir: work, debounceMs: 20, enqueueAll: enqueue.enqueueAll, logger });
    await writeFile(join(work, 'integrations', 'crm.yaml'), 'kind: Integration\n');
    expect(await enqueue.reason).toBe('watch');
  });
});
