package io.github.spiffeboot.test.spring;

import java.time.Duration;
import java.util.Objects;

import io.github.spiffeboot.test.TestWorkloadApi;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.aot.AbstractAotProcessor;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/** Starts a {@link TestWorkloadApi} for the context and points the application at it. */
final class SpiffeTestContextCustomizer implements ContextCustomizer {

    private final String spiffeId;

    private final String svidTtl;

    private final boolean autoRotate;

    SpiffeTestContextCustomizer(String spiffeId, String svidTtl, boolean autoRotate) {
        this.spiffeId = spiffeId;
        this.svidTtl = svidTtl;
        this.autoRotate = autoRotate;
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
        if (Boolean.getBoolean(AbstractAotProcessor.AOT_PROCESSING)) {
            // Build-time processing only refreshes the context, and never closes it: an agent started here would
            // keep the processing JVM alive. The starter needs none to refresh; the AOT-run test starts one.
            return;
        }
        TestWorkloadApi workloadApi = TestWorkloadApi.create(java.net.URI.create(spiffeId).getHost())
            .svidTtl(Duration.parse(svidTtl))
            .identity(spiffeId)
            .start();
        if (autoRotate) {
            workloadApi.autoRotate();
        }
        context.getBeanFactory().registerSingleton("testWorkloadApi", workloadApi);
        context.addApplicationListener((ApplicationListener<ContextClosedEvent>) event -> {
            if (event.getApplicationContext() == context) {
                workloadApi.close();
            }
        });
        TestPropertyValues.of("spiffe.workload-api.socket=" + workloadApi.socketAddress()).applyTo(context);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SpiffeTestContextCustomizer that && spiffeId.equals(that.spiffeId)
                && svidTtl.equals(that.svidTtl) && autoRotate == that.autoRotate;
    }

    @Override
    public int hashCode() {
        return Objects.hash(spiffeId, svidTtl, autoRotate);
    }
}
