package io.plugboard.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Plugboard started through its own {@code main} in a separate JVM, as users start it: with the
 * test class path, a free port and its output in a log file beside the store.
 */
public final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private ServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a server; {@code jvmArgs} go before the main class, {@code args} after it. */
    public static ServerProcess start(Path log, List<String> jvmArgs, String... args) throws IOException {
        return start(log, List.of(), jvmArgs, args);
    }

    /**
     * Starts a server through {@code launcher}, a command that ends by running the command line it
     * is given (e.g. {@code unshare} with a shell that mounts something first); empty runs it directly.
     */
    public static ServerProcess start(Path log, List<String> launcher, List<String> jvmArgs, String... args)
            throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.plugboard.PlugboardApplication",
                "--server.port=" + port, "--spring.jmx.enabled=false", "--logging.level.root=WARN"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServerProcess(process, port, log);
    }

    public int port() {
        return port;
    }

    public Http http() {
        return new Http(port);
    }

    public Process process() {
        return process;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Waits until the server answers ready, or fails with its log. */
    public ServerProcess awaitReady() throws Exception {
        Http http = http();
        for (int i = 0; i < 240; i++) {
            if (!process.isAlive()) {
                throw new AssertionError("server exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (http.get("/actuator/health/readiness").status() == 200) {
                    return this;
                }
            } catch (RuntimeException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("server did not become ready:\n" + log());
    }

    /** Waits for the process to end by itself. */
    public boolean awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** SIGKILL. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
