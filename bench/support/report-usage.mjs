// Loaded with `node --import` into a CLI process a bench runs: when the process exits, writes its
// CPU time (user + system, from its start: Node's own start-up and module loading included) and
// its peak RSS to the file INTCTL_BENCH_USAGE_FILE names, as JSON.
import { writeFileSync } from 'node:fs';

const file = process.env.INTCTL_BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakRssMiB: usage.maxRSS / 1024 }));
  });
}
