package io.plugboard.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.plugboard.api.RequestMemory;
import io.plugboard.grpc.proto.GRPCInferenceServiceGrpc;
import io.plugboard.grpc.proto.ModelInferRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** A {@code ModelInfer} message is charged to the request-memory budget before it is parsed. */
class ModelInferParsingTest {

    private static final ModelInferRequest REQUEST = ModelInferRequest.newBuilder().setModelName("m")
            .addRawInputContents(ByteString.copyFrom(new byte[300 << 10])).build();

    private static MethodDescriptor.Marshaller<ModelInferParsing.Parsed> marshaller(RequestMemory memory) {
        return ModelInferParsing.marshaller(GRPCInferenceServiceGrpc.getModelInferMethod().getRequestMarshaller(),
                memory);
    }

    /** The message as grpc-java hands over an uncompressed one: its length known, and counting what is read. */
    private static final class Received extends ByteArrayInputStream implements KnownLength {

        Received(byte[] bytes) {
            super(bytes);
        }

        int position() {
            return pos;
        }
    }

    /** REQUEST parsed as it arrives within {@code call}. */
    private static ModelInferParsing.Parsed parsedIn(Context.CancellableContext call, RequestMemory memory)
            throws Exception {
        return call.call(() -> marshaller(memory).parse(new Received(REQUEST.toByteArray())));
    }

    @Test
    void aMessageIsChargedTwiceItsSizeUntilTheCallEnds() throws Exception {
        RequestMemory memory = new RequestMemory(4 << 20);
        Context.CancellableContext call = Context.current().withCancellation();
        ModelInferParsing.Parsed parsed = parsedIn(call, memory);
        assertThat(parsed.failure()).isNull();
        assertThat(parsed.request()).isEqualTo(REQUEST);
        assertThat(memory.used()).isEqualTo(2L * REQUEST.getSerializedSize());
        // a call that ends without its handler giving the charge back (cancelled before it ran) gives it back
        call.cancel(null);
        assertThat(memory.used()).isZero();
    }

    @Test
    void aStreamKeepsNothingOfTheMessagesItHasAnswered() throws Exception {
        RequestMemory memory = new RequestMemory(4 << 20);
        Context.CancellableContext stream = Context.current().withCancellation();
        java.lang.reflect.Method listeners = Context.class.getDeclaredMethod("listenerCount");
        listeners.setAccessible(true);
        int before = (int) listeners.invoke(stream);
        for (int i = 0; i < 100; i++) {
            parsedIn(stream, memory).lease().close(); // answered: the charge given back by its call
        }
        assertThat((int) listeners.invoke(stream)).as("listeners left on the stream's context").isEqualTo(before);
        RequestMemory.Lease other = memory.open();
        other.charge(1000);
        stream.cancel(null);
        assertThat(memory.used()).as("another request's charge, untouched when the stream ends").isEqualTo(1000);
    }

    @Test
    void aMessagePastTheBudgetIsRefusedUnread() {
        RequestMemory memory = new RequestMemory(256 << 10);
        RequestMemory.Lease others = memory.open();
        others.charge(100); // another request holds part of the budget
        Received message = new Received(REQUEST.toByteArray());
        ModelInferParsing.Parsed parsed = marshaller(memory).parse(message);
        assertThat(parsed.request()).isNull();
        assertThat(parsed.failure().getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(parsed.failure().getStatus().getDescription()).contains("plugboard.limits.request-memory");
        assertThat(message.position()).as("bytes read of the refused message").isZero();
        assertThat(memory.used()).isEqualTo(100);
    }

    @Test
    void aCompressedMessageIsChargedAsItInflatesAndRefusedPastTheBudget() throws IOException {
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            gzip.write(REQUEST.toByteArray());
        }
        RequestMemory roomy = new RequestMemory(4 << 20);
        ModelInferParsing.Parsed parsed = marshaller(roomy).parse(inflating(zipped.toByteArray()));
        assertThat(parsed.request()).isEqualTo(REQUEST);
        assertThat(roomy.used()).isEqualTo(2L * REQUEST.getSerializedSize());
        parsed.lease().close();

        RequestMemory tight = new RequestMemory(256 << 10);
        tight.open().charge(100);
        ModelInferParsing.Parsed refused = marshaller(tight).parse(inflating(zipped.toByteArray()));
        assertThat(refused.failure().getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(tight.used()).as("what the refused message was charged is given back").isEqualTo(100);
    }

    /** A compressed message as grpc-java hands it over: inflated as it is read, its length unknown. */
    private static InputStream inflating(byte[] gzip) throws IOException {
        return new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gzip));
    }
}
