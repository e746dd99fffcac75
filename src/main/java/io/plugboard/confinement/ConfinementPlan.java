package io.plugboard.confinement;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.springframework.core.env.Environment;

/**
 * The paths a confined Plugboard may use, and how: what the JVM needs to start and run (the JDK, the
 * class path, system libraries, a few files of {@code /etc}, {@code /proc}, {@code /sys},
 * {@code /dev}), the configuration it reads, and the folders it writes (the model store, the engine
 * cache, the temp folder, log files). Everything else — home folders, credentials, other services'
 * files, service-account tokens — can be neither read nor written, and no program but the JDK's own
 * and {@code ldconfig} can be started.
 */
public final class ConfinementPlan {

    /** Files and folders of {@code /etc} that the JVM, name resolution and TLS read. */
    private static final List<String> ETC = List.of("passwd", "group", "nsswitch.conf", "hosts", "host.conf",
            "resolv.conf", "gai.conf", "localtime", "timezone", "ssl", "ca-certificates", "ca-certificates.conf", "pki",
            "crypto-policies", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "os-release", "mime.types", "protocols",
            "services", "machine-id", "locale.alias");
    private static final List<String> SYSTEM_READ = List.of("/usr", "/lib", "/lib64", "/lib32", "/libx32", "/proc",
            "/sys");
    /** Where dynamic loaders live: running the JDK's programs needs the loader to be executable. */
    private static final List<String> LOADER_FOLDERS = List.of("/lib64", "/lib", "/lib/x86_64-linux-gnu",
            "/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu");
    private static final List<String> LDCONFIG = List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "/sbin/ldconfig.real",
            "/usr/sbin/ldconfig.real");

    private final List<PathRule> rules;

    private ConfinementPlan(List<PathRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<PathRule> rules() {
        return rules;
    }

    /** The folders this plan writes, created so that a rule can name them. */
    public void createWritableFolders() {
        for (PathRule rule : rules) {
            if (rule.access() == Access.READ_WRITE && !Files.exists(rule.path())) {
                try {
                    Files.createDirectories(rule.path());
                } catch (IOException e) {
                    throw new ConfinementException("Cannot create " + rule.path() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * The plan for this process.
     *
     * @param env         the resolved configuration, system properties and environment variables included
     * @param writable    the folders Plugboard writes (store, engine cache, operator additions)
     * @param readable    further paths to read (operator additions)
     * @param commandLine this process's command line ({@code @argfiles} and agents are read)
     */
    public static ConfinementPlan of(Environment env, List<Path> writable, List<Path> readable,
            List<String> commandLine) {
        Path cwd = Path.of(env.getProperty("user.dir", ".")).toAbsolutePath();
        Map<Path, Access> paths = new LinkedHashMap<>();
        // HotSpot opens "." to come back after creating its perf-data file; without that, relative
        // paths would resolve against /tmp/hsperfdata_<user>
        add(paths, cwd, Access.LIST);
        add(paths, Path.of(env.getProperty("java.home")), Access.READ_EXECUTE);
        for (String loaderFolder : LOADER_FOLDERS) {
            for (Path loader : list(Path.of(loaderFolder), "{ld-linux*.so*,ld-musl*.so*}")) {
                add(paths, loader, Access.READ_EXECUTE);
            }
        }
        for (String ldconfig : LDCONFIG) {
            add(paths, Path.of(ldconfig), Access.READ_EXECUTE);
        }
        SYSTEM_READ.forEach(p -> add(paths, Path.of(p), Access.READ));
        ETC.forEach(p -> add(paths, Path.of("/etc", p), Access.READ));
        list(Path.of("/etc"), "java*").forEach(p -> add(paths, p, Access.READ));
        add(paths, Path.of("/dev"), Access.DEVICES);
        for (String entry : pathList(env.getProperty("java.class.path"))) {
            Path p = cwd.resolve(entry);
            add(paths, p, Access.READ);
            manifestClassPath(p).forEach(q -> add(paths, q, Access.READ));
        }
        pathList(env.getProperty("jdk.module.path")).forEach(p -> add(paths, cwd.resolve(p), Access.READ));
        pathList(env.getProperty("LD_LIBRARY_PATH")).forEach(p -> add(paths, cwd.resolve(p), Access.READ));
        optionalPath(env, "onnxruntime.native.path").ifPresent(p -> add(paths, cwd.resolve(p), Access.READ));
        for (String arg : commandLine) {
            launchFile(arg).ifPresent(p -> add(paths, cwd.resolve(p), Access.READ));
        }
        for (String var : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
            for (String arg : env.getProperty(var, "").split("\\s+")) {
                launchFile(arg).ifPresent(p -> add(paths, cwd.resolve(p), Access.READ));
            }
        }
        configLocations(env, cwd).forEach(p -> add(paths, p, Access.READ));
        optionalPath(env, "logging.config").map(ConfinementPlan::stripPrefixes)
                .ifPresent(p -> add(paths, cwd.resolve(p), Access.READ));
        readable.forEach(p -> add(paths, cwd.resolve(p), Access.READ));
        add(paths, Path.of(env.getProperty("java.io.tmpdir", "/tmp")), Access.READ_WRITE);
        optionalPath(env, "jna.tmpdir").ifPresent(p -> add(paths, cwd.resolve(p), Access.READ_WRITE));
        optionalPath(env, "server.tomcat.basedir").ifPresent(p -> add(paths, cwd.resolve(p), Access.READ_WRITE));
        optionalPath(env, "logging.file.path").ifPresent(p -> add(paths, cwd.resolve(p), Access.READ_WRITE));
        optionalPath(env, "logging.file.name").map(cwd::resolve).map(Path::getParent)
                .ifPresent(p -> add(paths, p, Access.READ_WRITE));
        writable.forEach(p -> add(paths, cwd.resolve(p), Access.READ_WRITE));
        List<PathRule> rules = new ArrayList<>();
        paths.forEach((path, access) -> rules.add(new PathRule(path, access)));
        return new ConfinementPlan(rules);
    }

    /** Adds a rule; a path named twice keeps the wider access. */
    private static void add(Map<Path, Access> paths, Path path, Access access) {
        Path normal = path.toAbsolutePath().normalize();
        paths.merge(normal, access, ConfinementPlan::wider);
    }

    private static Access wider(Access a, Access b) {
        if (a == Access.READ_WRITE || b == Access.READ_WRITE) {
            return Access.READ_WRITE;
        }
        if (a == Access.DEVICES || b == Access.DEVICES) {
            return Access.DEVICES;
        }
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    private static List<Path> list(Path folder, String glob) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, glob)) {
            entries.forEach(found::add);
        } catch (IOException e) {
            return List.of();
        }
        return found;
    }

    private static List<String> pathList(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return List.of(value.split(File.pathSeparator)).stream().filter(s -> !s.isBlank()).toList();
    }

    private static Optional<String> optionalPath(Environment env, String key) {
        String value = env.getProperty(key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** A jar's {@code Class-Path} entries (Spring Boot's extracted layout lists its {@code lib/} so). */
    private static List<Path> manifestClassPath(Path jar) {
        if (!Files.isRegularFile(jar) || !jar.toString().endsWith(".jar")) {
            return List.of();
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath == null) {
                return List.of();
            }
            List<Path> entries = new ArrayList<>();
            for (String entry : classPath.trim().split("\\s+")) {
                try {
                    entries.add(jar.getParent().resolve(entry.startsWith("file:") ? entry.substring(5) : entry));
                } catch (InvalidPathException e) {
                    // not a path this rule could name
                }
            }
            return entries;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The file a launcher argument names: an {@code @argfile}, a Java agent or a native agent. */
    private static Optional<String> launchFile(String arg) {
        String file = null;
        if (arg.startsWith("@") && arg.length() > 1) {
            file = arg.substring(1);
        } else if (arg.startsWith("-javaagent:")) {
            file = arg.substring("-javaagent:".length());
        } else if (arg.startsWith("-agentpath:")) {
            file = arg.substring("-agentpath:".length());
        }
        if (file == null) {
            return Optional.empty();
        }
        int options = arg.startsWith("@") ? -1 : file.indexOf('=');
        return Optional.of(options >= 0 ? file.substring(0, options) : file);
    }

    /** Spring Boot's configuration files: {@code ./config/}, {@code ./application*} and the configured locations. */
    private static List<Path> configLocations(Environment env, Path cwd) {
        List<Path> found = new ArrayList<>();
        found.add(cwd.resolve("config"));
        found.addAll(list(cwd, "application*.{properties,yml,yaml}"));
        for (String key : List.of("spring.config.location", "spring.config.additional-location", "spring.config.import")) {
            for (String location : env.getProperty(key, "").split("[,;]")) {
                String path = stripPrefixes(location.trim());
                if (!path.isEmpty() && !location.trim().startsWith("classpath:")) {
                    found.add(cwd.resolve(path));
                }
            }
        }
        return found;
    }

    private static String stripPrefixes(String location) {
        String path = location;
        for (String prefix : List.of("optional:", "file:", "configtree:")) {
            if (path.startsWith(prefix)) {
                path = path.substring(prefix.length());
            }
        }
        if (path.startsWith("optional:") || path.startsWith("file:") || path.startsWith("configtree:")) {
            return stripPrefixes(path);
        }
        return path.startsWith("classpath:") ? "" : path;
    }
}
