package io.plugboard.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Problems as gRPC statuses: the REST problem's detail as the status message, and its stable
 * {@code type} URI in the {@code problem-type} trailer, so clients can switch on either.
 */
final class GrpcProblems {

    static final Metadata.Key<String> PROBLEM_TYPE = Metadata.Key.of("problem-type", Metadata.ASCII_STRING_MARSHALLER);

    private static final Logger log = LoggerFactory.getLogger(GrpcProblems.class);

    private GrpcProblems() {
    }

    static StatusRuntimeException status(Throwable e) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        if (e instanceof OutOfMemoryError) {
            log.warn("gRPC call ran out of memory", e);
            return Status.RESOURCE_EXHAUSTED.withDescription("The server ran out of memory running this call; "
                    + "retry later or send a smaller one.").asRuntimeException();
        }
        if (!(e instanceof PlugboardException p)) {
            log.error("gRPC call failed", e);
            return Status.INTERNAL.withDescription("Internal server error.").asRuntimeException();
        }
        Metadata trailers = new Metadata();
        trailers.put(PROBLEM_TYPE, p.type().uri().toString());
        return code(p.type()).withDescription(p.getMessage()).asRuntimeException(trailers);
    }

    static Status code(ProblemType type) {
        return switch (type) {
            case MODEL_NOT_FOUND, VERSION_NOT_FOUND, NOT_FOUND -> Status.NOT_FOUND;
            case MALFORMED_REQUEST, INVALID_PARAMETER, INVALID_MODEL_NAME, INVALID_TENSOR, UNKNOWN_INPUT,
                    MISSING_INPUT, UNKNOWN_OUTPUT, DATATYPE_MISMATCH, SHAPE_MISMATCH, INFERENCE_FAILED,
                    UNSUPPORTED_DATATYPE, TARGET_UNAVAILABLE -> Status.INVALID_ARGUMENT;
            case QUEUE_FULL, INSUFFICIENT_MEMORY, PAYLOAD_TOO_LARGE, CAPACITY_REACHED -> Status.RESOURCE_EXHAUSTED;
            case TIMEOUT -> Status.DEADLINE_EXCEEDED;
            case MODEL_NOT_READY, STORE_UNAVAILABLE -> Status.UNAVAILABLE;
            case UNAUTHORIZED -> Status.UNAUTHENTICATED;
            case FORBIDDEN, CROSS_ORIGIN -> Status.PERMISSION_DENIED;
            case MODEL_EXISTS -> Status.ALREADY_EXISTS;
            default -> Status.INTERNAL;
        };
    }
}
