package io.plugboard.backend;

import io.plugboard.format.ModelFormat;
import java.util.List;
import java.util.Optional;

/** Picks the backend that serves a format, or says precisely why none does. Starts no engine. */
public final class BackendRegistry implements AutoCloseable {

    private final List<Backend> backends;

    public BackendRegistry(List<Backend> backends) {
        this.backends = List.copyOf(backends);
    }

    public List<Backend> backends() {
        return backends;
    }

    /** The first available backend serving the format. */
    public Optional<Backend> find(ModelFormat format) {
        return status(format) instanceof FormatSupport.Served served ? Optional.of(served.backend()) : Optional.empty();
    }

    /** Whether the format is served here, by which backend, or why not. */
    public FormatSupport status(ModelFormat format) {
        Optional<Backend> usable = backends.stream().filter(b -> b.formats().contains(format))
                .filter(b -> b.unavailableReason().isEmpty()).findFirst();
        if (usable.isPresent()) {
            return new FormatSupport.Served(format, usable.get());
        }
        String reason = backends.stream().filter(b -> b.formats().contains(format))
                .map(b -> b.name() + " is not usable here: " + b.unavailableReason().orElse(""))
                .findFirst()
                .orElseGet(() -> format.intrinsicReason().orElse(
                        "This build of Plugboard includes no engine for " + format.displayName() + "."));
        return new FormatSupport.NotServed(format, reason, format.hint());
    }

    @Override
    public void close() {
        backends.forEach(Backend::close);
    }
}
