import { egressProxySuite } from "./support/squid-suite";

// dev's egress proxy, with the checks that depend on the bootstrap's code alone (second run, failures).
egressProxySuite("dev", "full");
