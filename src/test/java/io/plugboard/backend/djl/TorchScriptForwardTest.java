package io.plugboard.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** forward's argument names read from TorchScript code, and what is not read from hostile archives. */
class TorchScriptForwardTest {

    @Test
    void argumentsAreSplitAtTopLevelCommasOnly() {
        String code = "class Other(Module):\n  def forward(self: __torch__.Other,\n    z: Tensor) -> Tensor:\n    return z\n"
                + "class Net(Module):\n  def forward(self: __torch__.Net,\n    image: Tensor,\n"
                + "    pairs: Tuple[Tensor, Tensor],\n    scale: float=1.) -> Dict[str, Tensor]:\n    return {}\n";
        assertThat(TorchScriptForward.forwardArguments(code.getBytes(StandardCharsets.UTF_8), "Net"))
                .containsExactly("image", "pairs", "scale");
        assertThat(TorchScriptForward.forwardArguments(code.getBytes(StandardCharsets.UTF_8), "Missing")).isEmpty();
    }

    @Test
    void unreadableOrOddCodeGivesNoNamesRatherThanWrongOnes() {
        String unclosed = "class Net(Module):\n  def forward(self, x: Tensor" + "[".repeat(100_000);
        assertThat(TorchScriptForward.forwardArguments(unclosed.getBytes(StandardCharsets.UTF_8), "Net")).isEmpty();
        String odd = "class Net(Module):\n  def forward(self, *args):\n    pass\n";
        assertThat(TorchScriptForward.forwardArguments(odd.getBytes(StandardCharsets.UTF_8), "Net")).isEmpty();
        assertThat(TorchScriptForward.rootClass(new byte[] {(byte) 0x80, 2, 'c', '_', '_'})).isEmpty();
        assertThat(TorchScriptForward.rootClass("\u0080\u0002cos\nsystem\n".getBytes(StandardCharsets.ISO_8859_1)))
                .as("a class outside __torch__").isEmpty();
    }

    @Test
    void aFileThatIsNoArchiveGivesNoNames(@TempDir Path dir) throws Exception {
        Path junk = Files.write(dir.resolve("model.pt"), new byte[] {'P', 'K', 3, 4, 0, 0});
        assertThat(TorchScriptForward.argumentNames(junk)).isEmpty();
    }
}
