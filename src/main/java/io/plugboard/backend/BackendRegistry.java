package io.plugboard.backend;

import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Picks the backend that serves a format, or says precisely why none does. */
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
        return backends.stream().filter(b -> b.formats().contains(format))
                .filter(b -> b.unavailableReason().isEmpty()).findFirst();
    }

    /**
     * The backend for a format.
     *
     * @throws PlugboardException {@code UNSUPPORTED_FORMAT} naming the format, why it is not served
     *     and what to upload instead
     */
    public Backend require(ModelFormat format) {
        Optional<Backend> backend = find(format);
        if (backend.isPresent()) {
            return backend.get();
        }
        String reason = backends.stream().filter(b -> b.formats().contains(format))
                .map(b -> b.name() + " is not usable here: " + b.unavailableReason().orElse(""))
                .findFirst()
                .orElseGet(() -> format.intrinsicReason().orElse(
                        "This build of Plugboard includes no engine for " + format.displayName() + "."));
        throw new PlugboardException(ProblemType.UNSUPPORTED_FORMAT,
                "Recognised " + format.displayName() + ", which cannot be served here. " + reason
                        + " " + format.hint(),
                Map.of("format", format.id(), "reason", reason, "hint", format.hint()));
    }

    @Override
    public void close() {
        backends.forEach(Backend::close);
    }
}
