/**
 * Test support for SPIFFE workloads: a {@link io.github.spiffeboot.test.TestCertificateAuthority} that
 * issues conformant (and, on request, deliberately broken) X.509-SVIDs, a
 * {@link io.github.spiffeboot.test.TestWorkloadApi} that serves them over the real Workload API gRPC
 * protocol on a Unix socket, a {@link io.github.spiffeboot.test.SpiffeTestClient} that calls an mTLS
 * endpoint as any SPIFFE ID, and a {@link io.github.spiffeboot.test.TestTlsServer}: a plain JSSE mTLS
 * server that issues session tickets and records whether each connection resumed.
 */
package io.github.spiffeboot.test;
