package io.plugboard;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Plugboard: one HTTP socket for models saved by any framework. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PlugboardApplication {

    public static void main(String[] args) {
        SpringApplication.run(PlugboardApplication.class, args);
    }
}
