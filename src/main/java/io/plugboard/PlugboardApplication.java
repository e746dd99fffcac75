package io.plugboard;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Plugboard: one HTTP socket for models saved by any framework. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PlugboardApplication {

    public static void main(String[] args) {
        if (System.getProperty("jna.tmpdir") == null) {
            // JNA would unpack into the home folder, which a confined process cannot write
            System.setProperty("jna.tmpdir", System.getProperty("java.io.tmpdir") + "/plugboard-jna-"
                    + System.getProperty("user.name", "user"));
        }
        SpringApplication application = new SpringApplication(PlugboardApplication.class);
        application.addListeners(new ConfinedStart());
        application.run(args);
    }
}
