package io.github.spiffeboot.testapp;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A non-web application that only calls others, for the client tests. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ClientApplication {

    public static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(ClientApplication.class)
            .properties("spring.main.web-application-type=none", "spring.main.banner-mode=off")
            .properties(properties)
            .run();
    }
}
