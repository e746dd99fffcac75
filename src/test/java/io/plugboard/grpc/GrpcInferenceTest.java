package io.plugboard.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.plugboard.grpc.proto.DataType;
import io.plugboard.grpc.proto.GRPCInferenceServiceGrpc;
import io.plugboard.grpc.proto.InferBatchStatistics;
import io.plugboard.grpc.proto.ModelConfigRequest;
import io.plugboard.grpc.proto.ModelConfigResponse;
import io.plugboard.grpc.proto.ModelInput;
import io.plugboard.grpc.proto.ModelInstanceGroup;
import io.plugboard.grpc.proto.ModelOutput;
import io.plugboard.grpc.proto.ModelRepositoryParameter;
import io.plugboard.grpc.proto.ModelStatistics;
import io.plugboard.grpc.proto.ModelStatisticsRequest;
import io.plugboard.grpc.proto.ModelStatisticsResponse;
import io.plugboard.grpc.proto.RepositoryIndexRequest;
import io.plugboard.grpc.proto.RepositoryIndexResponse;
import io.plugboard.grpc.proto.RepositoryModelLoadRequest;
import io.plugboard.grpc.proto.RepositoryModelLoadResponse;
import io.plugboard.grpc.proto.RepositoryModelUnloadRequest;
import io.plugboard.grpc.proto.RepositoryModelUnloadResponse;
import io.plugboard.grpc.proto.InferParameter;
import io.plugboard.grpc.proto.InferTensorContents;
import io.plugboard.grpc.proto.ModelInferRequest;
import io.plugboard.grpc.proto.ModelInferResponse;
import io.plugboard.grpc.proto.ModelMetadataRequest;
import io.plugboard.grpc.proto.ModelMetadataResponse;
import io.plugboard.grpc.proto.ModelReadyRequest;
import io.plugboard.grpc.proto.ServerLiveRequest;
import io.plugboard.grpc.proto.ServerMetadataRequest;
import io.plugboard.grpc.proto.ServerReadyRequest;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The Open Inference Protocol over gRPC, with a real client over a real socket. */
class GrpcInferenceTest extends ServerTest {

    @Autowired
    private GrpcServer grpc;

    @Autowired
    private io.micrometer.core.instrument.MeterRegistry meters;

    private ManagedChannel channel;
    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void serverEndpointsHealthAndReflection() throws Exception {
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        var metadata = stub.serverMetadata(ServerMetadataRequest.getDefaultInstance());
        assertThat(metadata.getName()).isEqualTo("plugboard");
        assertThat(metadata.getExtensionsList()).contains("model_repository");

        var health = HealthGrpc.newBlockingStub(channel);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("inference.GRPCInferenceService").build())
                .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

        List<String> services = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<ServerReflectionRequest> reflection = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                        r.getListServicesResponse().getServiceList().forEach(s -> services.add(s.getName()));
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        reflection.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        reflection.onCompleted();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(services).contains("inference.GRPCInferenceService", "grpc.health.v1.Health");

        // the schema grpcurl reads holds Triton's extension methods, and their messages
        List<com.google.protobuf.DescriptorProtos.FileDescriptorProto> files = new ArrayList<>();
        CountDownLatch described = new CountDownLatch(1);
        StreamObserver<ServerReflectionRequest> describe = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                        for (var bytes : r.getFileDescriptorResponse().getFileDescriptorProtoList()) {
                            try {
                                files.add(com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(bytes));
                            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        described.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        described.countDown();
                    }
                });
        describe.onNext(ServerReflectionRequest.newBuilder().setFileContainingSymbol("inference.GRPCInferenceService")
                .build());
        describe.onCompleted();
        assertThat(described.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(files.stream().flatMap(f -> f.getServiceList().stream())
                .filter(svc -> svc.getName().equals("GRPCInferenceService"))
                .flatMap(svc -> svc.getMethodList().stream()).map(m -> m.getName()).toList())
                .contains("ModelInfer", "ModelMetadata", "ModelConfig", "ModelStatistics", "RepositoryIndex",
                        "RepositoryModelLoad", "RepositoryModelUnload");
        assertThat(files.stream().flatMap(f -> f.getMessageTypeList().stream()).map(m -> m.getName()).toList())
                .contains("ModelInferRequest", "ModelConfigResponse", "ModelStatisticsResponse");
        // the files load as a client's descriptor pool loads them: each after what it imports, none imported back
        Map<String, com.google.protobuf.Descriptors.FileDescriptor> loaded = new java.util.HashMap<>();
        files.forEach(f -> load(f.getName(), files, loaded, new java.util.HashSet<>()));
        var service = loaded.values().stream().map(f -> f.findServiceByName("GRPCInferenceService"))
                .filter(java.util.Objects::nonNull).toList();
        assertThat(service).hasSize(1);
        var streamed = service.get(0).findMethodByName("ModelStreamInfer");
        assertThat(streamed.isClientStreaming()).isTrue();
        assertThat(streamed.isServerStreaming()).isTrue();
        assertThat(streamed.getInputType().getFullName()).isEqualTo("inference.ModelInferRequest");
        assertThat(streamed.getOutputType().findFieldByName("infer_response").getMessageType().getFullName())
                .isEqualTo("inference.ModelInferResponse");
        assertThat(service.get(0).findMethodByName("ModelInfer").isClientStreaming()).isFalse();
    }

    private static com.google.protobuf.Descriptors.FileDescriptor load(String name,
            List<com.google.protobuf.DescriptorProtos.FileDescriptorProto> files,
            Map<String, com.google.protobuf.Descriptors.FileDescriptor> loaded, java.util.Set<String> loading) {
        if (loaded.containsKey(name)) {
            return loaded.get(name);
        }
        assertThat(loading.add(name)).as("%s imports itself back", name).isTrue();
        var proto = files.stream().filter(f -> f.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is imported but not served"));
        var dependencies = proto.getDependencyList().stream().map(d -> load(d, files, loaded, loading))
                .toArray(com.google.protobuf.Descriptors.FileDescriptor[]::new);
        try {
            var file = com.google.protobuf.Descriptors.FileDescriptor.buildFrom(proto, dependencies);
            loaded.put(name, file);
            return file;
        } catch (com.google.protobuf.Descriptors.DescriptorValidationException e) {
            throw new AssertionError(name + " does not load: " + e.getMessage(), e);
        }
    }

    @Test
    void tritonsStreamAnswersEveryRequestAndCarriesFailuresInTheStream() throws Exception {
        assertThat(http.upload("grpc-stream", onnx("add_mul")).status()).isEqualTo(201);
        List<io.plugboard.grpc.proto.ModelStreamInferResponse> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> ended = new CompletableFuture<>();
        StreamObserver<ModelInferRequest> requests = TritonCalls.stream(channel, new StreamObserver<>() {
            @Override
            public void onNext(io.plugboard.grpc.proto.ModelStreamInferResponse value) {
                answers.add(value);
            }

            @Override
            public void onError(Throwable t) {
                ended.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                ended.complete(null);
            }
        });
        requests.onNext(addMul("grpc-stream", "s-ok", true).build());
        requests.onNext(addMul("no-such-model", "s-missing", true).build());
        ModelInferRequest.Builder wrongShape = addMul("grpc-stream", "s-shape", true);
        wrongShape.getInputsBuilder(0).clearShape().addShape(3).addShape(2);
        requests.onNext(wrongShape.build());
        requests.onNext(addMul("grpc-stream", "s-final", true).putParameters("triton_enable_empty_final_response",
                InferParameter.newBuilder().setBoolParam(true).build()).build());
        int more = 3 * StreamedInference.IN_FLIGHT; // more than are read ahead: the rest wait for answers
        for (int i = 0; i < more; i++) {
            requests.onNext(addMul("grpc-stream", "p-" + i, i % 2 == 0).build());
        }
        requests.onCompleted();
        ended.get(60, TimeUnit.SECONDS);

        assertThat(answers).hasSize(4 + more);
        Map<String, io.plugboard.grpc.proto.ModelStreamInferResponse> byId = new java.util.HashMap<>();
        answers.forEach(a -> byId.put(a.getInferResponse().getId(), a));
        assertThat(byId).hasSize(4 + more);
        var ok = byId.get("s-ok");
        assertThat(ok.getErrorMessage()).isEmpty();
        assertThat(ok.getInferResponse().getModelName()).isEqualTo("grpc-stream");
        assertThat(ok.getInferResponse().getModelVersion()).isEqualTo("1");
        assertThat(ok.getInferResponse().getParametersMap()).doesNotContainKey("triton_final_response");
        int product = ok.getInferResponse().getOutputsList().stream().map(ModelInferResponse.InferOutputTensor::getName)
                .toList().indexOf("product");
        ByteBuffer raw = ok.getInferResponse().getRawOutputContents(product).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] products = new float[6];
        raw.asFloatBuffer().get(products);
        assertThat(products).containsExactly(4f, 10f, 18f, -4f, -1f, 6f);
        var missing = byId.get("s-missing");
        assertThat(missing.getErrorMessage()).contains("no-such-model");
        assertThat(missing.getInferResponse().getModelName()).isEqualTo("no-such-model");
        assertThat(byId.get("s-shape").getErrorMessage()).contains("shape", "[3, 2]");
        assertThat(byId.get("s-final").getErrorMessage()).isEmpty();
        assertThat(byId.get("s-final").getInferResponse().getParametersMap().get("triton_final_response").getBoolParam())
                .isTrue();
        for (int i = 0; i < more; i++) {
            var answer = byId.get("p-" + i);
            assertThat(answer.getErrorMessage()).as("p-" + i).isEmpty();
            assertThat(answer.getInferResponse().getOutputsCount()).isEqualTo(2);
        }
        // counted as ModelInfer's calls are
        ModelStatisticsResponse stats = TritonCalls.call(channel, io.grpc.CallOptions.DEFAULT, "ModelStatistics",
                ModelStatisticsRequest.newBuilder().setName("grpc-stream").build(), ModelStatisticsResponse.getDefaultInstance());
        assertThat(stats.getModelStats(0).getInferenceStats().getSuccess().getCount()).isEqualTo(2 + more);
        assertThat(stats.getModelStats(0).getInferenceStats().getFail().getCount()).isEqualTo(1);
    }

    @Test
    void typedTensorsOutputsSubsetAndRequestIdEchoed() {
        assertThat(http.upload("grpc-add-mul", onnx("add_mul")).status()).isEqualTo(201);
        ModelInferRequest request = addMul("grpc-add-mul", "req-7", false).addOutputs(
                ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("product")).build();
        ModelInferResponse response = stub.modelInfer(request);
        assertThat(response.getId()).isEqualTo("req-7");
        assertThat(response.getModelName()).isEqualTo("grpc-add-mul");
        assertThat(response.getModelVersion()).isEqualTo("1");
        assertThat(response.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName)
                .containsExactly("product");
        assertThat(response.getRawOutputContentsCount()).isZero();
        assertThat(response.getOutputs(0).getContents().getFp32ContentsList()).containsExactly(4f, 10f, 18f, -4f, -1f, 6f);
        assertThat(response.getOutputs(0).getShapeList()).containsExactly(2L, 3L);

        ModelMetadataResponse metadata = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("grpc-add-mul").build());
        assertThat(metadata.getPlatform()).isEqualTo("onnx_onnxv1");
        assertThat(metadata.getInputsList()).extracting(ModelMetadataResponse.TensorMetadata::getName).contains("a", "b");
        assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("grpc-add-mul").setVersion("1").build())
                .getReady()).isTrue();
    }

    @Test
    void rawTensorsInRawOutBecauseTritonClientsReadOnlyRaw() {
        assertThat(http.upload("grpc-raw", onnx("add_mul")).status()).isEqualTo(201);
        ModelInferResponse response = stub.modelInfer(addMul("grpc-raw", null, true).build());
        assertThat(response.getRawOutputContentsCount()).isEqualTo(2);
        assertThat(response.getOutputsList()).allSatisfy(o -> assertThat(o.hasContents()).isFalse());
        int sum = response.getOutputsList().stream().map(ModelInferResponse.InferOutputTensor::getName).toList().indexOf("sum");
        assertThat(floats(response.getRawOutputContents(sum))).containsExactly(5f, 7f, 9f, 3f, 0f, 5f);
    }

    @Test
    void everyDatatypeOfTheIdentityModelRoundTripsRawIncludingFp16AndBytes() {
        assertThat(http.upload("grpc-types", onnx("identity_types")).status()).isEqualTo(201);
        Map<String, Object[]> inputs = identityInputs(bytesElements("a", "", "héllo", "\0x"));
        ModelInferRequest.Builder request = identityRequest("grpc-types", inputs);
        ModelInferResponse response = stub.modelInfer(request.build());
        assertThat(response.getRawOutputContentsCount()).isEqualTo(inputs.size());
        for (int i = 0; i < response.getOutputsCount(); i++) {
            var out = response.getOutputs(i);
            String input = out.getName().replace("out_", "in_");
            assertThat(inputs).as("output %s", out.getName()).containsKey(input);
            assertThat(out.getDatatype()).isEqualTo(inputs.get(input)[0]);
            assertThat(response.getRawOutputContents(i).toByteArray()).as(out.getName())
                    .isEqualTo((byte[]) inputs.get(input)[1]);
        }
    }

    @Test
    void eachStatusCodeCarriesTheProblemsDetailAndType() {
        assertThat(http.upload("grpc-codes", onnx("add_mul")).status()).isEqualTo(201);
        assertStatus(() -> stub.modelInfer(addMul("no-such-model", null, false).build()), Status.Code.NOT_FOUND,
                "model-not-found", "no-such-model");
        assertStatus(() -> stub.modelReady(ModelReadyRequest.newBuilder().setName("no-such-model").build()),
                Status.Code.NOT_FOUND, "model-not-found", "no-such-model");
        assertStatus(() -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("no-such-model").build()),
                Status.Code.NOT_FOUND, "model-not-found", "no-such-model");
        ModelInferRequest wrongCount = ModelInferRequest.newBuilder().setModelName("grpc-codes")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("a").setDatatype("FP32").addShape(2)
                        .addShape(3).setContents(InferTensorContents.newBuilder().addFp32Contents(1f))).build();
        assertStatus(() -> stub.modelInfer(wrongCount), Status.Code.INVALID_ARGUMENT, "invalid-tensor", "1 values");
        ModelInferRequest wrongShape = ModelInferRequest.newBuilder(addMul("grpc-codes", null, false).build())
                .setInputs(0, ModelInferRequest.InferInputTensor.newBuilder().setName("a").setDatatype("FP32").addShape(3)
                        .addShape(2).setContents(InferTensorContents.newBuilder().addAllFp32Contents(
                                List.of(1f, 2f, 3f, 4f, 5f, 6f)))).build();
        assertStatus(() -> stub.modelInfer(wrongShape), Status.Code.INVALID_ARGUMENT, "shape-mismatch", "'a'");
        ModelInferRequest fp16Typed = ModelInferRequest.newBuilder().setModelName("grpc-codes")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("a").setDatatype("FP16").addShape(1))
                .build();
        assertStatus(() -> stub.modelInfer(fp16Typed), Status.Code.INVALID_ARGUMENT, "invalid-tensor", "raw_input_contents");
        ModelInferRequest.Builder manyInputs = ModelInferRequest.newBuilder().setModelName("grpc-codes");
        ModelInferRequest.Builder manyOutputs = addMul("grpc-codes", null, false);
        for (int i = 0; i <= io.plugboard.inference.InferenceRequest.MAX_TENSORS; i++) {
            manyInputs.addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("i" + i).setDatatype("BOOL")
                    .addShape(1).setContents(InferTensorContents.newBuilder().addBoolContents(true)));
            manyOutputs.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("o" + i));
        }
        assertStatus(() -> stub.modelInfer(manyInputs.build()), Status.Code.INVALID_ARGUMENT, "malformed-request",
                "more than 4096 inputs");
        assertStatus(() -> stub.modelInfer(manyOutputs.build()), Status.Code.INVALID_ARGUMENT, "malformed-request",
                "more than 4096 outputs");
    }

    @Test
    void theServersOwnTimeoutIsDeadlineExceededAndAFullQueueIsResourceExhausted() throws Exception {
        Http.Reply created = http.upload(Map.of("name", "grpc-runaway", "instances", "1", "queueCapacity", "1"),
                List.of(Http.Part.of(onnx("runaway_loop"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        ModelInferRequest slow = count("grpc-runaway", 1L << 50)
                .putParameters("timeout", InferParameter.newBuilder().setInt64Param(300_000).build()).build();
        assertStatus(() -> stub.modelInfer(slow), Status.Code.DEADLINE_EXCEEDED, "timeout", "");

        // one call runs, one waits in the queue of one: the others are refused at once
        ModelInferRequest long1 = count("grpc-runaway", 1L << 50)
                .putParameters("timeout", InferParameter.newBuilder().setInt64Param(3_000_000).build()).build();
        ExecutorService callers = Executors.newFixedThreadPool(6);
        try {
            List<Future<Status.Code>> codes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                codes.add(callers.submit(() -> {
                    try {
                        stub.modelInfer(long1);
                        return Status.Code.OK;
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode();
                    }
                }));
            }
            List<Status.Code> seen = new ArrayList<>();
            for (Future<Status.Code> f : codes) {
                seen.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(seen).contains(Status.Code.RESOURCE_EXHAUSTED);
        } finally {
            callers.shutdownNow();
        }
        // a client deadline shorter than the server's timeout ends the call at the client's deadline
        long start = System.nanoTime();
        assertThatThrownBy(() -> stub.withDeadlineAfter(400, TimeUnit.MILLISECONDS).modelInfer(
                count("grpc-runaway", 1L << 50).build())).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
    }

    @Test
    void aGzipCompressedCallIsAnsweredLikeAnyOther() {
        assertThat(http.upload("grpc-gzip", onnx("add_mul")).status()).isEqualTo(201);
        for (int i = 0; i < 3; i++) {
            ModelInferResponse response = stub.withCompression("gzip").modelInfer(addMul("grpc-gzip", "z", true).build());
            assertThat(response.getId()).isEqualTo("z");
            assertThat(response.getRawOutputContentsCount()).isEqualTo(2);
        }
        // 4 MB of one letter gzips to a few KB: held to the ratio REST bodies are, far under the size limit
        assertStatus(() -> stub.withCompression("gzip").modelInfer(addMul("grpc-gzip", "a".repeat(4 << 20), true)
                .build()), Status.Code.RESOURCE_EXHAUSTED, "payload-too-large", "100 times");
    }

    @Test
    void aDeflateCompressedCallIsAnsweredLikeAnyOther() throws InterruptedException {
        assertThat(http.upload("grpc-deflate", onnx("add_mul")).status()).isEqualTo(201);
        io.grpc.CompressorRegistry compressors = io.grpc.CompressorRegistry.newEmptyInstance();
        compressors.register(new DeflateCodec());
        ManagedChannel deflating = NettyChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext()
                .compressorRegistry(compressors).build();
        try {
            ModelInferResponse response = GRPCInferenceServiceGrpc.newBlockingStub(deflating).withCompression("deflate")
                    .modelInfer(addMul("grpc-deflate", "d", true).build());
            assertThat(response.getId()).isEqualTo("d");
            assertThat(floats(response.getRawOutputContents(0))).containsExactly(5f, 7f, 9f, 3f, 0f, 5f);
        } finally {
            deflating.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMessageThatIsNoProtobufIsTheClientsMistake() {
        assertThat(http.upload("grpc-garbage", onnx("add_mul")).status()).isEqualTo(201);
        io.grpc.MethodDescriptor.Marshaller<byte[]> bytes = new io.grpc.MethodDescriptor.Marshaller<>() {
            @Override
            public java.io.InputStream stream(byte[] value) {
                return new java.io.ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(java.io.InputStream stream) {
                try {
                    return stream.readAllBytes();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        var raw = io.grpc.MethodDescriptor.newBuilder(bytes, bytes).setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName()).build();
        byte[] truncatedVarint = {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        for (byte[] garbage : new byte[][] {new byte[100], truncatedVarint, "\u00ff\u00ff\u00ff".getBytes()}) {
            java.util.Arrays.fill(garbage, 0, garbage.length == 100 ? 100 : 0, (byte) 0xff);
            assertStatus(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel, raw, io.grpc.CallOptions.DEFAULT,
                    garbage), Status.Code.INVALID_ARGUMENT, "malformed-request", "not a valid ModelInferRequest");
        }
        assertThat(stub.modelInfer(addMul("grpc-garbage", "after", true).build()).getId()).isEqualTo("after");
    }

    @Test
    void tritonsParametersAndBytesTheModelCannotCarry() {
        assertThat(http.upload("grpc-params", onnx("add_mul")).status()).isEqualTo(201);
        ModelInferRequest defaults = addMul("grpc-params", null, true)
                .putParameters("timeout", InferParameter.newBuilder().setInt64Param(0).build())
                .putParameters("sequence_id", InferParameter.newBuilder().setUint64Param(0).build()).build();
        assertThat(stub.modelInfer(defaults).getRawOutputContentsCount()).isEqualTo(2);
        assertStatus(() -> stub.modelInfer(addMul("grpc-params", null, true)
                .putParameters("sequence_id", InferParameter.newBuilder().setInt64Param(7).build()).build()),
                Status.Code.INVALID_ARGUMENT, "invalid-parameter", "sequence");
        assertStatus(() -> stub.modelInfer(addMul("grpc-params", null, true)
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("sum")
                        .putParameters("classification", InferParameter.newBuilder().setInt64Param(2).build()))
                .build()), Status.Code.INVALID_ARGUMENT, "invalid-parameter", "classification");

        // a shape of a million dimensions is refused by its rank, and the answer does not repeat it
        ModelInferRequest.InferInputTensor.Builder tall = ModelInferRequest.InferInputTensor.newBuilder().setName("a")
                .setDatatype("FP32");
        for (int i = 0; i < 1_000_000; i++) {
            tall.addShape(1);
        }
        assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("grpc-params")
                .addInputs(tall).build())).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("at most 32").hasSizeLessThan(300);
                });

        assertThat(http.upload("grpc-utf8", onnx("identity_types")).status()).isEqualTo(201);
        byte[] notText = {1, 0, 0, 0, (byte) 0xff, 1, 0, 0, 0, 'a', 0, 0, 0, 0, 0, 0, 0, 0};
        assertStatus(() -> stub.modelInfer(identityRequest("grpc-utf8", identityInputs(notText)).build()),
                Status.Code.INVALID_ARGUMENT, "invalid-tensor", "UTF-8");
    }

    @Test
    void concurrentCallsAndMessagesAboveFourMebibytes() throws Exception {
        assertThat(http.upload("grpc-concurrent", onnx("add_mul")).status()).isEqualTo(201);
        List<CompletableFuture<ModelInferResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> stub.modelInfer(addMul("grpc-concurrent", null, true).build())));
        }
        for (CompletableFuture<ModelInferResponse> call : calls) {
            assertThat(call.get(60, TimeUnit.SECONDS).getRawOutputContentsCount()).isEqualTo(2);
        }
        // 1 Mi rows of 3 floats: 12 MiB per input and per output, three times gRPC's usual 4 MiB
        int rows = 1 << 20;
        ModelInferRequest.Builder large = ModelInferRequest.newBuilder().setModelName("grpc-concurrent");
        for (String name : new String[] {"a", "b"}) {
            large.addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype("FP32")
                    .addShape(rows).addShape(3));
            ByteBuffer values = ByteBuffer.allocate(rows * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
            while (values.hasRemaining()) {
                values.putFloat(name.equals("a") ? 2f : 3f);
            }
            large.addRawInputContents(ByteString.copyFrom(values.flip()));
        }
        ModelInferResponse response = stub.modelInfer(large.build());
        assertThat(response.getRawOutputContentsList()).allSatisfy(c -> assertThat(c.size()).isEqualTo(rows * 3 * 4));
        int product = response.getOutputsList().stream().map(ModelInferResponse.InferOutputTensor::getName).toList()
                .indexOf("product");
        assertThat(response.getRawOutputContents(product).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)
                .getFloat((rows * 3 - 1) * 4)).isEqualTo(6f);
    }

    @Test
    void queuedCallsSmallAndWithLargeAnswersAreAnsweredByTheThreadThatRanThem() throws Exception {
        // batching: every call is queued (none answered at once on the transport thread)
        Http.Reply created = http.upload(Map.of("name", "grpc-queued", "instances", "1", "maxBatchSize", "4",
                "maxQueueDelayMs", "2"), List.of(Http.Part.of(onnx("add_mul"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        List<CompletableFuture<ModelInferResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String id = "q" + i;
            calls.add(CompletableFuture.supplyAsync(() -> stub.modelInfer(addMul("grpc-queued", id, true).build())));
        }
        // 30,000 rows: a message under 1 MiB whose outputs (720,000 bytes) are answered from a call thread
        int rows = 30_000;
        ModelInferRequest.Builder large = ModelInferRequest.newBuilder().setModelName("grpc-queued").setId("large");
        for (String name : new String[] {"a", "b"}) {
            large.addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype("FP32")
                    .addShape(rows).addShape(3));
            ByteBuffer values = ByteBuffer.allocate(rows * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; values.hasRemaining(); i++) {
                values.putFloat(name.equals("a") ? i : 2f);
            }
            large.addRawInputContents(ByteString.copyFrom(values.flip()));
        }
        assertThat(large.build().getSerializedSize()).isLessThan(InferenceGrpcService.AT_ONCE_MAX_BYTES);
        ModelInferResponse answer = stub.modelInfer(large.build());
        assertThat(answer.getId()).isEqualTo("large");
        int product = answer.getOutputsList().stream().map(ModelInferResponse.InferOutputTensor::getName).toList()
                .indexOf("product");
        ByteBuffer out = answer.getRawOutputContents(product).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(out.remaining()).isEqualTo(rows * 3 * 4).isGreaterThan(InferenceGrpcService.LARGE_ANSWER_BYTES);
        assertThat(out.getFloat((rows * 3 - 1) * 4)).isEqualTo(2f * (rows * 3 - 1));
        for (int i = 0; i < calls.size(); i++) {
            ModelInferResponse r = calls.get(i).get(60, TimeUnit.SECONDS);
            assertThat(r.getId()).isEqualTo("q" + i);
            assertThat(r.getRawOutputContentsCount()).isEqualTo(2);
        }
    }

    @Test
    void aCallTheClientCancelsWhileQueuedIsAbandoned() throws Exception {
        CompletableFuture<Status.Code> running = holdTheOnlyInstance("grpc-cancel");
        var queued = GRPCInferenceServiceGrpc.newFutureStub(channel).modelInfer(count("grpc-cancel", 3).build());
        Thread.sleep(300);
        assertThat(queued.isDone()).isFalse();
        queued.cancel(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cancelled("grpc-cancel") < 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(cancelled("grpc-cancel")).isEqualTo(1.0);
        assertThat(running.get(60, TimeUnit.SECONDS)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(stub.modelInfer(count("grpc-cancel", 4).build()).getModelName()).isEqualTo("grpc-cancel");
    }

    @Test
    void requestsOfAStreamTheClientCancelsWhileQueuedAreAbandoned() throws Exception {
        CompletableFuture<Status.Code> running = holdTheOnlyInstance("grpc-stream-cancel");
        List<io.plugboard.grpc.proto.ModelStreamInferResponse> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        StreamObserver<ModelInferRequest> requests = TritonCalls.stream(channel, new StreamObserver<>() {
            @Override
            public void onNext(io.plugboard.grpc.proto.ModelStreamInferResponse value) {
                answers.add(value);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        for (int i = 0; i < 3; i++) {
            requests.onNext(count("grpc-stream-cancel", 3).build());
        }
        Thread.sleep(300);
        assertThat(answers).isEmpty();
        requests.onError(new IllegalStateException("the client gives up")); // cancels the stream
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cancelled("grpc-stream-cancel") < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(cancelled("grpc-stream-cancel")).isEqualTo(3.0);
        assertThat(running.get(60, TimeUnit.SECONDS)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(stub.modelInfer(count("grpc-stream-cancel", 4).build()).getModelName()).isEqualTo("grpc-stream-cancel");
    }

    /**
     * Loads the runaway loop as {@code model} with one instance and starts a call that holds it for
     * its 3 s timeout, so that the next calls queue; the held call's status comes when it ends.
     */
    private CompletableFuture<Status.Code> holdTheOnlyInstance(String model) throws InterruptedException {
        Http.Reply created = http.upload(Map.of("name", model, "instances", "1"),
                List.of(Http.Part.of(onnx("runaway_loop"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        ModelInferRequest holding = count(model, 1L << 50)
                .putParameters("timeout", InferParameter.newBuilder().setInt64Param(3_000_000).build()).build();
        CompletableFuture<Status.Code> running = CompletableFuture.supplyAsync(() -> {
            try {
                stub.modelInfer(holding);
                return Status.Code.OK;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode();
            }
        });
        Thread.sleep(300);
        return running;
    }

    private double cancelled(String model) {
        io.micrometer.core.instrument.Counter counter = meters.find("plugboard.inference.requests")
                .tags("model", model, "protocol", "grpc", "outcome", "cancelled").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void theTransportsBufferLeakTrackingIsOffUnlessAskedFor() {
        assertThat(GrpcServer.defaultLeakDetection(new java.util.Properties())).isEqualTo("disabled");
        java.util.Properties asked = new java.util.Properties();
        asked.setProperty(GrpcServer.LEAK_DETECTION, "paranoid");
        assertThat(GrpcServer.defaultLeakDetection(asked)).isEqualTo("paranoid");
        // set when the server's class was initialised, before its start() first loads the transport
        // (this test JVM may have loaded the transport earlier, for a client)
        assertThat(System.getProperty(GrpcServer.LEAK_DETECTION)).isEqualTo("disabled");
    }

    /** The identity model's ten inputs, each 2×2: datatype and raw contents by name. */
    private static Map<String, Object[]> identityInputs(byte[] strings) {
        Map<String, Object[]> inputs = new java.util.LinkedHashMap<>();
        inputs.put("in_f32", new Object[] {"FP32", le(4, b -> b.putFloat(1.5f).putFloat(-2f).putFloat(0f).putFloat(3e7f))});
        inputs.put("in_f64", new Object[] {"FP64", le(8, b -> b.putDouble(1.25).putDouble(-1e300).putDouble(0).putDouble(7))});
        inputs.put("in_f16", new Object[] {"FP16", le(2, b -> b.putShort((short) 0x3C00).putShort((short) 0xC000)
                .putShort((short) 0x7BFF).putShort((short) 0x0001))});
        inputs.put("in_i8", new Object[] {"INT8", new byte[] {-128, 127, 0, 5}});
        inputs.put("in_i16", new Object[] {"INT16", le(2, b -> b.putShort((short) -32768).putShort((short) 32767)
                .putShort((short) 1).putShort((short) 2))});
        inputs.put("in_i32", new Object[] {"INT32", le(4, b -> b.putInt(Integer.MIN_VALUE).putInt(1).putInt(2).putInt(3))});
        inputs.put("in_i64", new Object[] {"INT64", le(8, b -> b.putLong(Long.MIN_VALUE).putLong(1).putLong(2).putLong(3))});
        inputs.put("in_u8", new Object[] {"UINT8", new byte[] {(byte) 255, 0, 1, 2}});
        inputs.put("in_b", new Object[] {"BOOL", new byte[] {1, 0, 0, 1}});
        inputs.put("in_s", new Object[] {"BYTES", strings});
        return inputs;
    }

    private static ModelInferRequest.Builder identityRequest(String model, Map<String, Object[]> inputs) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
        inputs.forEach((name, v) -> {
            request.addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype((String) v[0])
                    .addShape(2).addShape(2));
            request.addRawInputContents(ByteString.copyFrom((byte[]) v[1]));
        });
        return request;
    }

    private <Q extends com.google.protobuf.Message, R extends com.google.protobuf.Message> R call(String method,
            Q request, R response) {
        return TritonCalls.call(channel, io.grpc.CallOptions.DEFAULT, method, request, response);
    }

    @Test
    void tritonsConfigurationStatisticsAndRepositoryMethods() {
        assertThat(http.upload(Map.of("name", "grpc-triton", "maxBatchSize", "4", "maxQueueDelayMs", "2"),
                List.of(Http.Part.of(onnx("add_mul")))).status()).isEqualTo(201);
        var config = call("ModelConfig", ModelConfigRequest.newBuilder().setName("grpc-triton").build(),
                ModelConfigResponse.getDefaultInstance()).getConfig();
        assertThat(config.getName()).isEqualTo("grpc-triton");
        assertThat(config.getPlatform()).isEqualTo("onnx_onnxv1");
        assertThat(config.getBackend()).isEqualTo("onnxruntime");
        assertThat(config.getMaxBatchSize()).isEqualTo(4);
        assertThat(config.getInputList()).extracting(ModelInput::getName, ModelInput::getDataType, ModelInput::getDimsList)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", DataType.TYPE_FP32, List.of(3L)),
                        org.assertj.core.groups.Tuple.tuple("b", DataType.TYPE_FP32, List.of(3L)));
        assertThat(config.getOutputList()).extracting(ModelOutput::getName).containsExactly("sum", "product");
        assertThat(config.getInstanceGroup(0).getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_CPU);
        assertThat(config.getDynamicBatching().getMaxQueueDelayMicroseconds()).isEqualTo(2000);

        for (int i = 0; i < 2; i++) {
            stub.modelInfer(addMul("grpc-triton", null, true).build());
        }
        var stats = call("ModelStatistics", ModelStatisticsRequest.newBuilder().setName("grpc-triton").build(),
                ModelStatisticsResponse.getDefaultInstance());
        assertThat(stats.getModelStatsCount()).isEqualTo(1);
        var version1 = stats.getModelStats(0);
        assertThat(version1.getVersion()).isEqualTo("1");
        assertThat(version1.getInferenceStats().getSuccess().getCount()).isEqualTo(2);
        assertThat(version1.getInferenceCount()).as("rows: the pool batches, and each call has 2").isEqualTo(4);
        assertThat(version1.getBatchStatsList()).extracting(InferBatchStatistics::getBatchSize).containsExactly(2L);
        assertThat(call("ModelStatistics", ModelStatisticsRequest.getDefaultInstance(),
                ModelStatisticsResponse.getDefaultInstance()).getModelStatsList())
                .extracting(ModelStatistics::getName).contains("grpc-triton");

        var index = call("RepositoryIndex", RepositoryIndexRequest.newBuilder().setReady(true).build(),
                RepositoryIndexResponse.getDefaultInstance());
        assertThat(index.getModelsList()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("grpc-triton");
            assertThat(m.getState()).isEqualTo("READY");
        });
        call("RepositoryModelUnload", RepositoryModelUnloadRequest.newBuilder().setModelName("grpc-triton") // as tritonclient
                .putParameters("unload_dependents", ModelRepositoryParameter.newBuilder().setBoolParam(false).build())
                .build(), RepositoryModelUnloadResponse.getDefaultInstance());
        assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("grpc-triton").build()).getReady()).isFalse();
        assertThat(call("RepositoryIndex", RepositoryIndexRequest.newBuilder().setReady(true).build(),
                RepositoryIndexResponse.getDefaultInstance()).getModelsList())
                .noneMatch(m -> m.getName().equals("grpc-triton"));
        assertStatus(() -> call("ModelConfig", ModelConfigRequest.newBuilder().setName("grpc-triton").build(),
                ModelConfigResponse.getDefaultInstance()), Status.Code.UNAVAILABLE, "model-not-ready", "UNLOADED");
        call("RepositoryModelLoad", RepositoryModelLoadRequest.newBuilder().setModelName("grpc-triton").build(),
                RepositoryModelLoadResponse.getDefaultInstance());
        assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("grpc-triton").build()).getReady()).isTrue();
        assertThat(call("ModelStatistics", ModelStatisticsRequest.newBuilder().setName("grpc-triton").build(),
                ModelStatisticsResponse.getDefaultInstance()).getModelStats(0).getInferenceStats().getSuccess()
                .getCount()).as("a version loaded again counts from nothing").isZero();

        assertStatus(() -> call("ModelConfig", ModelConfigRequest.newBuilder().setName("grpc-nobody").build(),
                ModelConfigResponse.getDefaultInstance()), Status.Code.NOT_FOUND, "model-not-found", "grpc-nobody");
        assertStatus(() -> call("ModelStatistics", ModelStatisticsRequest.newBuilder().setName("grpc-triton")
                .setVersion("9").build(), ModelStatisticsResponse.getDefaultInstance()), Status.Code.NOT_FOUND,
                "version-not-found", "9");
        assertStatus(() -> call("ModelStatistics", ModelStatisticsRequest.newBuilder().setVersion("1").build(),
                ModelStatisticsResponse.getDefaultInstance()), Status.Code.INVALID_ARGUMENT, "malformed-request",
                "without a model");
        assertStatus(() -> call("RepositoryModelLoad", RepositoryModelLoadRequest.newBuilder().setModelName("grpc-triton")
                .putParameters("config", ModelRepositoryParameter.newBuilder().setStringParam("{}").build()).build(),
                RepositoryModelLoadResponse.getDefaultInstance()), Status.Code.INVALID_ARGUMENT, "malformed-request",
                "config");
        assertStatus(() -> call("RepositoryModelUnload", RepositoryModelUnloadRequest.newBuilder()
                .setModelName("grpc-nobody").build(), RepositoryModelUnloadResponse.getDefaultInstance()),
                Status.Code.NOT_FOUND, "model-not-found", "grpc-nobody");
        assertThatThrownBy(() -> call("SystemSharedMemoryStatus", RepositoryIndexRequest.getDefaultInstance(),
                RepositoryIndexResponse.getDefaultInstance())).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }

    private static void assertStatus(Runnable call, Status.Code code, String problem, String detail) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(detail);
            assertThat(e.getTrailers().get(GrpcProblems.PROBLEM_TYPE)).endsWith("/" + problem);
        });
    }

    private static ModelInferRequest.Builder addMul(String model, String id, boolean raw) {
        ModelInferRequest.Builder r = ModelInferRequest.newBuilder().setModelName(model);
        if (id != null) {
            r.setId(id);
        }
        float[] a = {1, 2, 3, -1, 1, 2};
        float[] b = {4, 5, 6, 4, -1, 3};
        for (String name : new String[] {"a", "b"}) {
            float[] v = name.equals("a") ? a : b;
            var input = ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype("FP32").addShape(2).addShape(3);
            if (raw) {
                r.addRawInputContents(ByteString.copyFrom(le(4, buf -> {
                    for (float f : v) {
                        buf.putFloat(f);
                    }
                })));
            } else {
                var c = InferTensorContents.newBuilder();
                for (float f : v) {
                    c.addFp32Contents(f);
                }
                input.setContents(c);
            }
            r.addInputs(input);
        }
        return r;
    }

    private static ModelInferRequest.Builder count(String model, long n) {
        return ModelInferRequest.newBuilder().setModelName(model).addInputs(ModelInferRequest.InferInputTensor.newBuilder()
                .setName("n").setDatatype("INT64").addShape(1).setContents(InferTensorContents.newBuilder().addInt64Contents(n)));
    }

    private static byte[] le(int width, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(width * 64).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static byte[] bytesElements(String... elements) {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        for (String e : elements) {
            byte[] bytes = e.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            b.putInt(bytes.length).put(bytes);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static List<Float> floats(ByteString raw) {
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        List<Float> out = new ArrayList<>();
        while (b.hasRemaining()) {
            out.add(b.getFloat());
        }
        return out;
    }
}
