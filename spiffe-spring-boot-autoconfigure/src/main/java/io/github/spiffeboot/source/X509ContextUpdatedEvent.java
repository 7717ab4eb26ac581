package io.github.spiffeboot.source;

import org.springframework.context.ApplicationEvent;

/**
 * Published whenever the {@link X509ContextSource} delivers a new SVID or bundle set (a rotation, a
 * federation change). Listen with {@code @EventListener}. TLS needs no listener: it reads the source
 * on every handshake.
 */
public class X509ContextUpdatedEvent extends ApplicationEvent {

    private final X509Context context;

    public X509ContextUpdatedEvent(X509ContextSource source, X509Context context) {
        super(source);
        this.context = context;
    }

    /** The new context. */
    public X509Context getContext() {
        return context;
    }
}
