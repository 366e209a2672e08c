/** Backups of the critical data (D7): the public surface of this area. */
export { Backups, type BackupsArgs, type RestoreDrillPlacement } from "./backups";
export { planPitrHost, type PitrHostPlan, type SetupParameter } from "./pitr-plan";
export { renderArchiveDropIn, renderCipherInclude, renderPgbackrestConf, s3Endpoint, type PgbackrestPaths } from "./pgbackrest-conf";
export { renderHostScript, type HostScriptPaths } from "./host-script";
export { renderSystemdUnits } from "./systemd-units";
export { planRepository, repositoryBucketName, replicaBucketName, DESTRUCTIVE_S3_ACTIONS } from "./repository-plan";
export { planSnapshots, CRITICAL_TAG } from "./snapshot-plan";
export { planBackupAlarms } from "./alarms";
export { hostBackupPolicy, restorePolicy, replicationPolicy } from "./grants";
export { maxGapDays } from "./schedule";
export { BACKUP_METRIC_NAMESPACE, PGBACKREST_LAYOUT } from "./layout";
