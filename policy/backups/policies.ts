import type { PlatformPolicy } from "../framework/metadata";
import { bkp01SnapshotCoverage } from "./bkp-01-snapshot-coverage";
import { bkp02PitrCoverage } from "./bkp-02-pitr-coverage";
import { bkp03Immutability } from "./bkp-03-immutability";
import { bkp04CrossRegion } from "./bkp-04-cross-region";
import { bkp05WriteXorDelete } from "./bkp-05-write-xor-delete";

/** The backup rules (D7): coverage (snapshots, PITR), immutability, copies away, separation of write and delete. */
export const backupsPolicies: readonly PlatformPolicy[] = [bkp01SnapshotCoverage, bkp02PitrCoverage, bkp03Immutability, bkp04CrossRegion, bkp05WriteXorDelete];
