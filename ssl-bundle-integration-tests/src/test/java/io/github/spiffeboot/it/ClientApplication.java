package io.github.spiffeboot.it;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A non-web Spring Boot application with the starter, Spring Data Redis and Spring for Apache Kafka. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ClientApplication {

    static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(ClientApplication.class)
            .properties("spring.main.web-application-type=none", "spring.main.banner-mode=off")
            .properties(properties)
            .run();
    }
}
