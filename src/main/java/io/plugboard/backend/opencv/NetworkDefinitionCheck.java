package io.plugboard.backend.opencv;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the numbers of a Darknet {@code .cfg} or Caffe {@code .prototxt} that OpenCV trusts
 * before it sees them: a zero group count, filter count or stride divides by zero inside the
 * engine and kills the process, so sizes must be positive and bounded, paddings not negative, and
 * Darknet's layer references must point at earlier layers. Also reads the network's input shape,
 * so the model can be warmed up with a real call before it serves.
 */
final class NetworkDefinitionCheck {

    private static final long MAX = 1 << 16;
    private static final int MAX_LAYERS = 4096;
    private static final Set<String> POSITIVE = Set.of("filters", "size", "stride", "stride_x", "stride_y", "groups",
            "dilation", "classes", "num", "batch", "subdivisions", "width", "height", "channels", "out_w", "out_h",
            "out_c", "output", "num_output", "group", "kernel_size", "kernel_h", "kernel_w", "stride_h", "stride_w",
            "local_size", "input_dim");
    private static final Set<String> NOT_NEGATIVE = Set.of("pad", "padding", "pad_h", "pad_w");
    private static final Pattern CAFFE_FIELD = Pattern.compile("\\b([a-z_]+)\\s*:\\s*(-?[0-9]+)\\b");

    private NetworkDefinitionCheck() {
    }

    /**
     * Checks a Darknet network; answers its input shape {@code [1, channels, height, width]}. Only
     * printable ASCII is accepted, and keys must be plain names: OpenCV's reader drops bytes it
     * takes for blanks (any byte above 0x7f, as a signed char), so {@code grou\u00f8ps=x} would
     * reach it as {@code groups=x} and be read as 0.
     */
    static long[] darknet(String cfg) {
        for (int i = 0; i < cfg.length(); i++) {
            char c = cfg.charAt(i);
            if ((c < 0x20 || c > 0x7e) && c != '\n' && c != '\r' && c != '\t') {
                throw invalid("holds the byte 0x" + Integer.toHexString(c) + ", which is not printable ASCII",
                        lineOf(cfg, i));
            }
        }
        List<String> sections = new ArrayList<>();
        long width = 0;
        long height = 0;
        long channels = 0;
        String[] lines = cfg.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].replaceAll("[#;].*", "").strip();
            if (line.startsWith("[")) {
                sections.add(line);
                if (sections.size() > MAX_LAYERS) {
                    throw invalid("has more than " + MAX_LAYERS + " sections", i);
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw invalid("has the key '" + shortened(key) + "', which is not a plain name", i);
            }
            if (POSITIVE.contains(key) || NOT_NEGATIVE.contains(key)) {
                int lineIndex = i;
                long n = number(key, value, () -> lineIndex);
                switch (key) {
                    case "width" -> width = n;
                    case "height" -> height = n;
                    case "channels" -> channels = n;
                    default -> { }
                }
            } else if (key.equals("layers") || key.equals("from")) {
                checkReferences(key, value, sections.size() - 2, i);
            }
        }
        if (sections.isEmpty() || !sections.get(0).matches("\\[(net|network)]")) {
            throw invalid("does not start with a [net] section", 0);
        }
        if (width == 0 || height == 0 || channels == 0 || width * height * channels > (1L << 28)) {
            throw invalid("must give [net] width, height and channels (at most 2^28 values in all)", 0);
        }
        return new long[] {1, channels, height, width};
    }

    /** Checks a Caffe network definition; answers its input shape, or null when it declares none. */
    static long[] caffe(String prototxt) {
        String text = prototxt.replaceAll("#[^\n]*", "");
        Matcher m = CAFFE_FIELD.matcher(text);
        List<Long> inputDims = new ArrayList<>();
        int layers = 0;
        while (m.find()) {
            String key = m.group(1);
            if (POSITIVE.contains(key) || NOT_NEGATIVE.contains(key)) {
                int at = m.start();
                long n = number(key, m.group(2), () -> lineOf(text, at));
                if (key.equals("input_dim")) {
                    inputDims.add(n);
                }
            }
        }
        // layer blocks are read one after another, each once: a search resumes after the block it
        // read, so nested or repeated layers cannot make the check go over the text again and again
        Matcher layer = Pattern.compile("\\blayers?\\s*\\{").matcher(text);
        int from = 0;
        while (from < text.length() && layer.find(from)) {
            if (++layers > MAX_LAYERS) {
                throw invalid("has more than " + MAX_LAYERS + " layers", 0);
            }
            from = checkRequiredFields(text, layer.end(), layer.start());
        }
        if (!inputDims.isEmpty()) {
            return inputDims.stream().limit(4).mapToLong(Long::longValue).toArray();
        }
        Matcher shape = Pattern.compile("\\b(input_shape|shape)\\s*\\{([^}]*)}").matcher(text);
        if (shape.find()) {
            Matcher dim = Pattern.compile("\\bdim\\s*:\\s*([0-9]+)").matcher(shape.group(2));
            List<Long> dims = new ArrayList<>();
            while (dim.find()) {
                int at = shape.start();
                dims.add(number("dim", dim.group(1), () -> lineOf(text, at)));
            }
            if (!dims.isEmpty() && (dims.size() < 2 || dims.size() > 4)) {
                throw invalid("declares an input of " + dims.size() + " dimensions (2 to 4: N, C, H, W)",
                        lineOf(text, shape.start()));
            }
            return dims.isEmpty() || dims.contains(0L) ? null : dims.stream().mapToLong(Long::longValue).toArray();
        }
        return null;
    }

    /**
     * A layer whose size OpenCV reads from a field must give it: left out (or misspelt), it is 0 and
     * the engine divides by it or indexes past its buffers.
     */
    /** Checks one layer block; answers where it ends. */
    private static int checkRequiredFields(String text, int bodyStart, int layerStart) {
        int depth = 1;
        int end = bodyStart;
        while (end < text.length() && depth > 0) {
            char c = text.charAt(end++);
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        }
        String body = text.substring(bodyStart, end);
        Matcher type = Pattern.compile("\\btype\\s*:\\s*\"?([A-Za-z0-9_]+)").matcher(body);
        String kind = type.find() ? type.group(1) : "";
        // the size must be a positive number inside the layer's own parameter block: OpenCV skips a
        // misspelt block or a word where a number belongs, and then reads 0
        String block = switch (kind) {
            case "Convolution", "Deconvolution", "CONVOLUTION", "DECONVOLUTION" -> "convolution_param";
            case "InnerProduct", "INNER_PRODUCT" -> "inner_product_param";
            case "Pooling", "POOLING" -> "pooling_param";
            default -> null;
        };
        if (block == null) {
            return end;
        }
        List<String> required = switch (block) {
            case "convolution_param" -> List.of("num_output", "kernel_");
            case "inner_product_param" -> List.of("num_output");
            default -> body.contains("global_pooling: true") ? List.of() : List.of("kernel_");
        };
        Matcher params = Pattern.compile("\\b" + block + "\\s*\\{([^{}]*)}").matcher(body);
        String inside = params.find() ? params.group(1) : "";
        for (String field : required) {
            if (!Pattern.compile("\\b" + field + "[a-z_]*\\s*:\\s*[1-9][0-9]*\\b").matcher(inside).find()) {
                throw invalid("has a " + kind + " layer without a positive " + (field.equals("kernel_") ? "kernel_size"
                        : field) + " in its " + block, lineOf(text, layerStart));
            }
        }
        return end;
    }

    private static void checkReferences(String key, String value, int layer, int line) {
        for (String part : value.split(",")) {
            long ref = number(key, part.strip(), () -> line, -MAX, MAX);
            long target = ref < 0 ? layer + ref : ref;
            if (target < 0 || target >= layer) {
                throw invalid(key + "=" + value + " refers to a layer that does not come before layer " + layer, line);
            }
        }
    }

    /** {@code line} is worked out only for the message of a refusal: counting lines costs a pass over the text. */
    private static long number(String key, String value, java.util.function.IntSupplier line) {
        return number(key, value, line, POSITIVE.contains(key) ? 1 : 0, MAX);
    }

    private static long number(String key, String value, java.util.function.IntSupplier line, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw invalid(key + "=" + shortened(value) + " is not an integer", line.getAsInt());
        }
        if (n < min || n > max) {
            throw invalid(key + " " + n + " is outside " + min + ".." + max + " (OpenCV would crash or exhaust memory on it)",
                    line.getAsInt());
        }
        return n;
    }

    private static int lineOf(String text, int offset) {
        int line = 0;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String shortened(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }

    private static PlugboardException invalid(String what, int line) {
        return new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The network definition " + what + " (line "
                + (line + 1) + "); it is refused before OpenCV reads it.", Map.of("line", line + 1));
    }
}
