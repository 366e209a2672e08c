import { egressProxySuite } from "./support/squid-suite";

// prod's egress proxy: its own cloud-config (zone CIDRs, bucket, key) booted and exercised the same way.
egressProxySuite("prod", "core");
