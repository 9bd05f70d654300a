import { describeDriverContract } from './driver-contract.ts';
import { DRIVERS } from './drivers.ts';

// The driver contract, unchanged, against every driver over every dialect in the registry.
for (const { name, open, close } of DRIVERS) describeDriverContract(name, open, close);
