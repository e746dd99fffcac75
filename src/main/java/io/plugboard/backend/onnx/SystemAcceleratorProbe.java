package io.plugboard.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Probes the real host: device nodes, the dynamic linker's cache and ONNX Runtime itself. */
public final class SystemAcceleratorProbe implements AcceleratorProbe {

    private final OnnxSettings settings;
    private Set<String> linkerCache;

    public SystemAcceleratorProbe(OnnxSettings settings) {
        this.settings = settings;
    }

    @Override
    public Set<String> compiledProviders() {
        Set<String> names = new HashSet<>();
        OrtEnvironment.getAvailableProviders().forEach(p -> names.add(p.name()));
        return names;
    }

    @Override
    public List<Integer> nvidiaDevices() {
        List<Integer> devices = new ArrayList<>();
        try (Stream<Path> dev = Files.list(Path.of("/dev"))) {
            dev.map(p -> p.getFileName().toString()).filter(n -> n.matches("nvidia[0-9]+"))
                    .map(n -> Integer.parseInt(n.substring(6))).sorted().forEach(devices::add);
        } catch (IOException e) {
            return List.of();
        }
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        if (visible != null && !visible.isBlank()) {
            List<Integer> allowed = new ArrayList<>();
            for (String part : visible.split(",")) {
                try {
                    int index = Integer.parseInt(part.trim());
                    if (index < devices.size()) {
                        allowed.add(allowed.size());
                    }
                } catch (NumberFormatException e) {
                    // a UUID form: count it as one visible device
                    allowed.add(allowed.size());
                }
            }
            return allowed;
        }
        return devices;
    }

    @Override
    public synchronized Optional<String> missingLibrary(List<String> libraries) {
        if (linkerCache == null) {
            linkerCache = readLinkerCache();
        }
        for (String library : libraries) {
            if (!linkerCache.contains(library) && !onLibraryPath(library)) {
                return Optional.of(library);
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> tryProvider(io.plugboard.backend.Target target) {
        try (SessionOptions options = ExecutionProviders.options(target, settings)) {
            return Optional.empty();
        } catch (OrtException | RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    private static boolean onLibraryPath(String library) {
        String path = System.getenv("LD_LIBRARY_PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isBlank() && Files.exists(Path.of(dir, library))) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> readLinkerCache() {
        Set<String> names = new HashSet<>();
        for (String ldconfig : new String[] {"/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"}) {
            try {
                Process process = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                try (var reader = process.inputReader()) {
                    reader.lines().map(String::trim).filter(l -> l.contains(" => "))
                            .forEach(l -> names.add(l.substring(0, l.indexOf(' '))));
                }
                if (process.waitFor(10, TimeUnit.SECONDS) && !names.isEmpty()) {
                    return names;
                }
            } catch (IOException e) {
                // try the next location
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return names;
            }
        }
        return names;
    }
}
