package io.plugboard.backend.djl;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Reads what a SavedModel will run before any of it runs, and refuses a graph that could reach the
 * host. What runs: the served signature's outputs, the loader's variable restore and its init ops,
 * each with every node they depend on and every function they call. Each op must be one of
 * {@link TensorFlowOps#ALLOWED} (or an operator's trusted additions); restore ops may read only the
 * file prefix the loader feeds (the model's own variables), never a path the graph makes up.
 */
final class SavedModelGraphCheck {

    /** Collections whose ops the loader runs after restoring variables. */
    private static final List<String> INIT_COLLECTIONS = List.of("saved_model_main_op", "legacy_init_op",
            "table_initializer");
    private static final String INIT_SIGNATURE = "__saved_model_init_op";

    private final MetaGraphDef graph;
    private final Set<String> allowed;
    private final Map<String, NodeDef> nodes = new HashMap<>();
    private final Map<String, FunctionDef> functions = new HashMap<>();
    /** Each function's nodes by name, built when first needed. */
    private final Map<String, Map<String, NodeDef>> functionNodes = new HashMap<>();
    /** For each function, the argument positions that reach a restore op's file prefix. */
    private final Map<String, Set<Integer>> prefixArguments = new HashMap<>();
    private final String saverFilename;

    private SavedModelGraphCheck(MetaGraphDef graph, Set<String> extraOps) {
        this.graph = graph;
        this.allowed = new HashSet<>(TensorFlowOps.ALLOWED);
        this.allowed.addAll(extraOps);
        graph.getGraphDef().getNodeList().forEach(n -> nodes.put(n.getName(), n));
        graph.getGraphDef().getLibrary().getFunctionList().forEach(f -> functions.put(f.getSignature().getName(), f));
        this.saverFilename = graph.hasSaverDef() ? nodeName(graph.getSaverDef().getFilenameTensorName()) : null;
    }

    /**
     * @param signature the signature that will be served
     * @param extraOps op types an operator trusts beyond the built-in list
     * @throws PlugboardException {@code UNSAFE_MODEL} naming the operation and where it sits
     */
    static void check(MetaGraphDef graph, SignatureDef signature, Set<String> extraOps) {
        new SavedModelGraphCheck(graph, extraOps).run(signature);
    }

    private void run(SignatureDef signature) {
        findPrefixArguments();
        Set<String> functionsRun = new HashSet<>();
        for (String name : nodesRun(signature)) {
            NodeDef node = nodes.get(name);
            checkNode(node, "the graph", functionsRun);
            if (TensorFlowOps.RESTORE.contains(node.getOp()) && !isSaverFilename(prefixOf(node, "the graph"))) {
                throw unsafe(node, "the graph", "reads a checkpoint from a path the graph makes up, not the "
                        + "model's own variables");
            }
        }
        Deque<String> pending = new ArrayDeque<>(functionsRun);
        Set<String> checked = new HashSet<>();
        while (!pending.isEmpty()) {
            String name = pending.pop();
            if (!checked.add(name)) {
                continue;
            }
            FunctionDef function = functions.get(name);
            Set<String> called = new HashSet<>();
            Set<String> args = new HashSet<>();
            function.getSignature().getInputArgList().forEach(a -> args.add(a.getName()));
            for (NodeDef node : function.getNodeDefList()) {
                checkNode(node, "function " + name, called);
                if (TensorFlowOps.RESTORE.contains(node.getOp())
                        && !args.contains(source(prefixOf(node, "function " + name), function))) {
                    throw unsafe(node, "function " + name, "reads a checkpoint from a path the function makes up");
                }
            }
            pending.addAll(called);
        }
    }

    /** An op allowed here, and the calls it makes: a call passing a made-up path to a restore is refused. */
    private void checkNode(NodeDef node, String where, Set<String> called) {
        String op = node.getOp();
        List<String> calls = new java.util.ArrayList<>();
        if (functions.containsKey(op)) {
            calls.add(op);
        } else if (!allowed.contains(op) && !TensorFlowOps.RESTORE.contains(op)) {
            throw unsafe(node, where, "is not an operation inference graphs are allowed to run here");
        }
        for (AttrValue value : node.getAttrMap().values()) {
            if (value.hasFunc()) {
                calls.add(value.getFunc().getName());
            }
            value.getList().getFuncList().forEach(f -> calls.add(f.getName()));
        }
        for (String function : calls) { // this node's calls only: the check costs per node, not per node and call
            if (!functions.containsKey(function)) {
                throw unsafe(node, where, "calls function '" + function + "', which the model does not define");
            }
            called.add(function);
        }
    }

    /** Nodes of the graph that run: what the served outputs, the restore and the init ops depend on. */
    private Set<String> nodesRun(SignatureDef signature) {
        Deque<String> pending = new ArrayDeque<>();
        signature.getOutputsMap().values().forEach(t -> pending.add(nodeName(t.getName())));
        if (graph.hasSaverDef()) {
            pending.add(nodeName(graph.getSaverDef().getRestoreOpName()));
        }
        for (String collection : INIT_COLLECTIONS) {
            CollectionDef def = graph.getCollectionDefMap().get(collection);
            if (def != null) {
                def.getNodeList().getValueList().forEach(n -> pending.add(nodeName(n)));
            }
        }
        SignatureDef init = graph.getSignatureDefMap().get(INIT_SIGNATURE);
        if (init != null) {
            init.getOutputsMap().values().stream().map(TensorInfo::getName).forEach(n -> pending.add(nodeName(n)));
        }
        Set<String> seen = new HashSet<>();
        while (!pending.isEmpty()) {
            String name = pending.pop();
            NodeDef node = nodes.get(name);
            if (node != null && seen.add(name)) {
                node.getInputList().forEach(i -> pending.add(nodeName(i)));
            } else if (node == null && !name.isEmpty()) {
                throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The SavedModel refers to node '" + name
                        + "', which its graph does not have.");
            }
        }
        checkCallsKeepPrefix(seen);
        return seen;
    }

    /** Every call in the graph to a function that restores passes it the loader's own prefix. */
    private void checkCallsKeepPrefix(Set<String> run) {
        for (String name : run) {
            NodeDef node = nodes.get(name);
            for (int position : prefixArgumentsOfCall(node)) {
                if (position >= node.getInputCount() || !isSaverFilename(node.getInput(position))) {
                    throw unsafe(node, "the graph", "passes a path the graph makes up to a function that reads a "
                            + "checkpoint");
                }
            }
        }
    }

    /** Fixed point: a function argument reaches a restore prefix directly or through another call. */
    private void findPrefixArguments() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (FunctionDef function : functions.values()) {
                List<String> args = function.getSignature().getInputArgList().stream().map(a -> a.getName()).toList();
                Set<Integer> found = prefixArguments.computeIfAbsent(function.getSignature().getName(),
                        k -> new HashSet<>());
                for (NodeDef node : function.getNodeDefList()) {
                    Set<Integer> positions = new HashSet<>(prefixArgumentsOfCall(node));
                    if (TensorFlowOps.RESTORE.contains(node.getOp())) {
                        positions.add(0);
                    }
                    for (int position : positions) {
                        if (position >= node.getInputCount()) {
                            continue;
                        }
                        int arg = args.indexOf(source(node.getInput(position), function));
                        if (arg < 0) {
                            throw unsafe(node, "function " + function.getSignature().getName(), "passes a path the "
                                    + "function makes up to an operation that reads a checkpoint");
                        }
                        changed |= found.add(arg);
                    }
                }
            }
        }
    }

    /** Input positions of a call node that reach a restore prefix in the called function. */
    private Set<Integer> prefixArgumentsOfCall(NodeDef node) {
        Set<Integer> positions = new HashSet<>();
        if (functions.containsKey(node.getOp())) {
            positions.addAll(prefixArguments.getOrDefault(node.getOp(), Set.of()));
        }
        AttrValue f = node.getAttrMap().get("f");
        if (f != null && f.hasFunc()) {
            positions.addAll(prefixArguments.getOrDefault(f.getFunc().getName(), Set.of()));
        }
        return positions;
    }

    /** Whether an input is the loader's filename tensor, through at most 64 Identity nodes (a cycle ends). */
    private boolean isSaverFilename(String input) {
        String name = nodeName(input);
        for (int hops = 0; hops < 64 && !name.equals(saverFilename); hops++) {
            NodeDef identity = nodes.get(name);
            if (identity == null || !identity.getOp().equals("Identity") || identity.getInputCount() == 0) {
                return false;
            }
            name = nodeName(identity.getInput(0));
        }
        return name.equals(saverFilename);
    }

    /** A restore's file prefix: its first input; a restore without one is refused. */
    private static String prefixOf(NodeDef restore, String where) {
        if (restore.getInputCount() == 0) {
            throw unsafe(restore, where, "has no file prefix input");
        }
        return restore.getInput(0);
    }

    /** The function argument (or node) an input comes from, through Identity nodes. */
    private String source(String input, FunctionDef function) {
        Map<String, NodeDef> byName = functionNodes.computeIfAbsent(function.getSignature().getName(), k -> {
            Map<String, NodeDef> nodesOf = new HashMap<>();
            function.getNodeDefList().forEach(n -> nodesOf.put(n.getName(), n));
            return nodesOf;
        });
        String name = input.split(":")[0];
        for (int hops = 0; hops < 64; hops++) {
            NodeDef identity = byName.get(name);
            if (identity == null || !identity.getOp().equals("Identity") || identity.getInputCount() == 0) {
                return name;
            }
            name = identity.getInput(0).split(":")[0];
        }
        return name;
    }

    private static String nodeName(String tensor) {
        String name = tensor.startsWith("^") ? tensor.substring(1) : tensor;
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    private static PlugboardException unsafe(NodeDef node, String where, String why) {
        return new PlugboardException(ProblemType.UNSAFE_MODEL, "The SavedModel is refused: operation '"
                + node.getOp() + "' (node '" + node.getName() + "' in " + where + ") " + why + ".",
                Map.of("operation", node.getOp(), "node", node.getName(), "location", where));
    }
}
