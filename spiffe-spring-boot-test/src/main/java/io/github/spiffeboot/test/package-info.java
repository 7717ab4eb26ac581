/**
 * Test support for SPIFFE workloads: a {@link io.github.spiffeboot.test.TestCertificateAuthority} that
 * issues conformant (and, on request, deliberately broken) X.509-SVIDs, a
 * {@link io.github.spiffeboot.test.TestWorkloadApi} that serves them over the real Workload API gRPC
 * protocol on a Unix socket, and a {@link io.github.spiffeboot.test.SpiffeTestClient} that calls an mTLS
 * endpoint as any SPIFFE ID.
 */
package io.github.spiffeboot.test;
