package io.plugboard.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorProto;

/**
 * The graph check on the committed SavedModels and on hostile edits of them, made here with
 * protobuf edits (no TensorFlow needed): each hostile graph is refused naming its operation.
 */
class SavedModelGraphCheckTest {

    private static final Path AFFINE = Path.of("src/test/resources/models/savedmodel/affine/saved_model.pb");
    private static final Path TYPED = Path.of("src/test/resources/models/savedmodel/typed/saved_model.pb");

    static MetaGraphDef serving(Path pb) throws Exception {
        return SavedModel.parseFrom(Files.readAllBytes(pb)).getMetaGraphsList().stream()
                .filter(m -> m.getMetaInfoDef().getTagsList().contains("serve")).findFirst().orElseThrow();
    }

    private static void check(MetaGraphDef graph) {
        SavedModelGraphCheck.check(graph, graph.getSignatureDefOrThrow("serving_default"), Set.of());
    }

    static NodeDef node(String name, String op, String... inputs) {
        NodeDef.Builder node = NodeDef.newBuilder().setName(name).setOp(op);
        for (String input : inputs) {
            node.addInput(input);
        }
        return node.build();
    }

    static NodeDef path(String name, String value) {
        return NodeDef.newBuilder().setName(name).setOp("Const")
                .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_STRING).build())
                .putAttr("value", AttrValue.newBuilder().setTensor(TensorProto.newBuilder().setDtype(DataType.DT_STRING)
                        .addStringVal(com.google.protobuf.ByteString.copyFromUtf8(value))).build()).build();
    }

    /** The graph with {@code nodes} added and {@code output} served as signature output "leak". */
    static MetaGraphDef withServed(MetaGraphDef graph, String output, NodeDef... nodes) {
        MetaGraphDef.Builder edited = graph.toBuilder();
        for (NodeDef n : nodes) {
            edited.getGraphDefBuilder().addNode(n);
        }
        SignatureDef served = graph.getSignatureDefOrThrow("serving_default").toBuilder()
                .putOutputs("leak", TensorInfo.newBuilder().setName(output + ":0").setDtype(DataType.DT_STRING).build())
                .build();
        return edited.putSignatureDef("serving_default", served).build();
    }

    private static void assertRefused(MetaGraphDef graph, String op) {
        assertThatThrownBy(() -> check(graph)).isInstanceOfSatisfying(PlugboardException.class, e -> {
            assertThat(e.type()).isEqualTo(ProblemType.UNSAFE_MODEL);
            assertThat(e.getMessage()).contains("'" + op + "'");
            assertThat(e.properties()).containsEntry("operation", op);
        });
    }

    @Test
    void theCommittedModelsPass() throws Exception {
        assertThatCode(() -> check(serving(AFFINE))).doesNotThrowAnyException();
        assertThatCode(() -> check(serving(TYPED))).doesNotThrowAnyException();
    }

    @Test
    void readingAHostFileIntoAnOutputIsRefused() throws Exception {
        assertRefused(withServed(serving(AFFINE), "leak", path("where", "/etc/passwd"), node("leak", "ReadFile", "where")),
                "ReadFile");
    }

    @Test
    void writingAFileFromAnInitOpIsRefused() throws Exception {
        MetaGraphDef graph = serving(AFFINE).toBuilder()
                .putCollectionDef("legacy_init_op", CollectionDef.newBuilder().setNodeList(
                        CollectionDef.NodeList.newBuilder().addValue("drop")).build())
                .build();
        MetaGraphDef.Builder edited = graph.toBuilder();
        edited.getGraphDefBuilder().addNode(path("target", "/tmp/owned.so")).addNode(path("bytes", "x"))
                .addNode(node("drop", "WriteFile", "target", "bytes"));
        assertRefused(edited.build(), "WriteFile");
    }

    @Test
    void aFileOpInsideACalledFunctionIsRefused() throws Exception {
        FunctionDef listing = FunctionDef.newBuilder()
                .setSignature(OpDef.newBuilder().setName("list_files"))
                .addNodeDef(path("pattern", "/etc/*"))
                .addNodeDef(node("found", "MatchingFiles", "pattern:output:0")).build();
        MetaGraphDef graph = withServed(serving(AFFINE), "call", NodeDef.newBuilder().setName("call")
                .setOp("StatefulPartitionedCall").putAttr("f", AttrValue.newBuilder()
                        .setFunc(NameAttrList.newBuilder().setName("list_files")).build()).build());
        MetaGraphDef.Builder edited = graph.toBuilder();
        edited.getGraphDefBuilder().getLibraryBuilder().addFunction(listing);
        assertRefused(edited.build(), "MatchingFiles");
    }

    @Test
    void aRestoreFromAMadeUpPathIsRefused() throws Exception {
        assertRefused(withServed(serving(AFFINE), "steal", path("other", "/data/models/other/1/files/variables/variables"),
                path("names", "w"), path("slices", ""), node("steal", "RestoreV2", "other", "names", "slices")),
                "RestoreV2");
    }

    @Test
    void anOpNothingRunsIsNotAProblemButAnUnknownOneServedIs() throws Exception {
        UnaryOperator<MetaGraphDef> deadWrite = g -> {
            MetaGraphDef.Builder edited = g.toBuilder();
            edited.getGraphDefBuilder().addNode(path("nowhere", "/tmp/x")).addNode(node("dead", "WriteFile", "nowhere", "nowhere"));
            return edited.build();
        };
        assertThatCode(() -> check(deadWrite.apply(serving(AFFINE)))).doesNotThrowAnyException();
        assertRefused(withServed(serving(AFFINE), "custom", node("custom", "MyCustomOpFromASharedLibrary")),
                "MyCustomOpFromASharedLibrary");
    }

    @Test
    void anOperatorMayTrustMoreOps() throws Exception {
        MetaGraphDef graph = withServed(serving(AFFINE), "custom", node("custom", "MyTrustedOp"));
        assertThatCode(() -> SavedModelGraphCheck.check(graph, graph.getSignatureDefOrThrow("serving_default"),
                Set.of("MyTrustedOp"))).doesNotThrowAnyException();
    }

    @Test
    void identityCyclesAndInputlessRestoresEndInARefusal() throws Exception {
        // a -> b -> a: followed without a bound, the check would never end
        assertRefused(withServed(serving(AFFINE), "steal", node("a", "Identity", "b"), node("b", "Identity", "a"),
                path("names", "w"), path("slices", ""), node("steal", "RestoreV2", "a", "names", "slices")), "RestoreV2");
        assertRefused(withServed(serving(AFFINE), "bare", node("bare", "RestoreV2")), "RestoreV2");
    }

    @Test
    void aGraphWithManyNodesAndCallsIsReadInLinearTime() throws Exception {
        MetaGraphDef.Builder graph = serving(AFFINE).toBuilder();
        String previous = "start";
        graph.getGraphDefBuilder().addNode(node(previous, "Const"));
        for (int i = 0; i < 60_000; i++) { // a chain of nodes the served output needs, each calling its own function
            String name = "n" + i;
            graph.getGraphDefBuilder().getLibraryBuilder().addFunction(FunctionDef.newBuilder()
                    .setSignature(OpDef.newBuilder().setName("f" + i)).addNodeDef(node("c", "Const")));
            graph.getGraphDefBuilder().addNode(NodeDef.newBuilder().setName(name).setOp("PartitionedCall")
                    .addInput(previous).putAttr("f", AttrValue.newBuilder()
                            .setFunc(NameAttrList.newBuilder().setName("f" + i)).build()).build());
            previous = name;
        }
        MetaGraphDef built = graph.build();
        SignatureDef served = built.getSignatureDefOrThrow("serving_default").toBuilder()
                .putOutputs("end", TensorInfo.newBuilder().setName(previous + ":0").setDtype(DataType.DT_FLOAT).build())
                .build();
        MetaGraphDef chained = built.toBuilder().putSignatureDef("serving_default", served).build();
        long before = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        assertThatCode(() -> check(chained)).doesNotThrowAnyException();
        long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - before;
        assertThat(cpu).as("CPU ns over 60 k nodes and functions").isLessThan(5_000_000_000L);
    }
}
