package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UnknownFieldSet;
import io.plugboard.convert.onnx.proto.Onnx;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ONNX external data: weights in a file beside the model, uploaded as another part, are served; a
 * location outside the upload is refused, and the answer names no path of the server's.
 */
class OnnxExternalDataTest extends ServerTest {

    /** y = x + w, with w's four floats stored at {@code location}. */
    private static byte[] model(String location) {
        Onnx.StringStringEntryProto where = Onnx.StringStringEntryProto.newBuilder().setKey("location")
                .setValue(location).build();
        UnknownFieldSet external = UnknownFieldSet.newBuilder()
                .addField(13, UnknownFieldSet.Field.newBuilder().addLengthDelimited(where.toByteString()).build())
                .addField(14, UnknownFieldSet.Field.newBuilder().addVarint(1).build()) // data_location: EXTERNAL
                .build();
        Onnx.TensorProto w = Onnx.TensorProto.newBuilder().setName("w").addDims(4).setDataType(1)
                .setUnknownFields(external).build();
        Onnx.TypeProto vector = Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                .setElemType(1).setShape(Onnx.TensorShapeProto.newBuilder()
                        .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(4)))).build();
        Onnx.GraphProto graph = Onnx.GraphProto.newBuilder().setName("g").addInitializer(w)
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Add").addInput("x").addInput("w").addOutput("y"))
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("x").setType(vector))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y").setType(vector)).build();
        return Onnx.ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).build().toByteArray();
    }

    private static byte[] weights() {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3).putFloat(4)
                .array();
    }

    @Test
    void weightsBesideTheModelAreServedAndOnesOutsideItAreRefusedWithoutServerPaths() {
        Http.Reply served = http.upload(Map.of("name", "ext-ok"), List.of(new Http.Part("m.onnx", model("w.bin")),
                new Http.Part("w.bin", weights())));
        assertThat(served.status()).as(served.toString()).isEqualTo(201);
        Http.Reply answer = http.postJson("/v1/models/ext-ok/infer",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[4],\"datatype\":\"FP32\",\"data\":[1,1,1,1]}]}");
        assertThat(answer.json().get("outputs").get(0).get("data").toString()).isEqualTo("[2.0,3.0,4.0,5.0]");

        for (String outside : List.of("../w.bin", "sub/../../w.bin", "/etc/passwd")) {
            Http.Reply refused = http.upload(Map.of("name", "ext-bad"), List.of(new Http.Part("m.onnx", model(outside)),
                    new Http.Part("w.bin", weights())));
            assertThat(refused.status()).as(outside + ": " + refused).isEqualTo(422);
            assertThat(refused.problemType()).as(outside).endsWith("/unsafe-model");
            assertThat(refused.body()).as(outside).doesNotContain(STORE.toString()).doesNotContain("/staging/")
                    .doesNotContain("/tmp/");
            assertThat(http.get("/v1/models/ext-bad").status()).isEqualTo(404);
        }
    }
}
