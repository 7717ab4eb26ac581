package io.github.spiffeboot.test.spring;

import java.util.List;

import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/** Reads {@link WithSpiffeIdentity} from test classes. Registered in {@code META-INF/spring.factories}. */
class SpiffeTestContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        WithSpiffeIdentity identity = TestContextAnnotationUtils.findMergedAnnotation(testClass,
                WithSpiffeIdentity.class);
        return (identity != null) ? new SpiffeTestContextCustomizer(identity.value(), identity.svidTtl(),
                identity.autoRotate()) : null;
    }
}
