package io.plugboard.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.api.FormatController;
import io.plugboard.backend.BackendRegistry;
import io.plugboard.backend.NativeCache;
import io.plugboard.backend.Target;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing formats answers from what the build contains: no DJL engine starts until a model needs it. */
class EnginesStartLazilyTest {

    @Test
    void listingFormatsStartsNoEngine(@TempDir Path cache) {
        DjlRuntime runtime = new DjlRuntime(new NativeCache(cache));
        BackendRegistry backends = new BackendRegistry(List.of(new TorchScriptBackend(runtime),
                new SavedModelBackend(runtime), new MxNetBackend(runtime)));

        FormatController.FormatList list = new FormatController(backends).formats();

        assertThat(list.formats()).filteredOn(f -> f.id().equals("torchscript")).singleElement()
                .satisfies(f -> {
                    assertThat(f.served()).isTrue();
                    assertThat(f.backend()).isEqualTo("pytorch");
                    assertThat(f.targets()).containsExactly(Target.CPU);
                });
        assertThat(List.of("PyTorch", "TensorFlow", "MXNet")).noneMatch(runtime::started);
        assertThat(cache.resolve("djl")).as("nothing unpacked").doesNotExist();
    }
}
