package io.plugboard.backend.opencv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The numbers of Darknet and Caffe definitions, checked before OpenCV trusts them. */
class NetworkDefinitionCheckTest {

    private static final String NET = "[net]\nbatch=1\nwidth=8\nheight=4\nchannels=3\n";

    @Test
    void darknetInputShapeComesFromTheNetSection() {
        assertThat(NetworkDefinitionCheck.darknet(NET + "[convolutional]\nfilters=2\nsize=3\nstride=1\npad=1\n"
                + "[route]\nlayers=-1\n[shortcut]\nfrom=-2\n")).containsExactly(1, 3, 4, 8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[convolutional]\ngroups=0\n", "[convolutional]\nfilters=0\n", "[maxpool]\nstride=0\n",
        "[convolutional]\nsize=-3\n", "[convolutional]\npad=-1\n", "[convolutional]\nfilters=99999999999\n",
        "[convolutional]\nfilters=two\n", "[convolutional]\nfilters=2\n[route]\nlayers=-5\n",
        "[convolutional]\nfilters=2\n[route]\nlayers=7\n", "[convolutional]\nfilters=2\n[shortcut]\nfrom=-9\n"})
    void darknetNumbersThatWouldCrashAreRefused(String layers) {
        assertThatThrownBy(() -> NetworkDefinitionCheck.darknet(NET + layers))
                .isInstanceOfSatisfying(PlugboardException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.MODEL_LOAD_FAILED));
    }

    @Test
    void darknetWithoutANetSectionOrShapeIsRefused() {
        assertThatThrownBy(() -> NetworkDefinitionCheck.darknet("[convolutional]\nfilters=2\n"))
                .hasMessageContaining("[net]");
        assertThatThrownBy(() -> NetworkDefinitionCheck.darknet("[net]\nwidth=8\n")).hasMessageContaining("channels");
        assertThatThrownBy(() -> NetworkDefinitionCheck.darknet("[net]\nwidth=65536\nheight=65536\nchannels=3\n"))
                .hasMessageContaining("2^28");
    }

    @Test
    void caffeInputShapeInEachOfItsSpellings() {
        assertThat(NetworkDefinitionCheck.caffe("input: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n"))
                .containsExactly(1, 3, 8, 8);
        assertThat(NetworkDefinitionCheck.caffe("input: \"data\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 4\ninput_dim: 4\n"))
                .containsExactly(1, 3, 4, 4);
        assertThat(NetworkDefinitionCheck.caffe("layer { name: \"data\" type: \"Input\" top: \"data\" "
                + "input_param { shape { dim: 1 dim: 2 } } }")).containsExactly(1, 2);
        assertThat(NetworkDefinitionCheck.caffe("layer { name: \"r\" type: \"ReLU\" }")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"num_output: 0", "group: 0", "kernel_size: 0", "stride: 0", "pad: -1", "input_dim: 0",
        "num_output: 4294967296"})
    void caffeNumbersThatWouldCrashAreRefused(String field) {
        assertThatThrownBy(() -> NetworkDefinitionCheck.caffe("input: \"data\"\ninput_shape { dim: 1 dim: 3 }\n"
                + "layer { name: \"fc\" type: \"Convolution\" convolution_param { num_output: 2 kernel_size: 1 "
                + field + " } }"))
                .isInstanceOfSatisfying(PlugboardException.class,
                        e -> assertThat(e.getMessage()).contains(field.split(":")[0]));
    }

    @ParameterizedTest
    @ValueSource(strings = {"type: \"InnerProduct\" inner_product_param { num_outpuN: 2 }",
        "type: \"Convolution\" convolution_param { num_output: 2 }",
        "type: \"Pooling\" pooling_param { pool: MAX }",
        // the fuzzer's finding: a misspelt block and a word for the number (OpenCV crashed)
        "type: \"InnerProduct\" inner_product_parm { num_output: ZZZZZZ2 }",
        "type: \"InnerProduct\" inner_product_param { num_output: 0 }"})
    void caffeLayersMissingTheSizesOpenCvReadsAreRefused(String layer) {
        assertThatThrownBy(() -> NetworkDefinitionCheck.caffe("input: \"data\"\ninput_shape { dim: 1 dim: 3 }\n"
                + "layer { name: \"l\" " + layer + " }")).isInstanceOfSatisfying(PlugboardException.class,
                        e -> assertThat(e.getMessage()).containsAnyOf("layer without", "num_output 0 is outside"));
    }

    @Test
    void aDefinitionBuiltToRepeatWorkCostsOnePass() {
        StringBuilder text = new StringBuilder("input: \"data\"\ninput_shape { dim: 1 dim: 3 }\n");
        text.append("pad: 0\n".repeat(200_000)); // every field once made the check count lines from the start
        text.append("layer { type: \"Convolution\" ".repeat(4000)); // and every nested layer rescanned the rest
        text.append("convolution_param { num_output: 1 kernel_size: 1 } ").append("}".repeat(4000));
        long before = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        assertThat(NetworkDefinitionCheck.caffe(text.toString())).containsExactly(1, 3);
        long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - before;
        assertThat(cpu).as("CPU ns checking %d characters", text.length()).isLessThan(3_000_000_000L);
    }
}
