package io.github.spiffeboot.source;

import io.github.spiffeboot.svid.X509BundleSet;
import io.github.spiffeboot.svid.X509Svid;

import java.util.Objects;

/**
 * What the Workload API last delivered: this workload's SVID and the bundles to verify peers with.
 * Replaced as a whole on every update, so a reader never sees an SVID with another update's bundles.
 *
 * @param svid this workload's default X.509-SVID
 * @param bundles the own and federated trust bundles
 */
public record X509Context(X509Svid svid, X509BundleSet bundles) {

    public X509Context {
        Objects.requireNonNull(svid, "svid");
        Objects.requireNonNull(bundles, "bundles");
    }
}
