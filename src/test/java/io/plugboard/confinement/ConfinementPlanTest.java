package io.plugboard.confinement;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

/** Which paths a confined Plugboard may use, and how, from its configuration and command line. */
class ConfinementPlanTest {

    private static Map<Path, Access> plan(MockEnvironment env, List<Path> writable, List<Path> readable,
            List<String> commandLine) {
        return ConfinementPlan.of(env, writable, readable, commandLine).rules().stream()
                .collect(Collectors.toMap(PathRule::path, PathRule::access));
    }

    private static MockEnvironment env(Path dir) {
        return new MockEnvironment().withProperty("user.dir", dir.resolve("work").toString())
                .withProperty("java.home", dir.resolve("jdk").toString())
                .withProperty("java.io.tmpdir", dir.resolve("tmp").toString())
                .withProperty("java.class.path", "app.jar:" + dir.resolve("lib/dep.jar"));
    }

    @Test
    void theJvmItsClassPathAndTheStoreAreAllowedAndNothingElse(@TempDir Path dir) {
        Map<Path, Access> rules = plan(env(dir), List.of(Path.of("data"), dir.resolve("engines")), List.of(), List.of());
        Path work = dir.resolve("work");
        assertThat(rules).containsEntry(dir.resolve("jdk"), Access.READ_EXECUTE)
                .containsEntry(work.resolve("app.jar"), Access.READ)
                .containsEntry(dir.resolve("lib/dep.jar"), Access.READ)
                .containsEntry(work.resolve("data"), Access.READ_WRITE)
                .containsEntry(dir.resolve("engines"), Access.READ_WRITE)
                .containsEntry(dir.resolve("tmp"), Access.READ_WRITE)
                .containsEntry(work, Access.LIST)
                .containsEntry(work.resolve("config"), Access.READ)
                .containsEntry(Path.of("/usr"), Access.READ)
                .containsEntry(Path.of("/proc"), Access.READ)
                .containsEntry(Path.of("/dev"), Access.DEVICES)
                .containsEntry(Path.of("/etc/resolv.conf"), Access.READ);
        assertThat(rules.keySet()).as("no home folder, no /etc as a whole, no root, no /var")
                .doesNotContain(Path.of("/"), Path.of("/etc"), Path.of("/root"), Path.of("/home"), Path.of("/var"),
                        Path.of(System.getProperty("user.home")));
        assertThat(rules.entrySet()).as("only the JDK and the loaders may run programs")
                .filteredOn(e -> e.getValue() == Access.READ_EXECUTE)
                .allSatisfy(e -> assertThat(e.getKey().startsWith(dir.resolve("jdk"))
                        || e.getKey().getFileName().toString().startsWith("ld")).as(e.getKey().toString()).isTrue());
    }

    @Test
    void configurationLogsAgentsAndArgfilesAreFollowed(@TempDir Path dir) throws Exception {
        Path agent = dir.resolve("agent.jar");
        MockEnvironment env = env(dir)
                .withProperty("spring.config.additional-location", "optional:file:/opt/plugboard/config/")
                .withProperty("spring.config.import", "optional:configtree:/run/secrets/plugboard/,classpath:x.yml")
                .withProperty("logging.file.name", "/var/log/plugboard/server.log")
                .withProperty("logging.config", "file:/etc/plugboard/logback.xml")
                .withProperty("JAVA_TOOL_OPTIONS", "-Xmx1g -javaagent:" + agent + "=opt");
        Map<Path, Access> rules = plan(env, List.of(), List.of(Path.of("/srv/keys/tls.p12")),
                List.of("java", "@" + dir.resolve("args.txt"), "-jar", "app.jar"));
        assertThat(rules).containsEntry(Path.of("/opt/plugboard/config"), Access.READ)
                .containsEntry(Path.of("/run/secrets/plugboard"), Access.READ)
                .containsEntry(Path.of("/var/log/plugboard"), Access.READ_WRITE)
                .containsEntry(Path.of("/etc/plugboard/logback.xml"), Access.READ)
                .containsEntry(agent, Access.READ)
                .containsEntry(dir.resolve("args.txt"), Access.READ)
                .containsEntry(Path.of("/srv/keys/tls.p12"), Access.READ);
        assertThat(rules.keySet()).noneMatch(p -> p.toString().contains("x.yml"));
    }

    @Test
    void aPathNamedTwiceKeepsTheWiderAccess(@TempDir Path dir) {
        MockEnvironment env = env(dir).withProperty("java.io.tmpdir", dir.resolve("work").toString());
        assertThat(plan(env, List.of(), List.of(), List.of())).containsEntry(dir.resolve("work"), Access.READ_WRITE);
    }

    @Test
    void writableFoldersAreCreatedSoThatRulesCanNameThem(@TempDir Path dir) {
        ConfinementPlan plan = ConfinementPlan.of(env(dir), List.of(dir.resolve("store/models")), List.of(), List.of());
        plan.createWritableFolders();
        assertThat(dir.resolve("store/models")).isDirectory();
        assertThat(Files.exists(dir.resolve("jdk"))).as("read-only paths are not created").isFalse();
    }

    @Test
    void rightsFollowTheKernelsAbi() {
        assertThat(Landlock.rights(Access.READ_WRITE, 2) & Landlock.TRUNCATE).as("ABI 2 has no truncate right").isZero();
        assertThat(Landlock.rights(Access.READ_WRITE, 3) & Landlock.TRUNCATE).isNotZero();
        assertThat(Landlock.rights(Access.READ_WRITE, 7) & Landlock.EXECUTE).as("nothing written may run").isZero();
        assertThat(Landlock.rights(Access.DEVICES, 4) & Landlock.IOCTL_DEV).isZero();
        assertThat(Landlock.rights(Access.DEVICES, 5) & Landlock.IOCTL_DEV).isNotZero();
        assertThat(Landlock.rights(Access.LIST, 7)).isEqualTo(Landlock.READ_DIR);
        assertThat(Landlock.handled(2) & Landlock.REFER).as("moves between folders are governed").isNotZero();
    }
}
