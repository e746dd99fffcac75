package io.plugboard.format;

import static io.plugboard.format.Sniff.found;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/** Recognises models written as text: OpenVINO XML, Darknet cfg, TVM and MXNet JSON, H2O POJOs, Caffe prototxt. */
final class TextSniffer {

    private TextSniffer() {
    }

    /** Empty unless the head {@linkplain HeadBytes#isText is text} of a known kind. */
    static Optional<Sniff> sniff(CandidateFile file, byte[] head) {
        if (!HeadBytes.isText(head)) {
            return Optional.empty();
        }
        String text = new String(head, StandardCharsets.UTF_8);
        if (text.contains("<net") && (text.contains("<layers") || text.contains("version="))) {
            return found(file, ModelFormat.OPENVINO_IR, "XML root <net> (OpenVINO IR)");
        }
        if (text.contains("[net]") || text.contains("[network]")) {
            return found(file, ModelFormat.DARKNET, "Darknet cfg with a [net] section");
        }
        String trimmed = text.stripLeading();
        if (trimmed.startsWith("{") && (text.contains("\"dltype\"") || text.contains("\"storage_id\""))) {
            return found(file, ModelFormat.TVM, "TVM graph JSON");
        }
        if (trimmed.startsWith("{") && text.contains("\"nodes\"")
                && (text.contains("\"arg_nodes\"") || text.contains("\"heads\"") || text.contains("mxnet_version"))) {
            return found(file, ModelFormat.MXNET, "MXNet symbol JSON");
        }
        if (text.contains("hex.genmodel") || (text.contains("class ") && text.contains("GenModel"))) {
            return found(file, ModelFormat.H2O_POJO, "Java source of an H2O POJO");
        }
        if (text.matches("(?s).*\\blayers?\\s*\\{.*") || (text.contains("input:") && text.contains("name:"))
                || file.name().toLowerCase(Locale.ROOT).endsWith(".prototxt")) {
            return Sniff.part(file, ModelFormat.CAFFE, "Caffe prototxt network definition");
        }
        return Optional.empty();
    }
}
