package io.plugboard.format;

import static io.plugboard.format.HeadBytes.contains;
import static io.plugboard.format.HeadBytes.startsWith;
import static io.plugboard.format.Sniff.found;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Optional;

/**
 * Recognises formats by a fixed magic number: strong signatures in the head (TFLite, TensorRT, GGUF,
 * HDF5, ELF), and weak ones (MXNet params, LevelDB footer) to try only when nothing else matched.
 */
final class MagicNumberSniffer {

    private static final long MXNET_PARAMS_MAGIC = 0x112;
    private static final long LEVELDB_MAGIC = 0xdb4775248b80fb57L;

    private MagicNumberSniffer() {
    }

    /** Signatures specific enough to be trusted before any other sniffer runs. */
    static Optional<Sniff> sniffStrong(CandidateFile file, byte[] head) {
        if (startsWith(head, 4, "TFL3")) {
            return found(file, ModelFormat.TFLITE, "flatbuffer identifier TFL3 at byte 4");
        }
        if (startsWith(head, 0, "ftrt")) {
            return found(file, ModelFormat.TENSORRT_PLAN, "TensorRT plan signature 'ftrt'");
        }
        if (startsWith(head, 0, "GGUF")) {
            return found(file, ModelFormat.GGUF, "GGUF signature");
        }
        if (startsWith(head, 0, "\u0089HDF\r\n\u001a\n")) {
            return found(file, ModelFormat.KERAS_H5, "HDF5 signature"
                    + (contains(head, "keras_version") || contains(head, "model_config")
                            ? " with Keras attributes" : ""));
        }
        if (startsWith(head, 0, "\u007fELF")) {
            return found(file, ModelFormat.NATIVE_LIBRARY, "ELF signature (native machine code)");
        }
        return Optional.empty();
    }

    /** Magic numbers too short to trust before the other sniffers: the first and last eight bytes. */
    static Optional<Sniff> sniffWeak(CandidateFile file, byte[] head, FileChannel channel) throws IOException {
        if (file.size() < 8) {
            return Optional.empty();
        }
        ByteBuffer first = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
        if (first.getLong() == MXNET_PARAMS_MAGIC) {
            return Sniff.part(file, ModelFormat.MXNET, "MXNet parameter file magic 0x112");
        }
        ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(tail, file.size() - 8);
        if (tail.flip().remaining() == 8 && tail.getLong() == LEVELDB_MAGIC) {
            return found(file, ModelFormat.TF_CHECKPOINT, "LevelDB table footer (checkpoint index)");
        }
        return Optional.empty();
    }
}
