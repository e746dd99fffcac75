package io.plugboard.convert.onnx;

import com.google.protobuf.ByteString;
import io.plugboard.convert.onnx.proto.Onnx.AttributeProto;
import io.plugboard.convert.onnx.proto.Onnx.AttributeProto.AttributeType;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Factories for ONNX node attributes. */
public final class OnnxAttribute {

    private OnnxAttribute() {
    }

    public static AttributeProto of(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    public static AttributeProto of(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build();
    }

    public static AttributeProto of(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
                .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    public static AttributeProto ints(String name, int... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (int v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    public static AttributeProto floats(String name, float... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS);
        for (float v : values) {
            b.addFloats(v);
        }
        return b.build();
    }

    public static AttributeProto strings(String name, List<String> values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.STRINGS);
        for (String v : values) {
            b.addStrings(ByteString.copyFrom(v, StandardCharsets.UTF_8));
        }
        return b.build();
    }
}
