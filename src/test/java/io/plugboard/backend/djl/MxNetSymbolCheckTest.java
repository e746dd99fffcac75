package io.plugboard.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** MXNet symbols each breaking one thing MXNet's graph loader trusts, refused before it reads them. */
class MxNetSymbolCheckTest {

    private static final String TINY = read();

    private static String read() {
        try {
            return Files.readString(Path.of("src/test/resources/models/mxnet/tiny-symbol.json"))
                    .replaceAll("\\s+", "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertRefused(String symbol, ProblemType type, String reason) {
        assertThatThrownBy(() -> MxNetSymbolCheck.check(symbol)).isInstanceOfSatisfying(PlugboardException.class, e -> {
            assertThat(e.type()).isEqualTo(type);
            assertThat(e.getMessage()).contains(reason).contains("refused before MXNet reads it");
        });
    }

    @Test
    void theCommittedSymbolPasses() {
        assertThatCode(() -> MxNetSymbolCheck.check(TINY)).doesNotThrowAnyException();
    }

    @Test
    void entriesMustNameEarlierNodesAndOutputsTheyHave() {
        // the fuzzer's finding: MXNet read output 1 of a variable, which has one (SIGSEGV)
        assertRefused(TINY.replace("[[0,0,0],[1,0,0]", "[[0,1,0],[1,0,0]"), ProblemType.MODEL_LOAD_FAILED,
                "output 1 of node 0, which has 1");
        assertRefused(TINY.replace("[[0,0,0],[1,0,0]", "[[3,0,0],[1,0,0]"), ProblemType.MODEL_LOAD_FAILED,
                "node 3, which does not come before it");
        assertRefused(TINY.replace("\"heads\":[[3,0,0]]", "\"heads\":[[9,0,0]]"), ProblemType.MODEL_LOAD_FAILED,
                "head naming node 9");
        assertRefused(TINY.replace("\"heads\":[[3,0,0]]", "\"heads\":[]"), ProblemType.MODEL_LOAD_FAILED, "no 'heads'");
        assertRefused(TINY.replace("\"arg_nodes\":[0,1,2]", "\"arg_nodes\":[0,1,3]"), ProblemType.MODEL_LOAD_FAILED,
                "argument node 3");
    }

    @Test
    void sizesMustBePositiveAndBounded() {
        assertRefused(TINY.replace("\"FullyConnected\",\"name\":\"fc\",\"attrs\":{\"num_hidden\":\"2\"}",
                "\"FullyConnected\",\"name\":\"fc\",\"attrs\":{\"num_hidden\":\"0\"}"), ProblemType.MODEL_LOAD_FAILED,
                "num_hidden=0");
        assertRefused(TINY.replace("{\"num_hidden\":\"2\"},\"inputs\":[[0",
                "{\"num_hidden\":\"2\",\"kernel\":\"(3, 99999999)\"},\"inputs\":[[0"), ProblemType.MODEL_LOAD_FAILED,
                "kernel=(3, 99999999)");
        assertRefused(TINY.replace("{\"num_hidden\":\"2\"},\"inputs\":[[0",
                "{\"num_hidden\":\"2\",\"stride\":\"(a,b)\"},\"inputs\":[[0"), ProblemType.MODEL_LOAD_FAILED,
                "not a list of integers");
    }

    @Test
    void operatorsRunningOutsideCodeAreUnsafe() {
        assertRefused(TINY.replace("\"op\":\"FullyConnected\"", "\"op\":\"_Native\""), ProblemType.UNSAFE_MODEL,
                "'_Native' operator");
        assertRefused(TINY.replace("\"op\":\"FullyConnected\"", "\"op\":\"Custom\""), ProblemType.UNSAFE_MODEL,
                "'Custom' operator");
    }

    @Test
    void aSymbolFileTooLargeIsRefusedUnread(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path huge = dir.resolve("huge-symbol.json");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(MxNetSymbolCheck.MAX_SYMBOL_BYTES + 1); // sparse: nothing is written
        }
        long before = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        assertThatThrownBy(() -> MxNetSymbolCheck.check(huge)).isInstanceOfSatisfying(PlugboardException.class,
                e -> assertThat(e.getMessage()).contains("larger than 64 MB"));
        long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - before;
        assertThat(cpu).as("refused from its size, not read").isLessThan(200_000_000L);
    }

    @Test
    void garbageIsRefused() {
        assertRefused("{\"nodes\": [", ProblemType.MODEL_LOAD_FAILED, "not valid JSON");
        assertRefused("[]", ProblemType.MODEL_LOAD_FAILED, "no 'nodes' list");
        // were the last name to win, the check would pass an operator the engine may read first
        assertRefused(TINY.replace("\"op\":\"FullyConnected\"", "\"op\":\"Custom\",\"op\":\"FullyConnected\""),
                ProblemType.MODEL_LOAD_FAILED, "Duplicate");
        assertRefused("{\"nodes\":[{\"name\":\"x\"}],\"heads\":[[0,0]]}", ProblemType.MODEL_LOAD_FAILED, "without an 'op'");
    }
}
