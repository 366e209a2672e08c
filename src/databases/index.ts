/** Self-managed PostgreSQL hosts of the critical data domains (D5): the public surface of this area. */
export { DatabaseHosts, type DatabaseHostsArgs, type DatabaseNetwork } from "./database-hosts";
export { DatabaseHost, type ServiceDatabaseAccess } from "./database-host";
export { InternalCa } from "./internal-ca";
export type { BootstrapExtras, BootstrapFile } from "./bootstrap-extras";
export { DEBIAN_ARCHIVE_HOST, type PackageSource, renderSecretsScript, renderUserData } from "./bootstrap";
export { HOST_LAYOUT, nvmeDevicePath } from "./host-layout";
export { databaseIdentity, type DatabaseIdentity } from "./identity";
export { planDatabaseHosts, type DatabasesPlan, type DatabasesPlanInput, type HostPlan } from "./plan";
export { renderPgHba } from "./pg-hba";
export { renderPostgresqlConf } from "./postgresql-conf";
export { renderRolesSql } from "./roles-sql";
export { caCertificateSpec, hostDnsName, serverCertificateSpec } from "./certificates";
export { placeHost, privateIpFor } from "./placement";
export { memorySettings } from "./memory-settings";
export { instanceMemoryMiB, KNOWN_DB_INSTANCE_TYPES } from "./instance-memory";
export { packageMirrorBuckets, s3MirrorBucket } from "./package-mirror";
