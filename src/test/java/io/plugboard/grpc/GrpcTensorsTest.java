package io.plugboard.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.plugboard.grpc.proto.InferTensorContents;
import io.plugboard.grpc.proto.ModelInferRequest;
import io.plugboard.grpc.proto.ModelInferResponse;
import io.plugboard.problem.PlugboardException;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed and raw gRPC contents of every datatype, both ways, and the checks on what clients send. */
class GrpcTensorsTest {

    private static ModelInferRequest.InferInputTensor.Builder input(String name, String type, long... shape) {
        var b = ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype(type);
        for (long d : shape) {
            b.addShape(d);
        }
        return b;
    }

    @Test
    void typedContentsOfEveryTypedDatatypeRoundTrip() {
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .addInputs(input("u16", "UINT16", 2).setContents(InferTensorContents.newBuilder().addUintContents(65535).addUintContents(1)))
                .addInputs(input("u32", "UINT32", 1).setContents(InferTensorContents.newBuilder().addUintContents(-1)))
                .addInputs(input("u64", "UINT64", 1).setContents(InferTensorContents.newBuilder().addUint64Contents(-1L)))
                .addInputs(input("i16", "INT16", 1).setContents(InferTensorContents.newBuilder().addIntContents(-32768)))
                .addInputs(input("b", "BOOL", 2).setContents(InferTensorContents.newBuilder().addBoolContents(true).addBoolContents(false)))
                .addInputs(input("s", "BYTES", 2).setContents(InferTensorContents.newBuilder()
                        .addBytesContents(ByteString.copyFromUtf8("x")).addBytesContents(ByteString.EMPTY)))
                .build();
        Map<String, Tensor> inputs = GrpcTensors.inputs(request);
        assertThat(inputs.get("u16").data().getShort(0)).isEqualTo((short) -1);
        assertThat(Integer.toUnsignedLong(inputs.get("u32").data().getInt(0))).isEqualTo(4294967295L);
        assertThat(inputs.get("s").elements()).hasSize(2);

        ModelInferResponse.Builder typed = ModelInferResponse.newBuilder();
        GrpcTensors.outputs(inputs, false, typed);
        assertThat(typed.getOutputs(0).getContents().getUintContentsList()).containsExactly(65535, 1);
        assertThat(typed.getOutputs(2).getContents().getUint64Contents(0)).isEqualTo(-1L);
        assertThat(typed.getOutputs(4).getContents().getBoolContentsList()).containsExactly(true, false);
        assertThat(typed.getOutputs(5).getContents().getBytesContents(0).toStringUtf8()).isEqualTo("x");
        assertThat(typed.getRawOutputContentsCount()).isZero();
    }

    @Test
    void bf16AndFp16TravelRawEvenInATypedAnswer() {
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .addInputs(input("h", "BF16", 2)).addRawInputContents(ByteString.copyFrom(new byte[] {(byte) 0x80, 0x3F, 0, 0x40}))
                .build();
        Map<String, Tensor> inputs = GrpcTensors.inputs(request);
        assertThat(inputs.get("h").datatype()).isEqualTo(DataType.BF16);
        ModelInferResponse.Builder answer = ModelInferResponse.newBuilder();
        GrpcTensors.outputs(inputs, false, answer);
        assertThat(answer.getRawOutputContents(0).toByteArray()).containsExactly(0x80, 0x3F, 0, 0x40);
        assertThat(answer.getOutputs(0).hasContents()).isFalse();
    }

    @Test
    void whatClientsSendIsCheckedBeforeAnythingIsAllocated() {
        assertRefused(ModelInferRequest.newBuilder().addInputs(input("x", "INT8", 1)
                .setContents(InferTensorContents.newBuilder().addIntContents(200))), "outside");
        assertRefused(ModelInferRequest.newBuilder().addInputs(input("x", "FP32", 1L << 40))
                .addRawInputContents(ByteString.copyFrom(new byte[4])), "invalid shape");
        assertRefused(ModelInferRequest.newBuilder().addInputs(input("x", "FP32", 3))
                .addRawInputContents(ByteString.copyFrom(new byte[8])), "needs 12 bytes");
        assertRefused(ModelInferRequest.newBuilder().addInputs(input("x", "BYTES", 1))
                .addRawInputContents(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f})),
                "more than are left");
        assertRefused(ModelInferRequest.newBuilder().addInputs(input("x", "FP32", 1)).addInputs(input("y", "FP32", 1))
                .addRawInputContents(ByteString.copyFrom(new byte[4])), "one per input");
        assertRefused(ModelInferRequest.newBuilder().addInputs(input("x", "COMPLEX", 1)), "unknown datatype");
    }

    private static void assertRefused(ModelInferRequest.Builder request, String message) {
        assertThatThrownBy(() -> GrpcTensors.inputs(request.build())).isInstanceOf(PlugboardException.class)
                .hasMessageContaining(message);
    }
}
