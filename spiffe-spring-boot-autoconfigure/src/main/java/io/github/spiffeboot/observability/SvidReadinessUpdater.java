package io.github.spiffeboot.observability;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.spiffeboot.observability.SvidHealth.Level;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Makes readiness follow the SVID: the application refuses traffic while it has no valid SVID (it could
 * not complete a handshake anyway) and accepts it again once a valid one arrives. It only reverts the
 * refusals it caused itself.
 */
public final class SvidReadinessUpdater implements SmartLifecycle {

    private static final Log logger = LogFactory.getLog(SvidReadinessUpdater.class);

    private final SpiffeHealthIndicator health;

    private final ApplicationEventPublisher publisher;

    private final long periodMillis;

    private ScheduledExecutorService scheduler;

    private volatile boolean refusing;

    public SvidReadinessUpdater(SpiffeHealthIndicator health, ApplicationEventPublisher publisher, long periodMillis) {
        this.health = health;
        this.publisher = publisher;
        this.periodMillis = periodMillis;
    }

    void check() {
        try {
            boolean down = health.assess().level() == Level.DOWN;
            if (down && !refusing) {
                refusing = true;
                logger.warn("No valid X.509-SVID: readiness set to REFUSING_TRAFFIC");
                AvailabilityChangeEvent.publish(publisher, this, ReadinessState.REFUSING_TRAFFIC);
            }
            else if (!down && refusing) {
                refusing = false;
                logger.info("Valid X.509-SVID again: readiness set to ACCEPTING_TRAFFIC");
                AvailabilityChangeEvent.publish(publisher, this, ReadinessState.ACCEPTING_TRAFFIC);
            }
        }
        catch (RuntimeException ex) {
            logger.error("Cannot assess the SVID for readiness", ex);
        }
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "spiffe-readiness");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
