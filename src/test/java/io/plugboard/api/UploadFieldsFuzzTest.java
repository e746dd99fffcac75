package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.plugboard.backend.Target;
import io.plugboard.ingest.UploadPart;
import io.plugboard.ingest.UploadRequest;
import io.plugboard.inference.PoolSettings;
import io.plugboard.problem.PlugboardException;
import io.plugboard.settings.ServingDefaults;
import io.plugboard.store.FileNames;
import java.time.Duration;
import java.util.List;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.mock.web.MockMultipartHttpServletRequest;

/**
 * Fuzzes the multipart upload form as a client fills it: field names and values (the known ones
 * more often than not), part names and file names. Whatever they hold, reading the form and naming
 * the files ends in an upload request or a client error, never another exception. Without
 * {@code JAZZER_FUZZ} this runs the committed inputs under {@code UploadFieldsFuzzTestInputs/}.
 */
class UploadFieldsFuzzTest {

    private static final List<String> NAMES = UploadFields.FIELDS.stream().sorted().toList();
    private static final UploadFields FIELDS = new UploadFields(new ServingDefaults(
            new PoolSettings(1, 64, Duration.ofSeconds(30), 1, Duration.ZERO), Target.CPU));

    @FuzzTest(maxDuration = "10m")
    void uploadForms(FuzzedDataProvider data) {
        MockMultipartHttpServletRequest request = new MockMultipartHttpServletRequest();
        int fields = data.consumeInt(0, 12);
        for (int i = 0; i < fields; i++) {
            String name = data.consumeBoolean() ? NAMES.get(data.consumeInt(0, NAMES.size() - 1))
                    : data.consumeString(16);
            request.addParameter(name, data.consumeString(64));
        }
        int files = data.consumeInt(0, 4);
        for (int i = 0; i < files; i++) {
            String part = data.consumeBoolean() ? "file" : "x" + data.consumeString(8); // a part always has a name
            request.addFile(new MockMultipartFile(part, data.consumeString(48), null, data.consumeBytes(16)));
        }
        try {
            UploadRequest upload = FIELDS.read(request);
            for (UploadPart file : upload.parts()) {
                FileNames.requireSafeRelative(file.name());
            }
        } catch (PlugboardException expected) {
            assertThat(expected.type().status()).isLessThan(500);
        }
    }
}
