package io.plugboard.backend.djl;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * A frozen TensorFlow GraphDef described as a SavedModel with one {@code serving_default}
 * signature, so the SavedModel path (graph check, engine) serves it. Inputs are the graph's
 * {@code Placeholder} nodes (names, dtypes and shapes from their attributes); outputs are the nodes
 * nothing consumes, leaving out ops that produce nothing to serve, or the tensors the upload's
 * {@code signature} field names ({@code y} or {@code y:0}). Variables, savers and training ops left
 * in the graph are refused: the graph was not frozen for inference.
 */
final class FrozenGraph {

    /** Ops whose outputs are never what a user wants served. */
    private static final Set<String> NOT_OUTPUTS = Set.of("NoOp", "Const", "Assert", "Placeholder",
            "PlaceholderWithDefault", "Print", "PrintV2", "Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2",
            "RestoreSlice", "ControlTrigger");
    /** Ops that hold or change state: a graph with them was not frozen. */
    private static final Set<String> STATEFUL = Set.of("VariableV2", "Variable", "VarHandleOp", "Assign", "AssignAdd",
            "AssignSub", "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp", "ReadVariableOp",
            "SaveV2", "Save", "RestoreV2", "Restore", "MergeV2Checkpoints");
    /** Attributes that name an op's output type, most specific first. */
    private static final List<String> TYPE_ATTRIBUTES = List.of("DstT", "out_type", "output_type", "Tout", "T",
            "dtype");
    static final long MAX_BYTES = 2L << 30;

    private FrozenGraph() {
    }

    /** Names the upload's {@code signature} field gives, without {@code :0}; empty lists when absent. */
    record Names(List<String> inputs, List<String> outputs) {
        static final Names NONE = new Names(List.of(), List.of());
    }

    /** Reads {@code pb} as a GraphDef and wraps it into a SavedModel serving {@code names} (or the graph's own ends). */
    static SavedModel wrap(Path pb, Names names) {
        GraphDef graph = read(pb);
        Map<String, NodeDef> nodes = new LinkedHashMap<>();
        for (NodeDef node : graph.getNodeList()) {
            nodes.put(node.getName(), node);
        }
        refuseTrainingOps(graph);
        SignatureDef.Builder signature = SignatureDef.newBuilder().setMethodName("tensorflow/serving/predict");
        List<NodeDef> inputs = names.inputs().isEmpty()
                ? graph.getNodeList().stream().filter(n -> n.getOp().equals("Placeholder")).toList()
                : resolve(nodes, names.inputs(), "input");
        if (inputs.isEmpty()) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED,
                    "The graph has no Placeholder node, so nothing can be fed to it.");
        }
        for (NodeDef input : inputs) {
            signature.putInputs(input.getName(), info(input, 0));
        }
        List<NodeDef> outputs = names.outputs().isEmpty() ? sinks(graph, nodes) : resolve(nodes, names.outputs(), "output");
        if (outputs.isEmpty()) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED,
                    "No node of the graph produces an unused result; name the outputs in the signature field, "
                            + "e.g. {\"outputs\":[{\"name\":\"y\"}]}.");
        }
        for (NodeDef output : outputs) {
            signature.putOutputs(output.getName(), info(output, 0));
        }
        MetaGraphDef meta = MetaGraphDef.newBuilder()
                .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve"))
                .setGraphDef(graph)
                .putSignatureDef("serving_default", signature.build())
                .build();
        return SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(meta).build();
    }

    private static GraphDef read(Path pb) {
        try {
            if (Files.size(pb) > MAX_BYTES) {
                throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The graph is over 2 GB, the most a "
                        + "GraphDef can hold.");
            }
            try (InputStream in = Files.newInputStream(pb)) {
                return GraphDef.parseFrom(in);
            }
        } catch (IOException e) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The file is not a readable TensorFlow "
                    + "GraphDef: " + e.getMessage(), e);
        }
    }

    private static void refuseTrainingOps(GraphDef graph) {
        Set<String> found = new TreeSet<>();
        for (NodeDef node : graph.getNodeList()) {
            String op = node.getOp();
            if (STATEFUL.contains(op) || op.startsWith("Apply") || op.startsWith("ResourceApply")
                    || op.startsWith("SparseApply") || op.startsWith("ResourceSparseApply")) {
                found.add(op + " (" + node.getName() + ")");
            }
        }
        if (!found.isEmpty()) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The graph still holds variables or "
                    + "training ops: " + String.join(", ", found) + ". Freeze it for inference (convert variables "
                    + "to constants and strip training ops), or export a SavedModel.",
                    Map.of("operations", List.copyOf(found)));
        }
    }

    private static List<NodeDef> resolve(Map<String, NodeDef> nodes, List<String> wanted, String what) {
        List<NodeDef> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : wanted) {
            String node = name.endsWith(":0") ? name.substring(0, name.length() - 2) : name;
            NodeDef def = nodes.get(node);
            if (def == null) {
                missing.add(name);
            } else {
                found.add(def);
            }
        }
        if (!missing.isEmpty()) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The signature names " + what + "s the graph "
                    + "does not have: " + missing + ".", Map.of("tensors", missing));
        }
        return found;
    }

    /** Nodes whose outputs no other node reads, in graph order. */
    private static List<NodeDef> sinks(GraphDef graph, Map<String, NodeDef> nodes) {
        Set<String> consumed = new HashSet<>();
        for (NodeDef node : graph.getNodeList()) {
            for (String input : node.getInputList()) {
                if (input.startsWith("^")) {
                    continue; // a control dependency reads no value
                }
                int colon = input.indexOf(':');
                consumed.add(colon < 0 ? input : input.substring(0, colon));
            }
        }
        return nodes.values().stream().filter(n -> !consumed.contains(n.getName()) && !NOT_OUTPUTS.contains(n.getOp()))
                .toList();
    }

    /** The tensor {@code node:index} with the dtype and shape the node's attributes state. */
    private static TensorInfo info(NodeDef node, int index) {
        TensorInfo.Builder info = TensorInfo.newBuilder().setName(node.getName() + ":" + index);
        DataType type = DataType.DT_INVALID;
        for (String attr : TYPE_ATTRIBUTES) {
            AttrValue value = node.getAttrMap().get(attr);
            if (value != null && value.hasType()) {
                type = value.getType();
                break;
            }
        }
        if (type == DataType.DT_INVALID) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The datatype of '" + node.getName()
                    + "' (op " + node.getOp() + ") cannot be read from the graph; name other outputs in the "
                    + "signature field.", Map.of("tensor", node.getName()));
        }
        info.setDtype(type);
        AttrValue shape = node.getAttrMap().get("shape");
        info.setTensorShape(shape != null && shape.hasShape() ? shape.getShape()
                : TensorShapeProto.newBuilder().setUnknownRank(true).build());
        return info.build();
    }
}
