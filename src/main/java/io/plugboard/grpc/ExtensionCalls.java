package io.plugboard.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.plugboard.grpc.proto.DataType;
import io.plugboard.grpc.proto.GRPCInferenceServiceGrpc;
import io.plugboard.grpc.proto.GrpcPredictV2;
import io.plugboard.grpc.proto.InferBatchStatistics;
import io.plugboard.grpc.proto.InferStatistics;
import io.plugboard.grpc.proto.ModelConfig;
import io.plugboard.grpc.proto.ModelConfigRequest;
import io.plugboard.grpc.proto.ModelConfigResponse;
import io.plugboard.grpc.proto.ModelDynamicBatching;
import io.plugboard.grpc.proto.ModelInput;
import io.plugboard.grpc.proto.ModelInferRequest;
import io.plugboard.grpc.proto.ModelInstanceGroup;
import io.plugboard.grpc.proto.ModelOutput;
import io.plugboard.grpc.proto.ModelStatistics;
import io.plugboard.grpc.proto.ModelStatisticsRequest;
import io.plugboard.grpc.proto.ModelStatisticsResponse;
import io.plugboard.grpc.proto.ModelStreamInferResponse;
import io.plugboard.grpc.proto.RepositoryIndexRequest;
import io.plugboard.grpc.proto.RepositoryIndexResponse;
import io.plugboard.grpc.proto.RepositoryModelLoadRequest;
import io.plugboard.grpc.proto.RepositoryModelLoadResponse;
import io.plugboard.grpc.proto.RepositoryModelUnloadRequest;
import io.plugboard.grpc.proto.RepositoryModelUnloadResponse;
import io.plugboard.grpc.proto.StatisticDuration;
import io.plugboard.grpc.proto.TritonExtensions;
import io.plugboard.inference.VersionStatistics;
import io.plugboard.lifecycle.ModelResidency;
import io.plugboard.model.ModelConfiguration;
import io.plugboard.model.ModelRegistry;
import io.plugboard.model.ModelVersions;
import io.plugboard.model.ServedModel;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Triton's extensions of {@code inference.GRPCInferenceService} that Triton's clients and
 * {@code perf_analyzer} call beyond KServe's protocol: {@code ModelConfig}, {@code ModelStatistics},
 * {@code RepositoryIndex}, {@code RepositoryModelLoad}, {@code RepositoryModelUnload} and
 * {@code ModelStreamInfer} ({@link StreamedInference}), with Triton's messages
 * ({@code triton_extensions.proto}) and the REST API's meaning. They are added to the service by
 * name, and to the schema reflection shows. The shared-memory, trace and log methods stay
 * unimplemented.
 */
final class ExtensionCalls {

    /** An added method, and the messages reflection names for it. */
    private record Added(ServerMethodDefinition<?, ?> definition, Descriptors.Descriptor input,
            Descriptors.Descriptor output) {
    }

    private final ModelRegistry registry;
    private final ModelResidency residency;
    private final StreamedInference streamed;

    ExtensionCalls(ModelRegistry registry, ModelResidency residency, StreamedInference streamed) {
        this.registry = registry;
        this.residency = residency;
        this.streamed = streamed;
    }

    /** {@code service} (the inference service's definition) with these methods added. */
    ServerServiceDefinition addTo(ServerServiceDefinition service) {
        List<Added> added = methods();
        ServiceDescriptor descriptor = service.getServiceDescriptor();
        ServiceDescriptor.Builder methods = ServiceDescriptor.newBuilder(descriptor.getName())
                .setSchemaDescriptor(schema(added));
        descriptor.getMethods().forEach(methods::addMethod);
        added.forEach(m -> methods.addMethod(m.definition().getMethodDescriptor()));
        ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(methods.build());
        service.getMethods().forEach(definition::addMethod);
        added.forEach(m -> definition.addMethod(m.definition()));
        return definition.build();
    }

    /**
     * The service's schema as reflection shows it (grpcurl lists, describes and calls by it), in
     * three files as Triton's own are: KServe's messages ({@code grpc_predict_v2.proto}, its
     * service left out), Triton's ({@code triton_extensions.proto}, which uses KServe's), and the
     * service with every method ({@code grpc_service.proto}, which uses both). Triton's
     * stream answer holds KServe's response, so one file for the service and KServe's messages
     * would import a file that imports it back.
     */
    private static io.grpc.protobuf.ProtoFileDescriptorSupplier schema(List<Added> added) {
        DescriptorProtos.FileDescriptorProto kserve = GrpcPredictV2.getDescriptor().toProto();
        DescriptorProtos.ServiceDescriptorProto.Builder inference = kserve.getService(0).toBuilder();
        for (Added method : added) {
            MethodDescriptor<?, ?> m = method.definition().getMethodDescriptor();
            inference.addMethod(DescriptorProtos.MethodDescriptorProto.newBuilder().setName(m.getBareMethodName())
                    .setInputType("." + method.input().getFullName())
                    .setOutputType("." + method.output().getFullName())
                    .setClientStreaming(!m.getType().clientSendsOneMessage())
                    .setServerStreaming(!m.getType().serverSendsOneMessage()));
        }
        Descriptors.FileDescriptor built;
        try {
            Descriptors.FileDescriptor messages = Descriptors.FileDescriptor.buildFrom(
                    kserve.toBuilder().clearService().build(), new Descriptors.FileDescriptor[0]);
            Descriptors.FileDescriptor triton = Descriptors.FileDescriptor.buildFrom(
                    TritonExtensions.getDescriptor().toProto(), new Descriptors.FileDescriptor[] {messages});
            built = Descriptors.FileDescriptor.buildFrom(DescriptorProtos.FileDescriptorProto.newBuilder()
                    .setName("grpc_service.proto").setSyntax(kserve.getSyntax()).setPackage(kserve.getPackage())
                    .addDependency(messages.getName()).addDependency(triton.getName())
                    .addService(inference).build(), new Descriptors.FileDescriptor[] {messages, triton});
        } catch (Descriptors.DescriptorValidationException e) {
            throw new IllegalStateException("The extension methods do not fit the service's schema", e);
        }
        return () -> built;
    }

    private List<Added> methods() {
        return List.of(
                method("ModelConfig", ModelConfigRequest.getDefaultInstance(), ModelConfigResponse.getDefaultInstance(),
                        this::modelConfig),
                method("ModelStatistics", ModelStatisticsRequest.getDefaultInstance(),
                        ModelStatisticsResponse.getDefaultInstance(), this::modelStatistics),
                method("RepositoryIndex", RepositoryIndexRequest.getDefaultInstance(),
                        RepositoryIndexResponse.getDefaultInstance(), this::repositoryIndex),
                method("RepositoryModelLoad", RepositoryModelLoadRequest.getDefaultInstance(),
                        RepositoryModelLoadResponse.getDefaultInstance(), this::repositoryModelLoad),
                method("RepositoryModelUnload", RepositoryModelUnloadRequest.getDefaultInstance(),
                        RepositoryModelUnloadResponse.getDefaultInstance(), this::repositoryModelUnload),
                new Added(streamed.method(), ModelInferRequest.getDescriptor(), ModelStreamInferResponse.getDescriptor()));
    }

    /** The full name of one of these methods. */
    static String fullName(String method) {
        return MethodDescriptor.generateFullMethodName(GRPCInferenceServiceGrpc.SERVICE_NAME, method);
    }

    private static <Q extends Message, R extends Message> Added method(String name, Q request,
            R response, BiConsumer<Q, StreamObserver<R>> handler) {
        MethodDescriptor<Q, R> descriptor = MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullName(name))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
        return new Added(ServerMethodDefinition.create(descriptor, ServerCalls.asyncUnaryCall(handler::accept)),
                request.getDescriptorForType(), response.getDescriptorForType());
    }

    void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> out) {
        InferenceGrpcService.answer(out, () -> {
            ServedModel model = registry.require(request.getName())
                    .shown(InferenceGrpcService.version(request.getVersion()));
            return ModelConfigResponse.newBuilder().setConfig(config(ModelConfiguration.of(model))).build();
        });
    }

    void modelStatistics(ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> out) {
        InferenceGrpcService.answer(out, () -> {
            ModelStatisticsResponse.Builder response = ModelStatisticsResponse.newBuilder();
            registry.statistics(request.getName(), InferenceGrpcService.version(request.getVersion()))
                    .forEach(counted -> response.addModelStats(statistics(counted)));
            return response.build();
        });
    }

    void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
        InferenceGrpcService.answer(out, () -> {
            RepositoryIndexResponse.Builder index = RepositoryIndexResponse.newBuilder();
            for (ModelVersions.Listed v : registry.index(request.getReady())) {
                index.addModels(RepositoryIndexResponse.ModelIndex.newBuilder().setName(v.id())
                        .setVersion(Integer.toString(v.version())).setState(v.state().name())
                        .setReason(v.reason() == null ? "" : v.reason()));
            }
            return index.build();
        });
    }

    void repositoryModelLoad(RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> out) {
        InferenceGrpcService.answer(out, () -> {
            ModelResidency.checkParameters(false, request.getParametersMap().keySet());
            residency.load(request.getModelName());
            return RepositoryModelLoadResponse.getDefaultInstance();
        });
    }

    void repositoryModelUnload(RepositoryModelUnloadRequest request,
            StreamObserver<RepositoryModelUnloadResponse> out) {
        InferenceGrpcService.answer(out, () -> {
            ModelResidency.checkParameters(true, request.getParametersMap().keySet());
            residency.unload(request.getModelName());
            return RepositoryModelUnloadResponse.getDefaultInstance();
        });
    }

    private static ModelConfig config(ModelConfiguration configuration) {
        ModelConfig.Builder config = ModelConfig.newBuilder().setName(configuration.name())
                .setPlatform(configuration.platform())
                .setBackend(configuration.backend() == null ? "" : configuration.backend())
                .setMaxBatchSize(configuration.maxBatchSize());
        for (ModelConfiguration.Tensor t : configuration.inputs()) {
            ModelInput.Builder input = ModelInput.newBuilder().setName(t.name()).setDataType(DataType.valueOf(t.dataType()));
            for (long d : t.dims()) {
                input.addDims(d);
            }
            config.addInput(input);
        }
        for (ModelConfiguration.Tensor t : configuration.outputs()) {
            ModelOutput.Builder output = ModelOutput.newBuilder().setName(t.name())
                    .setDataType(DataType.valueOf(t.dataType()));
            for (long d : t.dims()) {
                output.addDims(d);
            }
            config.addOutput(output);
        }
        for (ModelConfiguration.InstanceGroup g : configuration.instanceGroups()) {
            config.addInstanceGroup(ModelInstanceGroup.newBuilder().setName(g.name()).setCount(g.count())
                    .setKind(ModelInstanceGroup.Kind.valueOf(g.kind())).addAllGpus(g.gpus()));
        }
        if (configuration.dynamicBatching() != null) {
            config.setDynamicBatching(ModelDynamicBatching.newBuilder()
                    .setMaxQueueDelayMicroseconds(configuration.dynamicBatching().maxQueueDelayMicroseconds()));
        }
        return config.build();
    }

    private static ModelStatistics statistics(ModelVersions.Counted counted) {
        VersionStatistics.Snapshot s = counted.statistics();
        StatisticDuration none = StatisticDuration.getDefaultInstance();
        StatisticDuration infer = duration(s.computeInfer());
        StatisticDuration callsOnly = StatisticDuration.newBuilder().setCount(s.computeInfer().count()).build();
        ModelStatistics.Builder stats = ModelStatistics.newBuilder().setName(counted.id())
                .setVersion(Integer.toString(counted.version())).setLastInference(s.lastInferenceMillis())
                .setInferenceCount(s.inferenceCount()).setExecutionCount(s.executionCount())
                .setInferenceStats(InferStatistics.newBuilder().setSuccess(duration(s.success()))
                        .setFail(duration(s.fail())).setQueue(duration(s.queue())).setComputeInput(callsOnly)
                        .setComputeInfer(infer).setComputeOutput(callsOnly).setCacheHit(none).setCacheMiss(none));
        for (VersionStatistics.BatchTally batch : s.batches()) {
            StatisticDuration batchCalls = StatisticDuration.newBuilder().setCount(batch.computeInfer().count()).build();
            stats.addBatchStats(InferBatchStatistics.newBuilder().setBatchSize(batch.batchSize())
                    .setComputeInput(batchCalls).setComputeInfer(duration(batch.computeInfer()))
                    .setComputeOutput(batchCalls));
        }
        return stats.build();
    }

    private static StatisticDuration duration(VersionStatistics.Tally tally) {
        return StatisticDuration.newBuilder().setCount(tally.count()).setNs(tally.nanos()).build();
    }
}
