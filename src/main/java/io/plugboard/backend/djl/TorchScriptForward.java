package io.plugboard.backend.djl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The argument names of a TorchScript module's {@code forward}, read from the archive without
 * running anything: {@code data.pkl} names the root module's class ({@code __torch__.pkg.Net}),
 * whose source under {@code code/} declares {@code def forward(self: …, x: Tensor, …)}.
 */
final class TorchScriptForward {

    private static final int MAX_SOURCE = 16 << 20;
    private static final int MAX_ARGUMENTS = 256;
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private TorchScriptForward() {
    }

    /** The names of {@code forward}'s arguments after {@code self}; empty when they cannot be read. */
    static List<String> argumentNames(Path archive) {
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            ZipEntry data = zip.stream().filter(e -> e.getName().endsWith("/data.pkl")
                    && e.getName().indexOf('/') == e.getName().length() - "/data.pkl".length()).findFirst().orElse(null);
            if (data == null) {
                return List.of();
            }
            String root = data.getName().substring(0, data.getName().length() - "data.pkl".length());
            Optional<String[]> type = rootClass(read(zip, data, 4096));
            if (type.isEmpty()) {
                return List.of();
            }
            String module = type.get()[0];
            String className = type.get()[1];
            ZipEntry code = zip.getEntry(root + "code/" + module.replace('.', '/') + ".py");
            if (code == null) {
                return List.of();
            }
            return forwardArguments(read(zip, code, MAX_SOURCE), className);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The module and class of the pickle's first GLOBAL opcode ({@code c<module>\n<name>\n}). */
    static Optional<String[]> rootClass(byte[] pickle) {
        int i = 0;
        if (pickle.length > 2 && (pickle[0] & 0xff) == 0x80) {
            i = 2; // PROTO n
        }
        if (i >= pickle.length || pickle[i] != 'c') {
            return Optional.empty();
        }
        String rest = new String(pickle, i + 1, Math.min(pickle.length - i - 1, 512), StandardCharsets.US_ASCII);
        String[] lines = rest.split("\n", 3);
        if (lines.length < 3 || !lines[0].startsWith("__torch__") || !NAME.matcher(lines[1]).matches()) {
            return Optional.empty();
        }
        return Optional.of(new String[] {lines[0], lines[1]});
    }

    /** The arguments of {@code forward} in class {@code className} of {@code source}. */
    static List<String> forwardArguments(byte[] source, String className) {
        String code = new String(source, StandardCharsets.UTF_8);
        Matcher cls = Pattern.compile("(?m)^class " + Pattern.quote(className) + "\\b").matcher(code);
        if (!cls.find()) {
            return List.of();
        }
        int next = code.indexOf("\nclass ", cls.end());
        String body = code.substring(cls.end(), next < 0 ? code.length() : next);
        Matcher def = Pattern.compile("\\n\\s+def forward\\(").matcher(body);
        if (!def.find()) {
            return List.of();
        }
        List<String> parameters = split(body, def.end());
        List<String> names = new ArrayList<>();
        for (int p = 1; p < parameters.size() && names.size() < MAX_ARGUMENTS; p++) { // 0 is self
            String parameter = parameters.get(p).strip();
            int colon = parameter.indexOf(':');
            String name = (colon < 0 ? parameter : parameter.substring(0, colon)).strip();
            int equals = name.indexOf('=');
            name = (equals < 0 ? name : name.substring(0, equals)).strip();
            if (!NAME.matcher(name).matches()) {
                return List.of();
            }
            names.add(name);
        }
        return names;
    }

    /** The parameters between {@code (} at {@code start} and its closing parenthesis, split at top-level commas. */
    private static List<String> split(String text, int start) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                if (depth == 0) {
                    parts.add(current.toString());
                    return parts;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(current.toString());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        return List.of();
    }

    private static byte[] read(ZipFile zip, ZipEntry entry, int max) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readNBytes(max);
        }
    }
}
