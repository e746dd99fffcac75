package io.plugboard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.plugboard.backend.Backend;
import io.plugboard.backend.BackendRegistry;
import io.plugboard.backend.Target;
import io.plugboard.confinement.ConfinementStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/hardware}: the targets this host offers each backend, and why others are missing. */
@RestController
@Tag(name = "Hardware", description = "Targets models can be placed on")
public class HardwareController {

    private final BackendRegistry backends;
    private final ConfinementStatus confinement;

    public HardwareController(BackendRegistry backends, ConfinementStatus confinement) {
        this.backends = backends;
        this.confinement = confinement;
    }

    /** A target and the backends that can use it. */
    public record TargetEntry(Target name, List<String> backends) {
    }

    /** A target kind a backend cannot use here. */
    public record Unavailable(String target, String backend, String reason) {
    }

    /** The inventory. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Inventory(List<TargetEntry> targets, List<Unavailable> unavailable, ConfinementStatus confinement) {
    }

    @Operation(summary = "Hardware inventory", description = "cpu always; cuda:N and tensorrt:N when ONNX Runtime's "
            + "providers load and devices exist; openvino with an OpenVINO-enabled ONNX Runtime; GPU devices of the "
            + "DJL engines once they have started; whether the process is confined (Linux Landlock).")
    @GetMapping(path = "/v1/hardware", produces = MediaType.APPLICATION_JSON_VALUE)
    public Inventory inventory() {
        Map<Target, List<String>> byTarget = new TreeMap<>(Comparator.comparing(Target::kind)
                .thenComparing(t -> t.deviceOrZero()));
        List<Unavailable> unavailable = new ArrayList<>();
        for (Backend backend : backends.backends()) {
            if (backend.unavailableReason().isPresent()) {
                unavailable.add(new Unavailable("*", backend.name(), backend.unavailableReason().get()));
                continue;
            }
            for (Target target : backend.knownTargets()) {
                byTarget.computeIfAbsent(target, t -> new ArrayList<>()).add(backend.name());
            }
            backend.unavailableTargets().forEach((kind, why) -> unavailable.add(new Unavailable(kind, backend.name(), why)));
        }
        List<TargetEntry> targets = new ArrayList<>();
        byTarget.forEach((name, users) -> targets.add(new TargetEntry(name, users)));
        return new Inventory(targets, unavailable, confinement);
    }
}
