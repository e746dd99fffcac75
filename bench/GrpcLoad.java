/*
 * A closed-loop gRPC load generator (as wrk is for HTTP): C connections, each sending the next
 * ModelInfer as soon as the previous answer arrives, for D seconds after a warm-up.
 *
 *   java -cp <classpath with grpc and the server's generated stubs> bench/GrpcLoad.java \
 *       HOST:PORT MODEL INPUT SHAPE(comma-separated) raw|typed|live|stream CONNECTIONS SECONDS
 *
 * "live" sends ServerLive instead of ModelInfer: the cheapest call, the floor of a gRPC round trip
 * on the same client and server (as GET /v2/health/live is for HTTP). "stream" sends the raw
 * request over one ModelStreamInfer stream per connection, still one at a time (perf_analyzer
 * --streaming): no HTTP/2 stream, headers or trailers per request.
 *
 * Values are (i % 17) / 17, as DirectOrt feeds the engine. Prints the line wrk's bench/infer.lua
 * prints: CSV,<requests>,<p50 us>,<p99 us>,<mean us>,<errors>,<duration us>
 */
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.plugboard.grpc.proto.GRPCInferenceServiceGrpc;
import io.plugboard.grpc.proto.InferTensorContents;
import io.plugboard.grpc.proto.ModelInferRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

public class GrpcLoad {

    private static boolean live;
    private static boolean stream;
    private static final io.grpc.MethodDescriptor<ModelInferRequest, io.plugboard.grpc.proto.ModelStreamInferResponse>
            STREAM = io.grpc.MethodDescriptor.<ModelInferRequest, io.plugboard.grpc.proto.ModelStreamInferResponse>newBuilder()
                    .setType(io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING)
                    .setFullMethodName("inference.GRPCInferenceService/ModelStreamInfer")
                    .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(ModelInferRequest.getDefaultInstance()))
                    .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                            io.plugboard.grpc.proto.ModelStreamInferResponse.getDefaultInstance()))
                    .build();

    public static void main(String[] args) throws Exception {
        String[] target = args[0].split(":");
        String model = args[1];
        String input = args[2];
        long[] shape = Arrays.stream(args[3].split(",")).mapToLong(Long::parseLong).toArray();
        stream = args[4].equals("stream");
        boolean raw = args[4].equals("raw") || stream;
        live = args[4].equals("live");
        int connections = Integer.parseInt(args[5]);
        int seconds = Integer.parseInt(args[6]);
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        ModelInferRequest.InferInputTensor.Builder tensor = ModelInferRequest.InferInputTensor.newBuilder()
                .setName(input).setDatatype("FP32");
        Arrays.stream(shape).forEach(tensor::addShape);
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
        if (raw) {
            ByteBuffer bytes = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                bytes.putFloat((i % 17) / 17f);
            }
            request.addInputs(tensor).addRawInputContents(ByteString.copyFrom(bytes.flip()));
        } else {
            InferTensorContents.Builder contents = InferTensorContents.newBuilder();
            for (int i = 0; i < n; i++) {
                contents.addFp32Contents((i % 17) / 17f);
            }
            request.addInputs(tensor.setContents(contents));
        }
        ModelInferRequest call = request.build();
        List<ManagedChannel> channels = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            channels.add(NettyChannelBuilder.forAddress(target[0], Integer.parseInt(target[1])).usePlaintext()
                    .maxInboundMessageSize(256 << 20).build());
        }
        run(channels, call, 3); // warm-up: connections open, both JITs compile the path
        long[] result = run(channels, call, seconds);
        System.out.println(String.join(",", "CSV", "" + result[0], "" + result[1] / 1000.0, "" + result[2] / 1000.0,
                "" + result[3] / 1000.0, "" + result[4], "" + seconds * 1_000_000L));
        channels.forEach(ManagedChannel::shutdownNow);
    }

    static long[] run(List<ManagedChannel> channels, ModelInferRequest call, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        List<long[]> samples = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (ManagedChannel channel : channels) {
            long[] lat = new long[4_000_000];
            samples.add(lat);
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
            java.util.concurrent.BlockingQueue<Object> answers = new java.util.concurrent.LinkedBlockingQueue<>();
            io.grpc.stub.StreamObserver<ModelInferRequest> requests = !stream ? null
                    : io.grpc.stub.ClientCalls.asyncBidiStreamingCall(channel.newCall(STREAM, io.grpc.CallOptions.DEFAULT),
                            new io.grpc.stub.StreamObserver<>() {
                                @Override
                                public void onNext(io.plugboard.grpc.proto.ModelStreamInferResponse value) {
                                    answers.add(value);
                                }

                                @Override
                                public void onError(Throwable t) {
                                    answers.add(t);
                                }

                                @Override
                                public void onCompleted() {
                                }
                            });
            Thread w = new Thread(() -> {
                int k = 0;
                while (!stop.get() && k < lat.length - 1) {
                    long s = System.nanoTime();
                    try {
                        if (stream) {
                            requests.onNext(call);
                            Object answer = answers.take();
                            if (!(answer instanceof io.plugboard.grpc.proto.ModelStreamInferResponse r)
                                    || !r.getErrorMessage().isEmpty()) {
                                throw new IllegalStateException(String.valueOf(answer));
                            }
                        } else if (live) {
                            stub.serverLive(io.plugboard.grpc.proto.ServerLiveRequest.getDefaultInstance());
                        } else {
                            stub.modelInfer(call);
                        }
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                    } catch (InterruptedException e) {
                        break;
                    }
                    lat[++k] = System.nanoTime() - s;
                }
                lat[0] = k;
                if (requests != null) {
                    requests.onCompleted();
                }
            });
            workers.add(w);
            w.start();
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        long total = 0;
        List<Long> all = new ArrayList<>();
        for (long[] lat : samples) {
            for (int i = 1; i <= lat[0]; i++) {
                all.add(lat[i]);
                total += lat[i];
            }
        }
        all.sort(null);
        return new long[] {all.size(), all.get(all.size() / 2), all.get((int) (all.size() * 0.99)),
                total / all.size(), errors.get()};
    }
}
