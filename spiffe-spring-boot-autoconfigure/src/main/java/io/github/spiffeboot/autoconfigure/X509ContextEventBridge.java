package io.github.spiffeboot.autoconfigure;

import io.github.spiffeboot.source.X509ContextSource;
import io.github.spiffeboot.source.X509ContextUpdatedEvent;
import org.springframework.context.ApplicationEventPublisher;

/** Publishes every update of the source as an {@link X509ContextUpdatedEvent}. */
final class X509ContextEventBridge {

    X509ContextEventBridge(X509ContextSource source, ApplicationEventPublisher publisher) {
        source.addListener(context -> publisher.publishEvent(new X509ContextUpdatedEvent(source, context)));
    }
}
