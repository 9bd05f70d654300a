/**
 * `npx tsx test/chart/install-helm.ts`: puts the helm the chart's tests run into
 * node_modules/.cache (see ./helm.ts). CI runs it after `npm ci`.
 */
import { installHelm } from './helm.ts';

const path = await installHelm();
process.stdout.write(`helm: ${path}\n`);
