package io.plugboard.format;

import static io.plugboard.format.HeadBytes.startsWith;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Recognises a model's format from the bytes of its uploaded files, never from their names alone.
 * Nothing is executed or unpickled: archives are listed, protobufs walked, pickles scanned.
 */
public final class FormatDetector {

    private static final int HEAD = 4096;

    /**
     * Detects the format of an upload.
     *
     * @throws PlugboardException {@link ProblemType#NOT_A_MODEL} when nothing is recognised,
     *     {@link ProblemType#MALFORMED_REQUEST} when parts of different models are mixed.
     */
    public Detection detect(List<CandidateFile> files) {
        List<Sniff> sniffs = new ArrayList<>();
        for (CandidateFile file : files) {
            sniff(file).ifPresent(sniffs::add);
        }
        Set<ModelFormat> mains = sniffs.stream().filter(Sniff::main).map(Sniff::format)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (mains.size() > 1) {
            mains.remove(ModelFormat.SAFETENSORS); // weights beside an ONNX graph
        }
        if (mains.contains(ModelFormat.TF_SAVEDMODEL)) {
            mains.remove(ModelFormat.TF_CHECKPOINT); // variables/variables.index is a checkpoint index
        }
        if (mains.size() > 1) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST,
                    "The upload mixes files of different models (" + mains.stream()
                            .map(ModelFormat::displayName).collect(Collectors.joining(", "))
                            + "); upload one model per request.");
        }
        if (mains.isEmpty()) {
            Optional<Sniff> part = sniffs.stream().findFirst();
            if (part.isPresent()) {
                return new Detection(part.get().format(), part.get().file().name(), part.get().evidence());
            }
            throw new PlugboardException(ProblemType.NOT_A_MODEL,
                    "No file in the upload has the signature of a known model format ("
                            + files.stream().map(HeadDescription::of).collect(Collectors.joining("; "))
                            + "). See GET /v1/formats for what can be uploaded.");
        }
        ModelFormat format = mains.iterator().next();
        List<Sniff> ofFormat = sniffs.stream().filter(s -> s.main() && s.format() == format).toList();
        if (ofFormat.size() > 1 && format != ModelFormat.TF_SAVEDMODEL) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The upload holds "
                    + ofFormat.size() + " " + format.displayName() + " models ("
                    + ofFormat.stream().map(s -> s.file().name()).collect(Collectors.joining(", "))
                    + "); upload one model per request.");
        }
        Sniff main = ofFormat.get(0);
        return new Detection(format, main.file().name(), main.evidence());
    }

    private Optional<Sniff> sniff(CandidateFile file) {
        try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ)) {
            ByteBuffer headBuffer = ByteBuffer.allocate((int) Math.min(HEAD, file.size()));
            while (headBuffer.hasRemaining() && channel.read(headBuffer) > 0) {
                // fill
            }
            byte[] head = headBuffer.array();
            return sniff(file, channel, head);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Tries the sniffers, most specific signature first; an archive is judged by its entry names alone. */
    private Optional<Sniff> sniff(CandidateFile file, FileChannel channel, byte[] head) throws IOException {
        if (startsWith(head, 0, "PK\u0003\u0004") || startsWith(head, 0, "PK\u0005\u0006")) {
            return ArchiveListing.zip(file.path()).flatMap(names -> ArchiveSniffer.sniff(file, names, true));
        }
        if (head.length > 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return ArchiveListing.tar(file.path(), true).flatMap(names -> ArchiveSniffer.sniff(file, names, false));
        }
        if (startsWith(head, 257, "ustar")) {
            return ArchiveListing.tar(file.path(), false).flatMap(names -> ArchiveSniffer.sniff(file, names, false));
        }
        Optional<Sniff> magic = MagicNumberSniffer.sniffStrong(file, head);
        if (magic.isPresent()) {
            return magic;
        }
        if (PickleSniffer.isPickle(head)) {
            return PickleSniffer.sniff(file);
        }
        Optional<Sniff> byContent = SafetensorsSniffer.sniff(file, head).or(() -> TextSniffer.sniff(file, head));
        if (byContent.isPresent()) {
            return byContent;
        }
        Optional<Sniff> protobuf = ProtobufSniffer.sniff(file, channel);
        if (protobuf.isPresent()) {
            return protobuf;
        }
        return MagicNumberSniffer.sniffWeak(file, head, channel);
    }
}
