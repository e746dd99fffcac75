package io.plugboard.api.codec;

import io.plugboard.inference.InferenceResult;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an Open Inference Protocol JSON response. Non-finite floats are written as the strings
 * "NaN", "Infinity" and "-Infinity"; 64-bit integers are written exactly (clients that parse JSON
 * numbers as doubles lose precision beyond 2^53); BYTES elements as UTF-8 strings.
 */
public final class JsonResponseEncoder {

    private final JsonMapper mapper;

    public JsonResponseEncoder(JsonMapper mapper) {
        this.mapper = mapper;
    }

    public void encode(InferenceResult result, OutputStream out) {
        encode(result, out, java.util.Set.of());
    }

    /**
     * Writes the JSON document; outputs named in {@code binary} get
     * {@code "parameters":{"binary_data_size":N}} instead of {@code data} (their bytes follow, see
     * {@link BinaryTensors#writeOutputs}).
     */
    public void encode(InferenceResult result, OutputStream out, java.util.Set<String> binary) {
        try (JsonGenerator g = mapper.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("model_name", result.modelName());
            g.writeStringProperty("model_version", result.modelVersion());
            if (result.id() != null) {
                g.writeStringProperty("id", result.id());
            }
            g.writeName("outputs");
            g.writeStartArray();
            for (Map.Entry<String, Tensor> e : result.outputs().entrySet()) {
                Tensor t = e.getValue();
                g.writeStartObject();
                g.writeStringProperty("name", e.getKey());
                g.writeStringProperty("datatype", t.datatype().name());
                g.writeName("shape");
                g.writeStartArray();
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                if (binary.contains(e.getKey())) {
                    g.writeName("parameters");
                    g.writeStartObject();
                    g.writeNumberProperty("binary_data_size", BinaryTensors.size(t));
                    g.writeEndObject();
                } else {
                    g.writeName("data");
                    writeData(g, t);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static void writeData(JsonGenerator g, Tensor t) {
        g.writeStartArray();
        if (t.datatype() == DataType.BYTES) {
            for (byte[] element : t.elements()) {
                g.writeString(new String(element, StandardCharsets.UTF_8));
            }
            g.writeEndArray();
            return;
        }
        ByteBuffer b = t.data();
        int n = t.elementCount();
        switch (t.datatype()) {
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    g.writeBoolean(b.get() != 0);
                }
            }
            case INT8 -> {
                for (int i = 0; i < n; i++) {
                    g.writeNumber(b.get());
                }
            }
            case UINT8 -> {
                for (int i = 0; i < n; i++) {
                    g.writeNumber(b.get() & 0xff);
                }
            }
            case INT16 -> {
                for (int i = 0; i < n; i++) {
                    g.writeNumber(b.getShort());
                }
            }
            case UINT16 -> {
                for (int i = 0; i < n; i++) {
                    g.writeNumber(b.getShort() & 0xffff);
                }
            }
            case INT32 -> {
                for (int i = 0; i < n; i++) {
                    g.writeNumber(b.getInt());
                }
            }
            case UINT32 -> {
                for (int i = 0; i < n; i++) {
                    g.writeNumber(Integer.toUnsignedLong(b.getInt()));
                }
            }
            case INT64 -> {
                for (int i = 0; i < n; i++) {
                    g.writeNumber(b.getLong());
                }
            }
            case UINT64 -> {
                for (int i = 0; i < n; i++) {
                    g.writeNumber(Long.toUnsignedString(b.getLong()));
                }
            }
            case FP16 -> {
                for (int i = 0; i < n; i++) {
                    writeFloat(g, Float.float16ToFloat(b.getShort()));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    writeFloat(g, Float.intBitsToFloat((b.getShort() & 0xffff) << 16));
                }
            }
            case FP32 -> {
                for (int i = 0; i < n; i++) {
                    writeFloat(g, b.getFloat());
                }
            }
            case FP64 -> {
                for (int i = 0; i < n; i++) {
                    double d = b.getDouble();
                    if (Double.isFinite(d)) {
                        g.writeNumber(d);
                    } else {
                        g.writeString(nonFinite(d));
                    }
                }
            }
            default -> throw new IllegalStateException(t.datatype().name());
        }
        g.writeEndArray();
    }

    private static void writeFloat(JsonGenerator g, float f) {
        if (Float.isFinite(f)) {
            g.writeNumber(f);
        } else {
            g.writeString(nonFinite(f));
        }
    }

    static String nonFinite(double d) {
        return Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
    }
}
