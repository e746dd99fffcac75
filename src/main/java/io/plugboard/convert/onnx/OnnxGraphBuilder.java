package io.plugboard.convert.onnx;

import io.plugboard.convert.onnx.proto.Onnx.AttributeProto;
import io.plugboard.convert.onnx.proto.Onnx.GraphProto;
import io.plugboard.convert.onnx.proto.Onnx.ModelProto;
import io.plugboard.convert.onnx.proto.Onnx.NodeProto;
import io.plugboard.convert.onnx.proto.Onnx.OperatorSetIdProto;
import io.plugboard.convert.onnx.proto.Onnx.TensorProto;
import io.plugboard.convert.onnx.proto.Onnx.TensorShapeProto;
import io.plugboard.convert.onnx.proto.Onnx.TypeProto;
import io.plugboard.convert.onnx.proto.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Builds one ONNX graph: nodes, float and int64 initializers, graph inputs and outputs. Every
 * tensor name it hands out is unique within the graph; names reserved up front (graph inputs and
 * outputs) are never handed out for anything else.
 */
public final class OnnxGraphBuilder {

    /** ONNX element type of 32-bit floats. */
    public static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    /** ONNX element type of 64-bit integers. */
    public static final int INT64 = TensorProto.DataType.INT64_VALUE;
    /** ONNX element type of 32-bit integers. */
    public static final int INT32 = TensorProto.DataType.INT32_VALUE;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> used = new HashSet<>();
    private final Map<String, String> initializersByKey = new HashMap<>();
    private int counter;

    public OnnxGraphBuilder(String graphName) {
        graph.setName(graphName);
    }

    /** Keeps {@code name} from being handed out by {@link #fresh(String)}. */
    public void reserve(String name) {
        used.add(name);
    }

    /** True when {@code name} is already taken in this graph. */
    public boolean isUsed(String name) {
        return used.contains(name);
    }

    /** A new tensor name derived from {@code hint}. */
    public String fresh(String hint) {
        String base = hint == null || hint.isEmpty() ? "t" : hint;
        String name = base;
        while (used.contains(name)) {
            name = base + "_" + (++counter);
        }
        used.add(name);
        return name;
    }

    /** Adds a node with one output named after {@code hint}; returns that output name. */
    public String node(String opType, String hint, List<String> inputs, AttributeProto... attributes) {
        String out = fresh(hint);
        nodeWithOutputs(opType, inputs, List.of(out), attributes);
        return out;
    }

    /** Adds a node with the given outputs (an empty string stands for an omitted optional one). */
    public void nodeWithOutputs(String opType, List<String> inputs, List<String> outputs,
            AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType)
                .setName(fresh("node_" + opType))
                .addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
    }

    /** A float initializer with the given dims (row-major data). */
    public String floats(String hint, float[] data, long... dims) {
        String name = fresh(hint);
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(FLOAT)
                .addAllDims(boxed(dims)).setRawData(com.google.protobuf.ByteString.copyFrom(buf.array())));
        return name;
    }

    /** A float initializer made once per {@code key}: later calls with the same key reuse it. */
    public String sharedFloats(String key, Supplier<float[]> data, String hint, long... dims) {
        String existing = initializersByKey.get(key);
        if (existing != null) {
            return existing;
        }
        String name = floats(hint, data.get(), dims);
        initializersByKey.put(key, name);
        return name;
    }

    /** A scalar float initializer. */
    public String scalar(String hint, float value) {
        return floats(hint, new float[] {value});
    }

    /** A one-dimensional int64 initializer. */
    public String longs(String hint, long... values) {
        String name = fresh(hint);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(INT64)
                .addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
        return name;
    }

    /** Declares a graph input; {@code dims} entries below zero become symbolic dimensions. */
    public void input(String name, int elemType, long[] dims, List<String> symbolicNames) {
        used.add(name);
        graph.addInput(valueInfo(name, elemType, dims, symbolicNames));
    }

    /** Declares a graph output. */
    public void output(String name, int elemType, long[] dims, List<String> symbolicNames) {
        used.add(name);
        graph.addOutput(valueInfo(name, elemType, dims, symbolicNames));
    }

    /** The finished model at the given opset (default ONNX domain). */
    public ModelProto model(long irVersion, long opset, String producer, String producerVersion) {
        return ModelProto.newBuilder().setIrVersion(irVersion).setProducerName(producer)
                .setProducerVersion(producerVersion)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph.build()).build();
    }

    private static ValueInfoProto valueInfo(String name, int elemType, long[] dims, List<String> symbolic) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dims[i] >= 0) {
                d.setDimValue(dims[i]);
            } else {
                d.setDimParam(i < symbolic.size() ? symbolic.get(i) : "d" + i);
            }
            shape.addDim(d);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    private static List<Long> boxed(long[] dims) {
        Long[] out = new Long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = dims[i];
        }
        return List.of(out);
    }
}
