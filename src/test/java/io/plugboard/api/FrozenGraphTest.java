package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.proto.VersionDef;
import tools.jackson.databind.JsonNode;

/**
 * Frozen TensorFlow GraphDefs, served by the TensorFlow engine: inputs from the Placeholders,
 * outputs from the nodes nothing consumes or from the signature field, and refusals naming what
 * is wrong. The graphs are written here with TensorFlow's own protobuf classes:
 * {@code y = x * [2, 3, 4] + 1} and {@code total = sum(x, axis 1)} for {@code x} FP32 [-1, 3].
 */
class FrozenGraphTest extends ServerTest {

    @TempDir
    Path temp;

    private static final String INFER = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,3],"
            + "\"data\":[1,2,3,-1,0.5,0]}]}";

    @Test
    void aFrozenGraphIsServedWithItsPlaceholdersAndUnconsumedNodes() throws IOException {
        Path pb = write(graph(false));
        Http.Reply created = http.upload("frozen", pb);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("format").asString()).isEqualTo("tf-graphdef");

        JsonNode metadata = http.get("/v2/models/frozen").json();
        assertThat(metadata.get("inputs").get(0).get("name").asString()).isEqualTo("x");
        assertThat(metadata.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,3]");
        assertThat(metadata.get("outputs")).extracting(o -> o.get("name").asString()).containsExactly("total", "y");

        JsonNode answer = http.postJson("/v1/models/frozen/infer", INFER).json();
        assertThat(output(answer, "y")).isEqualTo("[3.0,7.0,13.0,-1.0,2.5,1.0]");
        assertThat(output(answer, "total")).isEqualTo("[6.0,-0.5]");
    }

    @Test
    void theSignatureFieldPicksTheOutputsWithOrWithoutThePortSuffix() throws IOException {
        Path pb = write(graph(false));
        Http.Reply created = http.upload(Map.of("name", "frozen-y", "signature",
                "{\"inputs\":[{\"name\":\"x:0\"}],\"outputs\":[{\"name\":\"y:0\"}]}"), List.of(Http.Part.of(pb)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode answer = http.postJson("/v1/models/frozen-y/infer", INFER).json();
        assertThat(answer.get("outputs")).hasSize(1);
        assertThat(output(answer, "y")).isEqualTo("[3.0,7.0,13.0,-1.0,2.5,1.0]");

        Http.Reply missing = http.upload(Map.of("name", "frozen-z", "signature",
                "{\"outputs\":[{\"name\":\"z\"},{\"name\":\"y\"}]}"), List.of(Http.Part.of(pb)));
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.json().get("detail").asString()).contains("[z]");
    }

    @Test
    void aGraphWithTrainingOpsLeftInIsRefusedNamingThem() throws IOException {
        Http.Reply refused = http.upload("training", write(graph(true)));
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.problemType()).endsWith("/model-load-failed");
        assertThat(refused.json().get("detail").asString()).contains("VariableV2 (w_var)", "ApplyGradientDescent (step)");
        assertThat(http.get("/v1/models/training").status()).isEqualTo(404);
    }

    private static String output(JsonNode answer, String name) {
        for (JsonNode o : answer.get("outputs")) {
            if (o.get("name").asString().equals(name)) {
                return o.get("data").toString();
            }
        }
        throw new AssertionError("no output " + name + " in " + answer);
    }

    private Path write(GraphDef graph) throws IOException {
        Path pb = temp.resolve("frozen_graph.pb");
        Files.write(pb, graph.toByteArray());
        return pb;
    }

    static GraphDef graph(boolean withTraining) {
        GraphDef.Builder g = GraphDef.newBuilder().setVersions(VersionDef.newBuilder().setProducer(1000));
        g.addNode(NodeDef.newBuilder().setName("x").setOp("Placeholder").putAttr("dtype", type(DataType.DT_FLOAT))
                .putAttr("shape", AttrValue.newBuilder().setShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dim.newBuilder().setSize(-1))
                        .addDim(TensorShapeProto.Dim.newBuilder().setSize(3))).build()));
        g.addNode(NodeDef.newBuilder().setName("w").setOp("Const").putAttr("dtype", type(DataType.DT_FLOAT))
                .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                        .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(3)))
                        .addFloatVal(2).addFloatVal(3).addFloatVal(4)).build()));
        g.addNode(NodeDef.newBuilder().setName("one").setOp("Const").putAttr("dtype", type(DataType.DT_FLOAT))
                .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                        .setTensorShape(TensorShapeProto.newBuilder()).addFloatVal(1)).build()));
        g.addNode(NodeDef.newBuilder().setName("axis").setOp("Const").putAttr("dtype", type(DataType.DT_INT32))
                .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder().setDtype(DataType.DT_INT32)
                        .setTensorShape(TensorShapeProto.newBuilder()).addIntVal(1)).build()));
        g.addNode(NodeDef.newBuilder().setName("scaled").setOp("Mul").addInput("x").addInput("w")
                .putAttr("T", type(DataType.DT_FLOAT)));
        g.addNode(NodeDef.newBuilder().setName("y").setOp("AddV2").addInput("scaled").addInput("one")
                .putAttr("T", type(DataType.DT_FLOAT)));
        g.addNode(NodeDef.newBuilder().setName("total").setOp("Sum").addInput("x").addInput("axis")
                .putAttr("T", type(DataType.DT_FLOAT)).putAttr("Tidx", type(DataType.DT_INT32))
                .putAttr("keep_dims", AttrValue.newBuilder().setB(false).build()));
        g.addNode(NodeDef.newBuilder().setName("checks").setOp("NoOp").addInput("^y"));
        if (withTraining) {
            g.addNode(NodeDef.newBuilder().setName("w_var").setOp("VariableV2").putAttr("dtype", type(DataType.DT_FLOAT)));
            g.addNode(NodeDef.newBuilder().setName("step").setOp("ApplyGradientDescent").addInput("w_var")
                    .addInput("one").addInput("w").putAttr("T", type(DataType.DT_FLOAT)));
        }
        return g.build();
    }

    private static AttrValue type(DataType type) {
        return AttrValue.newBuilder().setType(type).build();
    }
}
