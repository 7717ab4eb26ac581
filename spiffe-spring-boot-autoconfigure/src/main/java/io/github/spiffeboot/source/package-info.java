/**
 * Where SVIDs come from: the {@link io.github.spiffeboot.source.X509ContextSource} contract and its
 * implementation that watches a SPIFFE Workload API over a Unix domain socket
 * ({@link io.github.spiffeboot.source.WorkloadApiX509Source}), reconnecting when the agent restarts. Sources
 * connect when the application context starts, never when they are created
 * ({@link io.github.spiffeboot.source.SourceLifecycle}).
 */
package io.github.spiffeboot.source;
